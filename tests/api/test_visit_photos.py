"""Visit photos: only images (by their bytes), a size limit, the recorder's own grids."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_session
from tests.geo.catalog_fixtures import G1, G3, build_world
from tests.logins import add_login

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 100
WEBP = b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 100


@pytest.fixture
def home(tmp_path):
    return tmp_path


@pytest.fixture
def photo_client(test_settings, db, home):  # type: ignore[no-untyped-def]
    settings = test_settings.model_copy(update={"home": home, "max_photo_mb": 1})
    application = create_app(settings)
    application.dependency_overrides[get_session] = lambda: db
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


def _files(data: bytes, name: str = "x.jpg") -> dict:
    return {"file": (name, io.BytesIO(data), "application/octet-stream")}


def _photos(home) -> list:
    return sorted(p for p in home.rglob("*") if p.is_file() and "photos" in p.parts)


def _visit(client, member, uscc: str) -> int:
    answer = client.post("/api/visits", json={"uscc": uscc}, headers=member.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


@pytest.mark.parametrize(("data", "ext"), [(PNG, "png"), (JPEG, "jpg"), (WEBP, "webp")])
def test_a_photo_is_stored_under_a_random_name_and_served(photo_client, db, home, data, ext):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    visit = _visit(photo_client, member, world.uscc["e1"])
    answer = photo_client.post(f"/api/visits/{visit}/photo", files=_files(data, "../../evil.gif"),
                               headers=member.headers)  # fmt: skip
    assert answer.status_code == 201, answer.text
    [stored] = _photos(home)
    assert stored.suffix == f".{ext}" and "evil" not in stored.name
    assert stored.relative_to(home).parts[:1] == ("photos",) and len(stored.stem) == 32
    viewer = add_login(db, "viewer")
    served = photo_client.get(f"/api/visits/{visit}/photo", headers=viewer.headers)
    assert served.status_code == 200 and served.content == data


@pytest.mark.parametrize(
    ("data", "status"),
    [(b"GIF89a" + b"\0" * 10, 422), (b"<svg></svg>", 422), (b"", 422),
     (b"\xff\xd8\xff" + b"\0" * (1024 * 1024), 413)],
)  # fmt: skip
def test_other_types_and_oversized_photos_are_refused_and_nothing_is_written(
    photo_client, db, home, data, status
):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    visit = _visit(photo_client, member, world.uscc["e1"])
    answer = photo_client.post(f"/api/visits/{visit}/photo", files=_files(data, "photo.png"),
                               headers=member.headers)  # fmt: skip
    assert answer.status_code == status and answer.json()["message"]
    assert _photos(home) == []


def test_only_the_recorder_in_their_grids_or_an_admin_adds_a_photo(photo_client, db, home):
    world = build_world(db)
    member = add_login(db, "grid_member", grids=[G1])
    other = add_login(db, "grid_member", grids=[G1])
    far = add_login(db, "grid_member", grids=[G3])
    admin = add_login(db, "admin")
    visit = _visit(photo_client, member, world.uscc["e1"])
    path = f"/api/visits/{visit}/photo"
    assert photo_client.post(path, files=_files(PNG), headers=other.headers).status_code == 403
    assert photo_client.post(path, files=_files(PNG), headers=far.headers).status_code == 403
    assert _photos(home) == []
    assert photo_client.post(path, files=_files(PNG), headers=admin.headers).status_code == 201
    assert photo_client.get("/api/visits/999999/photo", headers=admin.headers).status_code == 404
