"""Bad input is refused row by row with the reason, and the database is left unchanged."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import func, select

from geo.errors import CrsUnknown, InvalidInput, PartitionBroken
from geo.layers.importer import import_layer
from geo.layers.report import both
from geo.models import Enterprise, Grid
from tests.geo.layer_fixtures import ENTERPRISES, add_community, enterprise_frame


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def _import_csv(db, tmp_path, frame, layer="enterprise", **options):
    path = tmp_path / "input.csv"
    frame.to_csv(path, index=False)
    return import_layer(db, layer, path, rejected_path=tmp_path / "rejected.csv", **options)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("统一社会信用代码", "91350100M000100Y4Z", "不可使用"),
        ("统一社会信用代码", "91350100M000100Y44", "校验码错误"),
        ("统一社会信用代码", "9135010", "应为18位"),
        ("从业人数", "一百", "is not a whole number"),
        ("从业人数", "-3", "below the minimum"),
        ("行业", "宇宙业", "unknown value"),
        ("纬度", "120.7", "swapped"),
        ("经度", "east", "not numbers"),
        ("企业名称", "", "missing"),
    ],
)
def test_bad_value_refuses_the_row_with_its_reason_and_writes_nothing(
    db, tmp_path, column, value, reason
):
    frame = enterprise_frame().astype(object)
    frame.loc[1, column] = value
    report = _import_csv(db, tmp_path, frame)
    assert list(report.rejected_rows) == [3]  # header is line 1, the bad row is line 3
    assert reason in report.rejected_rows[3]
    assert not report.written and _count(db, Enterprise) == 0
    rejected = pd.read_csv(tmp_path / "rejected.csv", dtype=str)
    assert rejected["row"].tolist() == ["3"] and reason in rejected["reason"][0]


def test_skip_invalid_writes_the_good_rows(db, tmp_path):
    frame = enterprise_frame().astype(object)
    frame.loc[0, "从业人数"] = "many"
    report = _import_csv(db, tmp_path, frame, skip_invalid=True)
    assert report.inserted == 2 and list(report.rejected_rows) == [2]
    assert _count(db, Enterprise) == 2


def test_duplicate_keys_inside_the_file_are_refused(db, tmp_path):
    frame = pd.concat([enterprise_frame(), enterprise_frame().iloc[[0]]], ignore_index=True)
    report = _import_csv(db, tmp_path, frame)
    key = ENTERPRISES[0]["uscc"]
    assert report.rejected_rows == {
        5: both(f"重复的键 {key}（与第 2 行相同）", f"duplicate key {key} (as row 2)")
    }
    assert _count(db, Enterprise) == 0


def test_missing_required_column_names_it_and_suggests_map(db, tmp_path):
    frame = enterprise_frame().drop(columns=["统一社会信用代码"])
    with pytest.raises(InvalidInput, match=r"统一社会信用代码 \(uscc\).*--map"):
        _import_csv(db, tmp_path, frame)


def test_map_option_names_unusual_headers(db, tmp_path):
    frame = enterprise_frame().rename(columns={"企业名称": "单位全称XYZ"})
    report = _import_csv(db, tmp_path, frame, mapping={"单位全称XYZ": "name"})
    assert report.inserted == 3


def test_unknown_crs_and_unknown_layer_are_refused(db, tmp_path):
    with pytest.raises(CrsUnknown, match="unknown coordinate system"):
        _import_csv(db, tmp_path, enterprise_frame(), crs="Mars2000")
    with pytest.raises(InvalidInput, match="unknown layer 'enterprises'"):
        _import_csv(db, tmp_path, enterprise_frame(), layer="enterprises")


def test_gcj02_points_outside_china_are_refused(db, tmp_path):
    frame = enterprise_frame()
    frame.loc[0, ["经度", "纬度"]] = [139.69, 35.69]  # Tokyo
    report = _import_csv(db, tmp_path, frame, crs="gcj02")
    assert "outside China" in report.rejected_rows[2]


def _grids(*wkts: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": [f"320571001001{i:03d}" for i in range(1, len(wkts) + 1)],
            "name": [f"网格{i}" for i in range(1, len(wkts) + 1)],
            "community_code": "320571001001",
            "wkt": list(wkts),
        }
    )


def test_polygon_repairs_only_when_unambiguous(db, tmp_path):
    add_community(db, bounds=(120.70, 31.30, 120.74, 31.31))
    unclosed = "POLYGON ((120.70 31.30, 120.71 31.30, 120.71 31.31, 120.70 31.31))"
    repeated = (
        "POLYGON ((120.71 31.30, 120.72 31.30, 120.72 31.30, 120.72 31.31, 120.71 31.31, "
        "120.71 31.30))"
    )
    spike = (
        "POLYGON ((120.72 31.30, 120.73 31.30, 120.73 31.31, 120.735 31.31, 120.73 31.31, "
        "120.72 31.31, 120.72 31.30))"
    )
    rest = "POLYGON ((120.73 31.30, 120.74 31.30, 120.74 31.31, 120.73 31.31, 120.73 31.30))"
    report = _import_csv(db, tmp_path, _grids(unclosed, repeated, spike, rest), layer="grid")
    assert report.rejected_rows == {}, report.problems
    repaired = {p.row for p in report.problems if p.repaired}
    assert {2, 4} <= repaired
    assert _count(db, Grid) == 4


@pytest.mark.parametrize(
    ("wkt", "reason"),
    [
        (
            "POLYGON ((120.70 31.30, 120.71 31.31, 120.71 31.30, 120.70 31.31, 120.70 31.30))",
            "cannot be repaired",
        ),
        ("POLYGON ((120.70 31.30, 120.71 31.30, 120.70 31.30))", "Too few points"),
        ("LINESTRING (120.70 31.30, 120.71 31.31)", "wrong geometry type LineString"),
        ("POLYGON ((420.70 31.30, 420.71 31.30, 420.71 31.31, 420.70 31.30))", "out of range"),
        ("POLYGON (120.70 31.30)", "unreadable WKT"),
    ],
)
def test_broken_or_wrong_geometry_is_refused(db, tmp_path, wkt, reason):
    add_community(db)
    report = _import_csv(db, tmp_path, _grids(wkt), layer="grid", crs="wgs84")
    assert reason in report.rejected_rows[2]
    assert _count(db, Grid) == 0


def test_unknown_parent_code_is_refused(db, tmp_path):
    add_community(db)
    frame = _grids(
        "POLYGON ((120.70 31.30, 120.71 31.30, 120.71 31.31, 120.70 31.31, 120.70 31.30))"
    )
    frame["community_code"] = "999999999999"
    report = _import_csv(db, tmp_path, frame, layer="grid")
    assert "'999999999999' does not exist" in report.rejected_rows[2]


def test_malformed_files_give_clear_errors(db, tmp_path):
    broken_json = tmp_path / "broken.geojson"
    broken_json.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InvalidInput, match="not a readable vector file"):
        import_layer(db, "enterprise", broken_json)
    fake_xlsx = tmp_path / "fake.xlsx"
    fake_xlsx.write_text("not a workbook")
    with pytest.raises(InvalidInput, match="not a readable XLSX"):
        import_layer(db, "enterprise", fake_xlsx)
    doc = tmp_path / "x.doc"
    doc.write_text("x")
    with pytest.raises(InvalidInput, match=r"unknown file type '\.doc'"):
        import_layer(db, "enterprise", doc)
    with pytest.raises(InvalidInput, match="does not exist"):
        import_layer(db, "enterprise", tmp_path / "missing.csv")


def test_network_json_attributes_and_derived_codes(db, tmp_path):
    frame = pd.DataFrame(
        {
            "kind": ["water", "gas"],
            "attributes": [json.dumps({"diameter_mm": 300}), "not json"],
            "wkt": [
                "LINESTRING (120.70 31.30, 120.71 31.31)",
                "LINESTRING (120.71 31.30, 120.72 31.31)",
            ],
        }
    )
    report = _import_csv(db, tmp_path, frame, layer="network", skip_invalid=True)
    assert report.inserted == 1 and "not a JSON object" in report.rejected_rows[3]
    again = _import_csv(db, tmp_path, frame.iloc[[0]], layer="network")
    # the derived code finds the row again, as stored: left alone
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)


def test_grids_that_overlap_or_leave_a_gap_are_refused_naming_the_places(db, tmp_path):
    add_community(db, bounds=(120.70, 31.30, 120.74, 31.31))
    west = "POLYGON ((120.70 31.30, 120.721 31.30, 120.721 31.31, 120.70 31.31, 120.70 31.30))"
    east = "POLYGON ((120.72 31.30, 120.74 31.30, 120.74 31.31, 120.72 31.31, 120.72 31.30))"
    with pytest.raises(PartitionBroken) as overlap:
        _import_csv(db, tmp_path, _grids(west, east), layer="grid")
    assert "网格重叠" in overlap.value.message
    assert "320571001001001 / 320571001001002" in overlap.value.message
    (violation,) = overlap.value.detail["violations"]
    assert violation["area_m2"] == pytest.approx(95.0 * 1111.9, rel=0.02)  # 0.001° × 0.01°
    short = "POLYGON ((120.72 31.30, 120.73 31.30, 120.73 31.31, 120.72 31.31, 120.72 31.30))"
    west_ok = "POLYGON ((120.70 31.30, 120.72 31.30, 120.72 31.31, 120.70 31.31, 120.70 31.30))"
    with pytest.raises(PartitionBroken, match="未被网格覆盖"):
        _import_csv(db, tmp_path, _grids(west_ok, short), layer="grid")
