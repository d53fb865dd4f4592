"""A stand-in for the coverage API of issue #8, for the page tests only: a FastAPI router that
answers /api/coverage…, /api/my/enterprises and the visit routes from fixed data on the
hand-made park of tests/geo/catalog_fixtures.py (community C1: grids G1, G2; micro-grids M1,
M2), so the browser tests drive the real JS of /coverage and /visits before the server side
exists. `mount(app, standin)` puts its routes in front of the app's own (POST /api/visits
included) with the permissions the real routes will declare.

To switch to the real API: drop `mount(...)` from the `coverage_world` fixture
(tests/web/conftest.py), record the visits of FIRMS' states with geo.fieldwork in that fixture
(enterprises of the catalog world instead of the STANDIN USCCs), and read what the pages sent
from the database instead of `Standin.visits`, `.photos` and `.requests`.

Months: the current one (open) and any earlier one (closed, fewer visits).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, File, HTTPException, Query, UploadFile
from pydantic import BaseModel

from api.policy import FIELDWORK, SIGNED_IN
from tests.geo.catalog_fixtures import C1, G1, G2, M1, M2

ATTACK = "<img src=x onerror=alert(1)>"
VERIFY_METRES = 100.0
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
PHOTO_MAX_BYTES = 5 * 1024 * 1024
Text = Annotated[str | None, Query()]
Number = Annotated[float | None, Query()]
LAST_VISIT = "2026-10-01T09:00:00+08:00"


@dataclass(frozen=True)
class Firm:
    """An enterprise of the stand-in and its visit state this month and in a closed month."""

    uscc: str
    name: str
    grid: str
    micro: str | None
    lon: float
    lat: float
    now: str  # verified | flagged | visited | unvisited
    past: str
    days: int | None  # days since the last visit (None: never visited)
    member: str = "li_na"


FIRMS = (
    Firm("91320594STANDIN01A", "苏州星海科技有限公司", G1, M1, 120.61, 31.21, "verified",
         "unvisited", 3),
    Firm("91320594STANDIN01B", ATTACK, G1, None, 120.63, 31.28, "unvisited", "unvisited", None),
    Firm("91320594STANDIN01E", "星海物流有限公司", G1, M2, 120.64, 31.24, "unvisited",
         "unvisited", 75),
    Firm("91320594STANDIN02C", "金鸡湖软件有限公司", G2, None, 120.67, 31.25, "flagged",
         "flagged", 5, "wang_fang"),
    Firm("91320594STANDIN02D", "金鸡湖五金商店", G2, None, 120.68, 31.22, "visited",
         "unvisited", 9, "wang_fang"),
    Firm("91320594STANDIN02F", "湖畔餐饮有限公司", G2, None, 120.69, 31.27, "unvisited",
         "unvisited", 20, "wang_fang"),
)  # fmt: skip
NAMES = {G1: "星海一网格", G2: "金鸡湖专属网格", M1: "一号楼宇", M2: "星海产业园",
         "li_na": "李娜", "wang_fang": ATTACK}  # fmt: skip
MY_GRIDS = (G1,)  # the signed-in grid member's grids


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371008.8 * 2 * math.asin(math.sqrt(a))


def current_month() -> str:
    return (datetime.now(UTC) + timedelta(hours=8)).strftime("%Y-%m")  # Asia/Shanghai


class VisitBody(BaseModel):
    uscc: str
    lon: float | None = None
    lat: float | None = None
    notes: str | None = None
    visited_at: datetime | None = None


@dataclass
class Standin:
    """The stand-in's fixed data and what the pages sent it."""

    visits: list[dict[str, Any]] = field(default_factory=list)
    photos: list[dict[str, Any]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def state(self, firm: Firm, month: str) -> str:
        return firm.now if month >= current_month() else firm.past

    def firms(self, month: str, *, grid: str | None = None, community: str | None = None,
              member: str | None = None) -> list[Firm]:  # fmt: skip
        if community not in (None, C1):
            return []
        return [f for f in FIRMS if (grid is None or f.grid == grid)
                and (not member or f.member == member)]  # fmt: skip

    def figures(self, code: str, firms: list[Firm], month: str, level: str) -> dict[str, Any]:
        states = [self.state(f, month) for f in firms]
        visited = sum(s != "unvisited" for s in states)
        return {"level": level, "code": code, "name": NAMES.get(code, code), "visited": visited,
                "verified": states.count("verified"), "flagged": states.count("flagged"),
                "total": len(firms),
                "percent": round(100 * visited / len(firms), 1) if firms else 0.0}  # fmt: skip

    def coverage(self, month: str, level: str, community: str | None) -> dict[str, Any]:
        firms = self.firms(month, community=community)
        keys: dict[str, Any] = {
            "grid": (G1, G2), "microgrid": (M1, M2), "member": ("li_na", "wang_fang"),
            "community": (C1,),
        }  # fmt: skip
        attr = {"grid": "grid", "microgrid": "micro", "member": "member"}.get(level)
        items = [
            self.figures(code, [f for f in firms if attr is None or getattr(f, attr) == code],
                         month, level)
            for code in keys.get(level, ())
        ]  # fmt: skip
        return {"month": month, "closed": month < current_month(), "items": items}


def router(standin: Standin) -> APIRouter:
    """The stand-in's routes (the paths and answers of the coverage API of #8)."""
    api = APIRouter()

    @api.get("/api/coverage")
    def coverage(month: str, level: str, community: Text = None, grid: Text = None) -> Any:
        standin.requests.append(f"coverage {month} {level}")
        return standin.coverage(month, level, community)

    @api.get("/api/coverage/enterprises")
    def enterprises(month: str, community: Text = None, grid: Text = None,
                    member: Text = None) -> Any:  # fmt: skip
        firms = standin.firms(month, grid=grid, community=community, member=member)
        return {"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [f.lon, f.lat]},
            "properties": {"uscc": f.uscc, "name": f.name, "grid_code": f.grid,
                           "microgrid_code": f.micro, "state": standin.state(f, month),
                           "visits": 0 if standin.state(f, month) == "unvisited" else 1,
                           "last_visited_at": None if f.days is None else LAST_VISIT,
                           "days_since_last_visit": f.days}} for f in firms]}  # fmt: skip

    @api.get("/api/coverage/unvisited")
    def unvisited(month: str, community: Text = None, grid: Text = None,
                  member: Text = None) -> Any:  # fmt: skip
        standin.requests.append(f"unvisited {month} {member or ''}")
        firms = [f for f in standin.firms(month, grid=grid, community=community, member=member)
                 if standin.state(f, month) == "unvisited"]  # fmt: skip
        # deliberately not in the promised order: the page sorts what it shows
        return {"items": [{"uscc": f.uscc, "name": f.name, "grid_code": f.grid, "lon": f.lon,
                           "lat": f.lat,
                           "last_visited_at": None if f.days is None else LAST_VISIT,
                           "days_since_last_visit": f.days} for f in firms]}  # fmt: skip

    @api.get("/api/coverage/route")
    def route(grid: str, month: str) -> Any:
        stops = [
            f for f in standin.firms(month, grid=grid) if standin.state(f, month) == "unvisited"
        ]
        coords = [[f.lon, f.lat] for f in stops]
        length = sum(metres(*a, *b) for a, b in itertools.pairwise(coords))
        return {"order": [f.uscc for f in stops],
                "stops": [{"uscc": f.uscc, "name": f.name, "lon": f.lon, "lat": f.lat}
                          for f in stops],
                "line": {"type": "LineString", "coordinates": coords} if len(coords) > 1 else None,
                "length_m": round(length, 1)}  # fmt: skip

    @api.get("/api/my/enterprises")
    def mine(lon: Number = None, lat: Number = None) -> Any:
        month = current_month()
        items = [{"uscc": f.uscc, "name": f.name, "address": f"{NAMES[f.grid]}{f.name}地址",
                  "lon": f.lon, "lat": f.lat, "state": standin.state(f, month),
                  "visited_this_month": any(v["uscc"] == f.uscc for v in standin.visits)
                  or standin.state(f, month) != "unvisited",
                  "distance_m": None if lon is None or lat is None
                  else round(metres(lon, lat, f.lon, f.lat), 1)}
                 for f in reversed(FIRMS) if f.grid in MY_GRIDS]  # fmt: skip
        if lon is not None:
            items.sort(key=lambda i: i["distance_m"])
        return {"items": items}

    @api.post("/api/visits", status_code=201)
    def visit(body: VisitBody) -> Any:
        firm = next((f for f in FIRMS if f.uscc == body.uscc), None)
        if firm is None or firm.grid not in MY_GRIDS:
            raise HTTPException(403, "不是您网格内的企业")
        distance = None
        check = "no_location"
        if body.lon is not None and body.lat is not None:
            distance = round(metres(body.lon, body.lat, firm.lon, firm.lat), 1)
            check = "verified" if distance <= VERIFY_METRES else "flagged"
        standin.visits.append(body.model_dump() | {"check_result": check})
        return {"id": len(standin.visits), "uscc": body.uscc, "check_result": check,
                "distance_m": distance, "notes": body.notes,
                "visited_at": datetime.now(UTC).isoformat()}  # fmt: skip

    @api.post("/api/visits/{visit_id}/photo", status_code=201)
    async def photo(visit_id: int, file: Annotated[UploadFile, File()]) -> Any:
        data = await file.read()
        if file.content_type not in PHOTO_TYPES:
            raise HTTPException(415, "只能上传 JPEG、PNG 或 WebP 照片")
        if len(data) > PHOTO_MAX_BYTES:
            raise HTTPException(413, "照片超过 5 MB")
        standin.photos.append({"visit": visit_id, "bytes": len(data), "type": file.content_type})
        return {"visit_id": visit_id, "bytes": len(data)}

    return api


def mount(app: FastAPI, standin: Standin) -> None:
    """Put the stand-in's routes first, with the permissions the real routes will have."""
    before = len(app.router.routes)
    app.include_router(router(standin))
    added = app.router.routes[before:]
    del app.router.routes[before:]
    app.router.routes[:0] = added
    for route in added:
        for method in getattr(route, "methods", ()):
            permission = FIELDWORK if method == "POST" else SIGNED_IN
            app.state.auth.permissions[(method, route.path)] = permission  # type: ignore[attr-defined]
