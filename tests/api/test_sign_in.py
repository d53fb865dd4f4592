"""Signing in: passwords, session cookies, expiry, tampering, CSRF, rate limits, tokens."""

from __future__ import annotations

import re

from sqlalchemy import func, select, text, update

from api.cookies import SESSION_COOKIE
from geo.models import ApiToken, LoginAttempt, UserSession
from geo.sessions import MAX_FAILURES_PER_USER, digest
from tests.geo.catalog_fixtures import build_world
from tests.logins import add_login


def _login(anon, login, password=None):
    return anon.post(
        "/api/auth/login",
        json={"username": login.username, "password": password or login.password},
    )


def test_login_sets_a_signed_http_only_same_site_cookie(anon, db):
    login = add_login(db, "planner")
    response = _login(anon, login)
    assert response.status_code == 200
    assert response.json()["role"] == "planner" and response.json()["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    secret = re.match(rf"{SESSION_COOKIE}=([^;]+)", cookie).group(1).split(".")[0]
    # only the hash of the session id is stored
    assert db.scalar(select(func.count()).where(UserSession.id_hash == secret)) == 0
    assert db.scalar(select(func.count()).where(UserSession.id_hash == digest(secret))) == 1
    me = anon.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["username"] == login.username


def test_wrong_password_and_unknown_user_get_the_same_401(anon, db):
    login = add_login(db, "viewer")
    wrong = _login(anon, login, "not-the-password")
    nobody = anon.post("/api/auth/login", json={"username": "nobody", "password": "x" * 9})
    assert wrong.status_code == nobody.status_code == 401
    assert wrong.json()["message"] == nobody.json()["message"]
    assert "用户名或密码错误" in wrong.json()["message"]
    assert wrong.headers["www-authenticate"].startswith("Bearer")


def test_login_is_rate_limited_per_user_then_per_address(anon, db):
    login = add_login(db, "viewer")
    for _ in range(MAX_FAILURES_PER_USER):
        assert _login(anon, login, "guess-wrong").status_code == 401
    blocked = _login(anon, login)  # even the right password waits now
    assert blocked.status_code == 429
    assert "15 分钟" in blocked.json()["message"]
    other = add_login(db, "viewer")
    db.add_all(LoginAttempt(username=f"u{i}", address="testclient", ok=False) for i in range(20))
    db.flush()
    assert _login(anon, other).status_code == 429  # the address is blocked too


def test_a_tampered_or_invented_cookie_is_refused(anon, db):
    login = add_login(db, "viewer")
    assert _login(anon, login).status_code == 200
    value = anon.cookies[SESSION_COOKIE]
    secret, signature = value.rsplit(".", 1)
    for forged in (
        f"{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}.{signature}",
        f"{secret}.{signature[:-2]}xx",
        "invented",
    ):
        anon.cookies.clear()
        anon.cookies.set(SESSION_COOKIE, forged)
        assert anon.get("/api/auth/me").status_code == 401
        page = anon.get("/", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/"


def test_expired_and_idle_sessions_end(anon, db):
    login = add_login(db, "viewer")
    assert _login(anon, login).status_code == 200
    assert anon.get("/api/auth/me").status_code == 200
    db.execute(update(UserSession).values(expires_at=func.now() - text("interval '1 second'")))
    anon.app.state.auth.forget()
    assert anon.get("/api/auth/me").status_code == 401
    anon.cookies.clear()
    assert _login(anon, login).status_code == 200
    db.execute(update(UserSession).values(last_seen_at=func.now() - text("interval '3 hours'")))
    anon.app.state.auth.forget()
    assert anon.get("/api/auth/me").status_code == 401


def test_cookie_writes_need_the_csrf_token(anon, db):
    login = add_login(db, "viewer")
    csrf = _login(anon, login).json()["csrf_token"]
    body = {"name": "脚本"}
    assert anon.post("/api/tokens", json=body).status_code == 403
    assert (
        anon.post("/api/tokens", json=body, headers={"X-CSRF-Token": "x" * 32}).status_code == 403
    )
    assert anon.post("/api/tokens", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201


def test_a_cross_site_form_post_without_the_token_is_refused(anon, db):
    """What a hostile page can send: a form post carrying the cookie but not the token."""
    login = add_login(db, "admin")
    csrf = _login(anon, login).json()["csrf_token"]
    hostile = anon.post(
        "/admin/users",
        data={"username": "intruder", "role": "admin", "password": "intruder-pass-1"},
        headers={"Origin": "https://evil.example", "Referer": "https://evil.example/x"},
        follow_redirects=False,
    )
    assert hostile.status_code == 403
    assert "CSRF" in hostile.json()["message"]
    own = anon.post(
        "/admin/users",
        data={
            "username": "colleague",
            "role": "viewer",
            "password": "colleague-1",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert own.status_code == 303
    names = [u["username"] for u in anon.get("/api/users").json()]
    assert "colleague" in names and "intruder" not in names


def test_tokens_are_shown_once_stored_hashed_and_revocable(client, db):
    created = client.post("/api/tokens", json={"name": "QGIS", "days": 30})
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("gm_") and created.json()["prefix"] == token[:10]
    assert db.scalar(select(func.count()).where(ApiToken.token_hash == token)) == 0
    listed = client.get("/api/tokens").json()
    assert all("token" not in item for item in listed)
    as_token = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/auth/me", headers=as_token).json()["via"] == "token"
    assert client.delete(f"/api/tokens/{created.json()['id']}").status_code == 204
    assert client.get("/api/auth/me", headers=as_token).status_code == 401
    bad = client.get("/api/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert bad.status_code == 401 and "Bearer" in bad.json()["message"]


def test_disabling_an_account_stops_its_sessions_and_tokens_at_once(client, anon, db):
    build_world(db)
    login = add_login(db, "grid_member")
    assert _login(anon, login).status_code == 200
    assert anon.get("/api/auth/me").status_code == 200
    assert client.get("/api/auth/me", headers=login.headers).status_code == 200
    changed = client.patch(f"/api/users/{login.user_id}", json={"disabled": True})
    assert changed.status_code == 200 and changed.json()["disabled"] is True
    assert anon.get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me", headers=login.headers).status_code == 401
    assert _login(anon, login).status_code == 401


def test_changing_the_password_ends_other_sessions(anon, db):
    from fastapi.testclient import TestClient

    login = add_login(db, "viewer")
    with TestClient(anon.app) as other_browser:
        assert _login(other_browser, login).status_code == 200
        csrf = _login(anon, login).json()["csrf_token"]
        changed = anon.post(
            "/api/auth/password",
            json={"current_password": login.password, "new_password": "brand-new-pass-1"},
            headers={"X-CSRF-Token": csrf},
        )
        assert changed.status_code == 204
        assert anon.get("/api/auth/me").status_code == 200  # this browser got a new session
        assert other_browser.get("/api/auth/me").status_code == 401
    assert _login(anon, login, "brand-new-pass-1").status_code == 200


def test_an_administrator_cannot_lock_everyone_out(client, admin):
    me = client.patch(f"/api/users/{admin.user_id}", json={"disabled": True})
    assert me.status_code == 409 and "自己" in me.json()["message"]


def test_browsers_get_error_pages_and_scripts_get_json(client, db):
    viewer = add_login(db, "viewer")
    html = {"Accept": "text/html,application/xhtml+xml", **viewer.headers}
    forbidden = client.get("/admin/users", headers=html)
    assert forbidden.status_code == 403 and forbidden.headers["content-type"].startswith(
        "text/html"
    )
    assert "当前账号无权访问此页面" in forbidden.text and "<title>出错了" in forbidden.text
    missing = client.get("/no-such-page", headers=html)
    assert missing.status_code == 404 and "页面不存在" in missing.text
    bad = client.get("/enterprises?page=abc&lang=en", headers=html)
    assert bad.status_code == 422 and "page" in bad.text and "Something went wrong" in bad.text
    data = client.get("/api/users", headers=html)
    assert data.status_code == 403 and data.json()["error"] == "forbidden"
    assert client.get("/admin/users", headers=viewer.headers).json()["error"] == "forbidden"


def test_every_answer_carries_the_security_headers(client, anon):
    for response in (client.get("/"), anon.get("/login"), client.get("/api/grids")):
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"


def test_logging_in_clears_ended_sessions_and_old_attempts(anon, db):
    login = add_login(db, "viewer")
    assert _login(anon, login).status_code == 200
    db.execute(update(UserSession).values(expires_at=func.now() - text("interval '1 minute'")))
    db.add(
        LoginAttempt(
            username="old", address="x", ok=False, at=func.now() - text("interval '2 days'")
        )
    )
    db.flush()
    anon.cookies.clear()
    assert _login(anon, login).status_code == 200
    assert db.scalar(select(func.count()).select_from(UserSession)) == 1
    assert db.scalar(select(func.count()).where(LoginAttempt.username == "old")) == 0
