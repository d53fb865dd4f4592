"""OGC API – Features Part 1 Core and Part 2 (CRS by reference) under `/ogc`, for QGIS and GDAL.

Routes borrow a session and call `geo.features`; bad parameters are 400 here (Part 1 asks
for it), where the rest of the API answers 422.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from api.deps import SessionDep
from api.errors import error_body
from api.ogc_params import CRS84, CRS_LAT_FIRST, FeatureCrsDep, ItemParamsDep, metadata_params
from geo import features
from geo.errors import InvalidInput
from geo.features import Collection, FeaturePage, ItemQuery
from geo.history_views import collection_at, parse_day

JSON = "application/json"
GEOJSON = "application/geo+json"
SCHEMA_JSON = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
REL_QUERYABLES = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
REL_SCHEMA = "http://www.opengis.net/def/rel/ogc/1.0/schema"


class OgcRoute(APIRoute):
    """A route whose bad parameters answer 400 in gridmap's error shape, not 422."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except InvalidInput as exc:
                return JSONResponse(error_body(exc.code, exc.message, exc.detail), 400)
            except RequestValidationError as exc:
                return JSONResponse(error_body("bad_request", _validation_message(exc)), 400)

        return route


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = error.get("loc", ())
        name = where[-1] if where else "request"
        problems.append(f"{name}: {error.get('msg', 'invalid')}")
    return "参数无效 / invalid parameter " + "; ".join(problems)


router = APIRouter(prefix="/ogc", tags=["ogc"], route_class=OgcRoute)
Metadata = [Depends(metadata_params)]


def _link(href: str, rel: str, type_: str = JSON, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


@router.get("", name="ogc_landing", dependencies=Metadata)
def landing(request: Request) -> JSONResponse:
    """Landing page: links to the API definition, conformance and the collections."""
    base = str(request.base_url).rstrip("/")
    links = [
        _link(str(request.url_for("ogc_landing")), "self", title="本页 / this document"),
        _link(base + "/openapi.json", "service-desc", OPENAPI, "API 定义 / OpenAPI"),
        _link(base + "/docs", "service-doc", "text/html", "API 文档 / API docs"),
        _link(str(request.url_for("ogc_conformance")), "conformance", title="符合性 / conformance"),
        _link(str(request.url_for("ogc_collections")), "data", title="图层 / collections"),
    ]
    return JSONResponse(
        {
            "title": "gridmap 企业社区网格化管理 — OGC API Features",
            "description": "园区、社区、网格、企业等图层 / parks, communities, grids, enterprises "
            "and the other layers of gridmap",
            "links": links,
        }
    )


@router.get("/conformance", name="ogc_conformance", dependencies=Metadata)
def conformance() -> JSONResponse:
    """The conformance classes implemented."""
    return JSONResponse({"conformsTo": CONFORMANCE})


@router.get("/collections", name="ogc_collections", dependencies=Metadata)
def collections(request: Request, session: SessionDep) -> JSONResponse:
    """Every served collection with its extent and CRS list."""
    found = [_describe(request, session, c) for c in features.COLLECTIONS.values()]
    self_link = _link(str(request.url_for("ogc_collections")), "self")
    return JSONResponse({"links": [self_link], "collections": found, "crs": list(CRS_LAT_FIRST)})


@router.get("/collections/{collection_id}", name="ogc_collection", dependencies=Metadata)
def collection(request: Request, session: SessionDep, collection_id: str) -> JSONResponse:
    """One collection: title, extent, item type, CRS list and links."""
    return JSONResponse(_describe(request, session, features.collection(collection_id)))


def _describe(request: Request, session: Session, coll: Collection) -> dict[str, Any]:
    box = features.extent(session, coll=coll) or (-180.0, -90.0, 180.0, 90.0)
    return {
        "id": coll.id,
        "title": coll.title,
        "description": coll.description,
        "itemType": "feature",
        "extent": {"spatial": {"bbox": [list(box)], "crs": CRS84}, "temporal": None},
        "crs": list(CRS_LAT_FIRST),
        "storageCrs": CRS84,
        "links": _collection_links(request, coll.id),
    }


def _collection_links(request: Request, cid: str) -> list[dict[str, str]]:
    def url(name: str) -> str:
        return str(request.url_for(name, collection_id=cid))

    return [
        _link(url("ogc_collection"), "self"),
        _link(url("ogc_items"), "items", GEOJSON, "要素 / features"),
        _link(url("ogc_queryables"), REL_QUERYABLES, SCHEMA_JSON, "可查询属性 / queryables"),
        _link(url("ogc_schema"), REL_SCHEMA, SCHEMA_JSON, "属性结构 / schema"),
    ]


@router.get(
    "/collections/{collection_id}/items",
    name="ogc_items",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "GeoJSON FeatureCollection"}},
)
def items(
    request: Request, session: SessionDep, collection_id: str, params: ItemParamsDep
) -> Response:
    """Features of a collection, paged, filtered by bbox, datetime and property values;
    grids and micro-grids as they were when day `at` (YYYY-MM-DD) ended."""
    coll = _as_of(request, features.collection(collection_id))
    page = features.items(session, coll=coll, query=params.query)
    body = _feature_collection(request, coll, page, params.query)
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{params.crs}>"})


def _as_of(request: Request, coll: Collection) -> Collection:
    """`coll`, or its past state when `?at=YYYY-MM-DD` is given (grids, micro-grids)."""
    day = request.query_params.get("at")
    if day is None:
        return coll
    return collection_at(coll, parse_day(day, request.app.state.settings.timezone))


def _feature_collection(
    request: Request, coll: Collection, page: FeaturePage, query: ItemQuery
) -> str:
    """The FeatureCollection text: the features (already GeoJSON) spliced in, not re-encoded."""
    head = {
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": len(page.features),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "links": _page_links(request, coll, page, query),
    }
    envelope = json.dumps(head, ensure_ascii=False)
    return f'{envelope[:-1]},"features":[{",".join(page.features)}]}}'


def _page_links(
    request: Request, coll: Collection, page: FeaturePage, query: ItemQuery
) -> list[dict[str, str]]:
    url = request.url
    links = [
        _link(str(url), "self", GEOJSON),
        _link(str(request.url_for("ogc_collection", collection_id=coll.id)), "collection"),
    ]
    if query.offset + len(page.features) < page.matched and page.features:
        following = url.include_query_params(offset=query.offset + query.limit, limit=query.limit)
        links.append(_link(str(following), "next", GEOJSON, "下一页 / next page"))
    if query.offset > 0:
        before = url.include_query_params(offset=max(0, query.offset - query.limit))
        links.append(_link(str(before), "prev", GEOJSON, "上一页 / previous page"))
    return links


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    name="ogc_item",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}, "description": "GeoJSON Feature"}},
)
def item(
    request: Request, session: SessionDep, collection_id: str, feature_id: str, crs: FeatureCrsDep
) -> Response:
    """One feature by id (a grid or micro-grid as it was on day `at`); 404 when the
    collection has none with that id."""
    coll = _as_of(request, features.collection(collection_id))
    lat_first = CRS_LAT_FIRST[crs]
    feature = json.loads(
        features.item(session, coll=coll, feature_id=feature_id, lat_first=lat_first)
    )
    feature["links"] = [
        _link(str(request.url), "self", GEOJSON),
        _link(str(request.url_for("ogc_collection", collection_id=coll.id)), "collection"),
    ]
    body = json.dumps(feature, ensure_ascii=False)
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{crs}>"})


@router.get("/collections/{collection_id}/queryables", name="ogc_queryables", dependencies=Metadata)
def queryables(request: Request, collection_id: str) -> JSONResponse:
    """The properties that can filter items (`?name=value`), as JSON Schema."""
    coll = features.collection(collection_id)
    body = {"$id": str(request.url), **features.schema(coll, queryables=True)}
    return JSONResponse(body, media_type=SCHEMA_JSON)


@router.get("/collections/{collection_id}/schema", name="ogc_schema", dependencies=Metadata)
def schema(request: Request, collection_id: str) -> JSONResponse:
    """Every feature property with its type and Chinese title, as JSON Schema."""
    coll = features.collection(collection_id)
    body = {"$id": str(request.url), **features.schema(coll)}
    return JSONResponse(body, media_type=SCHEMA_JSON)
