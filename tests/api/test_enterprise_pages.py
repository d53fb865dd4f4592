"""The enterprise list `/enterprises` and an enterprise's page `/enterprises/{uscc or id}`,
rendered on the server: filters, paging, every field, visits, problems, escaped text."""

from __future__ import annotations

import html as htmllib
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from geo.models import Enterprise, Problem, Staff, Visit
from tests.geo.catalog_fixtures import C1, ENTERPRISES, G1, G3, M1, build_world
from tests.web.broken_world import ATTACK_NAME, break_world
from tests.web.page_config import config_of
from web.pages import enterprises as pages

ROW_LINK = re.compile(r'<td><a href="/enterprises/([0-9A-Z]{18})">(.*?)</a></td>')


def _rows(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [htmllib.unescape(name) for _, name in ROW_LINK.findall(response.text)]


def test_the_list_shows_every_enterprise_by_name_linking_to_its_page(client, db):
    world = build_world(db)
    html = client.get("/enterprises").text
    links = dict((htmllib.unescape(n), u) for u, n in ROW_LINK.findall(html))
    assert links["苏州星海科技有限公司"] == world.uscc["e1"] and len(links) == 7
    assert "共 7 家企业" in html
    assert 'href="/enterprises" class="active" aria-current="page">企业名录</a>' in html
    assert "不在任何网格内（游离企业）" in html  # e5


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"community": C1}, {"苏州星海科技有限公司", "100%_纯净水厂", "金鸡湖软件有限公司"}),
        ({"grid": G3}, {"湖东物流有限公司", "已注销机械厂", "AB纯净水厂"}),
        ({"industry": "I"}, {"金鸡湖软件有限公司"}),
        ({"q": "纯净水"}, {"100%_纯净水厂", "AB纯净水厂"}),
        ({"q": "%_"}, {"100%_纯净水厂"}),
        ({"community": "", "grid": "", "industry": "", "q": " "}, None),  # an empty form
    ],
)
def test_the_list_is_filtered(client, db, params, expected):
    build_world(db)
    names = set(_rows(client.get("/enterprises", params=params)))
    assert names == (expected if expected is not None else {e[1] for e in ENTERPRISES})


def test_the_filters_show_what_is_chosen(client, db):
    build_world(db)
    html = client.get("/enterprises", params={"community": C1, "industry": "C", "q": "星海"}).text
    assert f'<option value="{C1}" selected>星海社区（{C1}）</option>' in html
    assert '<option value="C" selected>C 制造业</option>' in html
    assert 'name="q" value="星海"' in html
    assert "320571001002001" not in html.split('name="grid"')[1].split("</select>")[0]


def test_the_list_pages_keep_the_filters(client, db, monkeypatch):
    build_world(db)
    monkeypatch.setattr(pages, "PAGE_SIZE", 3)
    first = client.get("/enterprises", params={"industry": "C"})
    assert len(_rows(first)) == 3 and "共 4 家企业，当前显示第 1–3 家" in first.text
    assert 'href="/enterprises?industry=C&amp;page=2" rel="next"' in first.text
    second = client.get("/enterprises", params={"industry": "C", "page": 2})
    assert len(_rows(second)) == 1 and 'href="/enterprises?industry=C" rel="prev"' in second.text
    assert 'rel="next"' not in second.text
    assert set(_rows(first)) | set(_rows(second)) == {
        "苏州星海科技有限公司", "100%_纯净水厂", "已注销机械厂", "AB纯净水厂"
    }  # fmt: skip
    assert client.get("/enterprises", params={"page": 0}).status_code == 422


def test_no_match_says_so(client, db):
    build_world(db)
    html = client.get("/enterprises", params={"q": "不存在的企业"}).text
    assert "没有符合条件的企业" in html and "<table" not in html


def test_an_attack_name_shows_literally_in_the_list_and_on_its_page(client, db):
    build_world(db)
    uscc = break_world(db)
    html = client.get("/enterprises", params={"q": "<img"}).text
    assert _rows(client.get("/enterprises", params={"q": "<img"})) == [ATTACK_NAME]
    assert ATTACK_NAME not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    page = client.get(f"/enterprises/{uscc}").text
    assert ATTACK_NAME not in page.replace("\\u003c", "<").split("<script>")[0]
    assert '<h1 id="gm-enterprise-name">&lt;img src=x onerror=alert(1)&gt;</h1>' in page
    assert "<title>&lt;img src=x onerror=alert(1)&gt; · " in page
    # in the map's configuration the name is JSON inside <script>: no "</" can end it early
    script = page.split("gridmap.init(")[1]
    assert "</" not in script.split(");")[0]


def _visit_and_problem(db, world) -> None:
    enterprise = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e1"]))
    staff = db.scalar(select(Staff.id).where(Staff.staff_no == "full1"))
    db.add(Visit(enterprise_id=enterprise, staff_id=staff, check_result="verified",
                 distance_m=12.4, notes="<b>走访</b>正常",
                 visited_at=datetime(2024, 5, 6, 2, 30, tzinfo=UTC)))  # fmt: skip
    db.add(Problem(code="P-1", enterprise_id=enterprise, category="demand", title="用电扩容",
                   status="in_progress", handler_level="park", due_date=date(2024, 6, 30),
                   reported_at=datetime(2024, 5, 1, 1, 0, tzinfo=UTC)))  # fmt: skip
    db.execute(update(Enterprise).where(Enterprise.id == enterprise)
               .values(contact_name="张三", contact_phone="138-0000-0001",
                       industry_detail="C3670 汽车零部件"))  # fmt: skip
    db.flush()


def test_an_enterprise_page_shows_every_field_visits_and_problems(client, db):
    world = build_world(db)
    _visit_and_problem(db, world)
    html = client.get(f"/enterprises/{world.uscc['e1']}").text
    for text in ("统一社会信用代码", world.uscc["e1"], "C 制造业", "C3670 汽车零部件", "小型",
                 "日间从业人数", "120", "苏州星海科技有限公司地址", "张三", "138-0000-0001",
                 "在营", f"星海社区 {C1}", f"星海一网格 {G1}", f"一号楼宇 {M1}",
                 "120.610000, 31.210000", "WGS84"):  # fmt: skip
        assert text in html, text
    assert f'href="/enterprises?grid={G1}"' in html
    assert "共 1 次走访，显示最近 1 次" in html
    assert "2024-05-06 10:30" in html  # Beijing time
    assert "李娜" in html and "位置已核验" in html and "&lt;b&gt;走访&lt;/b&gt;正常" in html
    for text in ("P-1", "用电扩容", "诉求类", "处理中", "园区", "2024-05-01 09:00", "2024-06-30"):
        assert text in html, text


def test_an_enterprise_is_found_by_database_id_too(client, db):
    world = build_world(db)
    ident = db.scalar(select(Enterprise.id).where(Enterprise.uscc == world.uscc["e3"]))
    html = client.get(f"/enterprises/{ident}").text
    assert '<h1 id="gm-enterprise-name">金鸡湖软件有限公司</h1>' in html
    assert "暂无走访记录" in html and "暂无企业问题" in html


def test_the_small_map_outlines_the_grid_or_shows_the_grids_around_an_orphan(client, db):
    world = build_world(db)
    inside = config_of(client.get(f"/enterprises/{world.uscc['e1']}").text)
    assert [o["id"] for o in inside["overlays"]] == ["grid", "microgrid", "enterprise"]
    assert inside["overlays"][0]["data"]["properties"] == {"name": "星海一网格", "code": G1}
    assert inside["layers"] == [] and inside["compact"]
    html = client.get(f"/enterprises/{world.uscc['e5']}").text
    assert "不在任何网格内（游离企业）" in html
    orphan = config_of(html)
    assert [o["id"] for o in orphan["overlays"]] == ["enterprise"]
    assert [layer["id"] for layer in orphan["layers"]] == ["community", "grid"]


def test_unknown_enterprises_are_404(client, db):
    build_world(db)
    assert client.get("/enterprises/91320594MA1XXXXX0X").status_code == 404
    assert client.get("/enterprises/999999").status_code == 404


def test_enterprise_pages_in_english(client, db):
    world = build_world(db)
    listed = client.get("/enterprises?lang=en").text
    assert "7 enterprises, showing 1–7" in listed and "Manufacturing" in listed
    page = client.get(f"/enterprises/{world.uscc['e5']}?lang=en").text
    assert "In no grid (orphan)" in page and "Wholesale and retail trade" in page
