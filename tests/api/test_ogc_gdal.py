"""GDAL's OAPIF driver (Debian's ogrinfo and ogr2ogr) reads every /ogc collection of a live
server: same feature counts, field names and integer types as the database, lon/lat axes."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import Engine, Table, delete, func, select, text
from sqlalchemy.orm import Session

from geo.features import COLLECTIONS
from geo.models import Base, Enterprise
from geo.uscc import generate
from tests.api.test_ogc import COLLECTION_IDS, add_places
from tests.conftest import unavailable

OGRINFO = Path("/usr/bin/ogrinfo")
OGR2OGR = Path("/usr/bin/ogr2ogr")
EXTRA_ENTERPRISES = 25  # with build_world's 8, GDAL's 10-feature pages run to a fourth page
FIELD = re.compile(r"^([A-Za-z_]\w*): ([\w()]+) \(")


def _id_tables() -> list[Table]:
    """Tables with an integer `id`, children before parents (for the clean-up)."""
    return [t for t in reversed(Base.metadata.sorted_tables) if "id" in t.c]


@pytest.fixture(scope="module")
def committed(engine: Engine) -> Iterator[None]:
    """The test places COMMITTED (the live server has its own connections), deleted after."""
    if not (OGRINFO.exists() and OGR2OGR.exists()):
        unavailable(f"{OGRINFO} or {OGR2OGR} is missing; apt-get install gdal-bin")
    with engine.connect() as conn:
        before = {t.name: conn.scalar(select(func.coalesce(func.max(t.c.id), 0))) for t in
                  _id_tables()}  # fmt: skip
    try:
        with Session(engine) as session:
            add_places(session)
            rng = random.Random(4326)
            session.add_all(
                Enterprise(uscc=generate(rng), name=f"分页企业{i}", employees_day=i,
                           geom=from_shape(Point(120.9 + i / 1000, 31.35), 4326))
                for i in range(EXTRA_ENTERPRISES)
            )  # fmt: skip
            session.commit()
        yield
    finally:
        with engine.begin() as conn:
            for table in _id_tables():
                conn.execute(delete(table).where(table.c.id > before[table.name]))


@pytest.fixture(scope="module", autouse=True)
def gdal_signed_in(live_admin) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """GDAL sends the administrator's API token with every request, as QGIS would."""
    before = os.environ.get("GDAL_HTTP_HEADERS")
    os.environ["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {live_admin.token}"
    yield
    if before is None:
        del os.environ["GDAL_HTTP_HEADERS"]
    else:
        os.environ["GDAL_HTTP_HEADERS"] = before


def _run(*args: object) -> str:
    done = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _layers(ogrinfo_output: str) -> dict[str, dict[str, object]]:
    """Per layer of `ogrinfo -so -al`: feature count and {field: OGR type}, in order."""
    found: dict[str, dict[str, object]] = {}
    for block in ogrinfo_output.split("Layer name: ")[1:]:
        lines = block.splitlines()
        count = next(int(x.split(":")[1]) for x in lines if x.startswith("Feature Count:"))
        start = next(i for i, x in enumerate(lines) if x.startswith("Data axis to CRS axis"))
        fields = {m[1]: m[2] for m in map(FIELD.match, lines[start + 1 :]) if m}
        found[lines[0].strip()] = {"count": count, "fields": fields}
    return found


def _db_count(engine: Engine, cid: str) -> int:
    coll = COLLECTIONS[cid]
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(coll.table).where(*coll.scope())))


def _expected_fields(engine: Engine, cid: str) -> list[str]:
    """The collection's properties, each checked against the database: a column of the table,
    or a parent's natural key (..._code, ..._uscc, staff_no)."""
    with engine.connect() as conn:
        columns = set(
            conn.scalars(
                text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"),
                {"t": cid},
            )
        )
    names = [p.name for p in COLLECTIONS[cid].props]
    for name in names:
        assert name in columns or name.endswith(("_code", "_uscc", "_no")), (cid, name)
    assert not [n for n in names if n.endswith("_id") or "password" in n]
    return names


@pytest.fixture(scope="module")
def ogrinfo(committed: None, live_server: str) -> dict[str, dict[str, object]]:
    return _layers(_run(OGRINFO, "-ro", "-so", "-al", f"OAPIF:{live_server}/ogc"))


def test_ogrinfo_lists_every_collection_with_counts_and_fields(ogrinfo, engine):
    assert list(ogrinfo) == COLLECTION_IDS
    for cid, layer in ogrinfo.items():
        assert layer["count"] == _db_count(engine, cid) > 0, cid
        assert list(layer["fields"]) == _expected_fields(engine, cid), cid


def test_ogrinfo_types_integer_and_real_fields_like_the_database(ogrinfo, engine):
    with engine.connect() as conn:
        integers = set(
            conn.scalars(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = "
                    "'enterprise' AND data_type IN ('smallint', 'integer', 'bigint')"
                )
            )
        )
    enterprise = ogrinfo["enterprise"]["fields"]
    exposed = integers & set(enterprise)
    assert exposed >= {"employees_day", "employees_night"}
    assert all(enterprise[name] in ("Integer", "Integer64") for name in exposed)
    assert enterprise["name"] == "String"
    road = ogrinfo["road"]["fields"]
    assert (road["lanes"], road["width_m"], road["speed_kmh"]) == ("Integer", "Real", "Real")
    assert road["oneway"] == "Integer(Boolean)"
    assert ogrinfo["key_site"]["fields"]["last_inspected"] == "Date"
    assert ogrinfo["visit"]["fields"]["visited_at"] == "DateTime"


@pytest.mark.parametrize("cid", COLLECTION_IDS)
def test_ogr2ogr_copies_every_feature_of_each_collection(committed, live_server, engine, tmp_path,
                                                         cid):  # fmt: skip
    out = tmp_path / f"{cid}.geojson"
    _run(OGR2OGR, "-f", "GeoJSON", out, f"OAPIF:{live_server}/ogc", cid)
    copied = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(copied) == _db_count(engine, cid)
    expected = _expected_fields(engine, cid)
    assert all(list(f["properties"]) == expected for f in copied), cid


def test_ogr2ogr_keeps_lon_lat_order_and_filters_by_bbox(committed, live_server, tmp_path):
    shelters = tmp_path / "shelter.geojson"
    _run(OGR2OGR, "-f", "GeoJSON", shelters, f"OAPIF:{live_server}/ogc", "shelter")
    (shelter,) = json.loads(shelters.read_text(encoding="utf-8"))["features"]
    assert shelter["geometry"]["coordinates"] == [120.7, 31.3]
    inside = tmp_path / "inside.geojson"
    _run(OGR2OGR, "-f", "GeoJSON", "-spat", "120.74", "31.24", "120.78", "31.28", inside,
         f"OAPIF:{live_server}/ogc", "enterprise")  # fmt: skip
    names = {f["properties"]["name"] for f in json.loads(inside.read_text("utf-8"))["features"]}
    assert names == {"湖东物流有限公司", "已注销机械厂", "AB纯净水厂"}
