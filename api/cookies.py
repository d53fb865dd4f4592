"""Signed cookies: the session cookie, the login form's CSRF pair, and the key that signs them.

A cookie value is `secret.signature` where the signature is HMAC-SHA256 of the secret under
the server key: a changed or invented cookie is refused before the database is asked.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from fastapi import Request, Response

from geo.settings import Settings

SESSION_COOKIE = "gridmap_session"
LOGIN_COOKIE = "gridmap_login"
LOGIN_COOKIE_SECONDS = 30 * 60


def server_key(settings: Settings) -> bytes:
    """The signing key: from the settings, else made once and kept in HOME/secret_key."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = settings.home_dir / "secret_key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, key)
    except BaseException:
        os.close(fd)
        Path(path).unlink(missing_ok=True)
        raise
    os.close(fd)
    return key


def _signature(key: bytes, value: str) -> str:
    mac = hmac.new(key, value.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def sign(key: bytes, value: str) -> str:
    """`value` with its signature appended."""
    return f"{value}.{_signature(key, value)}"


def unsign(key: bytes, signed: str | None) -> str | None:
    """The value of a signed string, or None when it is missing or its signature is wrong."""
    if not signed or "." not in signed:
        return None
    value, _, signature = signed.rpartition(".")
    if not value or not hmac.compare_digest(signature, _signature(key, value)):
        return None
    return value


def is_https(request: Request, settings: Settings) -> bool:
    """Whether cookies must be marked Secure for this request."""
    if settings.cookie_secure is not None:
        return settings.cookie_secure
    return request.url.scheme == "https"


def set_session_cookie(
    response: Response, request: Request, settings: Settings, key: bytes, secret: str
) -> None:
    """Give the browser its session: signed, HttpOnly, SameSite=Lax, Secure over HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        sign(key, secret),
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


def login_form_pair(key: bytes) -> tuple[str, str]:
    """A fresh (cookie nonce, form token) pair for the login form (double submit)."""
    nonce = secrets.token_urlsafe(24)
    return nonce, _signature(key, "login:" + nonce)


def set_login_cookie(response: Response, request: Request, settings: Settings, nonce: str) -> None:
    """The short-lived cookie the login form's token is checked against."""
    response.set_cookie(
        LOGIN_COOKIE,
        nonce,
        max_age=LOGIN_COOKIE_SECONDS,
        httponly=True,
        samesite="strict",
        secure=is_https(request, settings),
        path="/login",
    )


def login_form_token_ok(request: Request, key: bytes, token: str | None) -> bool:
    """Whether the login form's token matches the cookie it was issued with."""
    nonce = request.cookies.get(LOGIN_COOKIE)
    if not nonce or not token:
        return False
    return hmac.compare_digest(token, _signature(key, "login:" + nonce))
