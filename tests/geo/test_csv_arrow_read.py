"""A plain UTF-8 CSV parsed by Arrow (readers._read_csv_arrow) gives exactly the cells pandas'
parser gives; anything else is left to pandas."""

from __future__ import annotations

import pytest

from geo.layers import readers

TRICKY = (
    "统一社会信用代码,企业名称,地址,从业人数,经度,纬度\n"
    '91320594MA1X0000X1,"苏州,星海 ""精密"" 机械",  带空格  ,007,120.7,31.3\n'
    '91320594MA1X0000X2,"两行\n地址",,"",1e5,-0.0\n'
    "\n"
    "91320594MA1X0000X3,NA,null,nan,NaN,None\n"
    '91320594MA1X0000X4,  "引号在后",\\反斜杠\t制表,,120.123456789012345,31\n'
    ",,,,,\n"
    "\n"
)


def _both(tmp_path, text: str, newline: str = "\n", bom: bool = False):
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8")
    path = tmp_path / "e.csv"
    path.write_bytes(raw)
    arrow = readers._read_csv_arrow(raw)
    pandas, used = readers._read_csv_pandas(path, raw, None)
    return arrow, pandas, used


@pytest.mark.parametrize(
    ("newline", "bom", "sep"),
    [("\n", False, ","), ("\r\n", True, ","), ("\r\n", False, "\t"), ("\n", True, ";")],
)
def test_the_same_cells_as_pandas(tmp_path, newline, bom, sep):
    text = TRICKY if sep == "," else TRICKY.replace(",", sep).replace("\t制表", " 制表")
    arrow, pandas, used = _both(tmp_path, text, newline, bom)
    assert arrow is not None and used == "utf-8-sig"
    assert list(arrow.columns) == list(pandas.columns)
    assert arrow.to_dict("list") == pandas.to_dict("list")
    for name in arrow.columns:
        assert list(map(type, arrow[name])) == list(map(type, pandas[name])), name
    assert len(arrow) == 5  # the blank lines are skipped, the row of empty cells is kept
    assert arrow["企业名称"][0] == '苏州,星海 "精密" 机械'.replace(",", sep)
    assert arrow["从业人数"].tolist()[:3] == ["007", None, "nan"]


def test_a_file_read_through_arrow_reads_as_before(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(TRICKY, encoding="utf-8")
    source = readers.read_source(path)
    assert source.notes == [readers.encoding_note("utf-8-sig")] and source.rows.tolist() == [
        2,
        3,
        4,
        5,
        6,
    ]
    assert source.frame["地址"][0] == "  带空格  "


@pytest.mark.parametrize(
    "text",
    [
        "name,name\na,b\n",  # pandas renames a repeated header
        "name,,x\na,b,c\n",  # … and a blank one
        '"name",x\na,b\n',  # a quoted header
        "name,x\na,b\nc\n",  # a short row: pandas fills it
        "name,x\na,b,c,d\n",  # a long row
        "",
    ],
)
def test_what_arrow_would_read_otherwise_is_left_to_pandas(text):
    assert readers._read_csv_arrow(text.encode("utf-8")) is None


def test_gbk_text_is_left_to_pandas(tmp_path):
    raw = "企业名称,经度\n星海,120.7\n".encode("gbk")
    assert readers._read_csv_arrow(raw) is None
    path = tmp_path / "gbk.csv"
    path.write_bytes(raw)
    source = readers.read_source(path)
    assert (
        source.notes == [readers.encoding_note("gb18030")] and source.frame["企业名称"][0] == "星海"
    )
