"""A big first load of enterprises in chunks (geo/layers/stream.py): same result and report as
the whole-file load, duplicates found across chunks, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from geo.layers import bulk, stream
from geo.layers.importer import import_layer
from geo.models import Enterprise
from tests.geo.test_import_load import _clusters, _clusters_from_scratch, _codes, _file, _park

# the indexes of both tables, the enterprise triggers (and whether each fires) and
# constraints: all as they were
INDEXES = (
    "SELECT tablename, indexname, indexdef FROM pg_indexes "
    "WHERE tablename IN ('enterprise', 'enterprise_cluster') "
    "UNION ALL SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger "
    "WHERE tgrelid = 'enterprise'::regclass AND NOT tgisinternal "
    "UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'enterprise'::regclass"
)


@pytest.fixture
def chunked(db, monkeypatch):
    """Chunks of 40 rows, a bulk load from 50 rows, into empty enterprise tables."""
    monkeypatch.setattr(stream, "CHUNK_ROWS", 40)
    monkeypatch.setattr(bulk, "BULK_ROWS", 50)
    db.execute(text("DELETE FROM enterprise"))
    db.execute(text("DELETE FROM enterprise_cluster"))
    return db


def _rows(n: int = 130):
    codes = _codes(n, seed=21)
    rows = [(c, f"企业{i}", 120.71 + i / 1e4, 31.31 + (i % 7) / 1e4) for i, c in enumerate(codes)]
    rows[45] = (codes[3], "重复", 120.75, 31.32)  # a duplicate of a row of the first chunk
    rows[90] = (codes[90], "", 120.75, 31.32)  # a missing name
    return rows


def _state(db) -> tuple:
    names = db.execute(
        select(Enterprise.uscc, Enterprise.name, Enterprise.grid_id, Enterprise.microgrid_id)
    ).all()
    # the coverage totals the enterprise triggers keep (set aside with no grid live)
    totals = db.execute(text("SELECT * FROM coverage_grid_total WHERE total > 0")).all()
    # the pick holds an id: the second load's ids come later in the sequence
    return sorted(names), {c[:4] + c[5:] for c in _clusters(db)}, sorted(totals)


@pytest.mark.parametrize("grids", [False, True], ids=["no grids", "grids"])
def test_chunked_load_gives_the_whole_files_report_rows_and_clusters(
    chunked, tmp_path, monkeypatch, grids
):
    """Without live grids the chunks are COPYed straight into the table; with them they are
    assigned on the way (the rows fall in the two grids of `_park`)."""
    db = chunked
    if grids:
        _park(db)
    path = _file(tmp_path, _rows())
    writers: list[str] = []
    start = stream._start
    monkeypatch.setattr(stream, "_start", lambda *a: writers.append(start(*a)) or writers[-1])
    before = set(db.execute(text(INDEXES)).all())
    savepoint = db.begin_nested()
    calls: list[int] = []
    real = stream._chunk
    monkeypatch.setattr(stream, "_chunk", lambda s, *r: calls.append(r) or real(s, *r))
    chunks = import_layer(db, "enterprise", path, skip_invalid=True, rejected_path=tmp_path / "r1")
    assert calls == [(0, 10), (10, 50), (50, 90), (90, 120), (120, 130)]  # small first, last
    assert [places is not None for _, places in writers] == [grids]
    ours = _state(db)
    assigned = {grid for _, _, grid, _ in ours[0]}
    assert (len(assigned) == 2 and None not in assigned) if grids else assigned == {None}
    assert bool(ours[2]) == grids  # enterprises in grids are counted, by the trigger left on
    assert set(db.execute(text(INDEXES)).all()) == before
    assert _clusters(db) == _clusters_from_scratch(db)
    savepoint.rollback()
    monkeypatch.setattr(stream, "applies", lambda *a: False)
    whole = import_layer(db, "enterprise", path, skip_invalid=True, rejected_path=tmp_path / "r2")
    assert chunks.rejected_rows == whole.rejected_rows
    assert set(chunks.rejected_rows) == {47, 92}  # file lines: header is line 1
    assert "as row 5" in chunks.rejected_rows[47]
    assert (chunks.inserted, chunks.updated, chunks.written) == (128, 0, True)
    assert (whole.inserted, whole.notes) == (chunks.inserted, chunks.notes)
    assert (tmp_path / "r1").read_text() == (tmp_path / "r2").read_text()
    assert _state(db) == ours
    assert _clusters(db) == _clusters_from_scratch(db)


def test_a_refused_row_in_a_late_chunk_writes_nothing(chunked, tmp_path):
    db = chunked
    before = set(db.execute(text(INDEXES)).all())
    report = import_layer(db, "enterprise", _file(tmp_path, _rows()))
    assert not report.written and set(report.rejected_rows) == {47, 92}
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 0
    assert db.scalar(text("SELECT count(*) FROM enterprise_cluster")) == 0
    assert set(db.execute(text(INDEXES)).all()) == before


def test_a_failure_midway_leaves_the_database_unchanged(chunked, tmp_path, monkeypatch):
    db = chunked
    rows = [r for i, r in enumerate(_rows()) if i not in (45, 90)]
    real = stream.stage.copy
    sent: list[int] = []

    def failing(*args):
        sent.append(1)
        if len(sent) == 3:  # the third chunk: two are in the table already
            raise RuntimeError("the server went away")
        real(*args)

    monkeypatch.setattr(stream.stage, "copy", failing)
    before = set(db.execute(text(INDEXES)).all())
    savepoint = db.begin_nested()
    with pytest.raises(RuntimeError, match="went away"):
        import_layer(db, "enterprise", _file(tmp_path, rows))
    savepoint.rollback()
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 0
    assert set(db.execute(text(INDEXES)).all()) == before


def test_points_on_and_near_boundaries_and_compounds_are_placed_as_the_rule_places_them(
    chunked, tmp_path, monkeypatch
):
    """With live grids each chunk's points are matched in Python; those PostGIS might decide
    otherwise (near an edge, a compound) take the rule. Either way the rows end up where the
    whole-file load's SQL rule puts them."""
    db = chunked
    west, east, micro = _park(db)  # west and east share the edge x = 120.72
    tricky = [
        (120.72, 31.31),  # on the shared edge: both cover it, the smaller id wins
        (120.72, 31.30),  # a vertex of both
        (120.72 + 1e-12, 31.31),  # a hair east of the edge
        (120.72 - 1e-12, 31.31),  # a hair west
        (120.705, 31.307),  # on the micro-grid's west edge
        (120.707, 31.307),  # inside the micro-grid
        (120.73, 31.31),  # inside the east grid
        (120.80, 31.31),  # outside every grid
        (120.74, 31.32),  # the east grid's north-east corner
    ]
    codes = _codes(60, seed=5)
    points = tricky + [(120.701 + i / 1e4, 31.301 + (i % 5) / 1e3) for i in range(60 - len(tricky))]
    rows = [(c, f"企业{i}", x, y) for i, (c, (x, y)) in enumerate(zip(codes, points, strict=True))]
    # two compounds: one reaches into the micro-grid from outside it, one lies far off
    compounds = [""] * len(rows)
    compounds[10] = (
        "POLYGON ((120.709 31.309, 120.712 31.309, 120.712 31.312, 120.709 31.312, 120.709 31.309))"
    )
    compounds[11] = (
        "POLYGON ((120.90 31.40, 120.91 31.40, 120.91 31.41, 120.90 31.41, 120.90 31.40))"
    )
    path = _file(tmp_path, rows, 企业用地范围=compounds)
    split = stream.chunk_places.split
    decided: list[int] = []
    staged: list[int] = []

    def counting(frame, places):
        here, there = split(frame, places)
        decided.append(len(here))
        staged.append(len(there))
        return here, there

    monkeypatch.setattr(stream.chunk_places, "split", counting)
    savepoint = db.begin_nested()
    assert import_layer(db, "enterprise", path).inserted == 60
    chunked_state, _, chunked_totals = _state(db)
    savepoint.rollback()
    assert sum(staged) >= 4 and sum(decided) >= 50  # both roads were taken
    monkeypatch.setattr(stream, "applies", lambda *a: False)
    assert import_layer(db, "enterprise", path).inserted == 60
    assert _state(db)[0] == chunked_state and _state(db)[2] == chunked_totals
    assert chunked_totals  # the coverage trigger counted the COPYed rows too
    placed = {name: (grid, micro_) for _, name, grid, micro_ in chunked_state}
    assert placed["企业0"] == placed["企业1"] == (min(west, east), None)
    assert placed["企业5"] == (west, micro) and placed["企业6"] == (east, None)
    assert placed["企业7"] == (None, None) and placed["企业10"][1] == micro
