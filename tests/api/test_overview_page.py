"""The overview page's HTML: local assets only, the park drawn, text escaped."""

from __future__ import annotations

import re

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box

from geo.models import Park

CDN = re.compile(r"https?://(?!127\.0\.0\.1|localhost)[^\s\"']+\.(js|css)")


def test_overview_links_no_cdn_and_serves_its_assets(client):
    html = client.get("/").text
    assert CDN.search(html) is None
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(src).status_code == 200, src


def test_overview_without_data_says_how_to_load_it(client):
    html = client.get("/").text
    assert "gridmap demo" in html
    assert "尚未导入园区数据" in html


def test_overview_draws_the_park_and_escapes_its_name(client, db):
    outline = MultiPolygon([box(120.70, 31.28, 120.80, 31.35)])
    db.add(
        Park(code="320571", name="<script>alert(1)</script>示范园", geom=from_shape(outline, 4326))
    )
    db.flush()
    html = client.get("/").text
    assert "尚未导入园区数据" not in html
    assert "<script>alert(1)</script>" not in html
    assert "fitBounds" in html and "31.28" in html


def test_english_page_on_request(client):
    response = client.get("/?lang=en")
    assert '<html lang="en">' in response.text
    assert "Park overview" in response.text
    assert response.cookies.get("gridmap_lang") == "en"
