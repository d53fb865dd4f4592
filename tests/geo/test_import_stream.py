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
    names = db.execute(select(Enterprise.uscc, Enterprise.name, Enterprise.grid_id)).all()
    # the pick holds an id: the second load's ids come later in the sequence
    return sorted(names), {c[:4] + c[5:] for c in _clusters(db)}


@pytest.mark.parametrize("grids", [False, True], ids=["direct", "staged"])
def test_chunked_load_gives_the_whole_files_report_rows_and_clusters(
    chunked, tmp_path, monkeypatch, grids
):
    """Without live grids the chunks are COPYed straight into the table; with them they are
    staged and assigned (the rows fall in the two grids of `_park`)."""
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
    assert [type(w).__name__ for w in writers] == ["_StagedWriter" if grids else "_DirectWriter"]
    ours = _state(db)
    assigned = {grid for _, _, grid in ours[0]}
    assert (len(assigned) == 2 and None not in assigned) if grids else assigned == {None}
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
