"""Page texts in zh-CN (first) and English, and the choice of language per request."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends
from starlette.requests import Request

LANGS = ("zh-CN", "en")
LANG_COOKIE = "gridmap_lang"
_FOLDER = Path(__file__).parent


@cache
def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_FOLDER / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def text(lang: str, key: str) -> str:
    """The text of `key` in `lang`, falling back to Chinese, then to the key itself."""
    return _catalogue(lang).get(key) or _catalogue("zh-CN").get(key) or key


class Translator:
    """Callable bound to one language, handed to templates as `t`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGS else "zh-CN"

    def __call__(self, key: str) -> str:
        return text(self.lang, key)


def _normalise(value: str | None) -> str | None:
    if not value:
        return None
    lowered = value.strip().lower()
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh"):
        return "zh-CN"
    return None


def pick_lang(request: Request, default: str = "zh-CN") -> str:
    """`?lang=` first, then the language cookie, then the account's language, then the
    configured default."""
    principal = getattr(request.state, "principal", None)
    return (
        _normalise(request.query_params.get("lang"))
        or _normalise(request.cookies.get(LANG_COOKIE))
        or _normalise(getattr(principal, "lang", None))
        or default
    )


def request_translator(request: Request) -> Translator:
    """FastAPI dependency: the translator for this request's language."""
    settings = getattr(request.app.state, "settings", None)
    default = settings.default_lang if settings is not None else "zh-CN"
    return Translator(pick_lang(request, default))


LangDep = Annotated[Translator, Depends(request_translator)]


def when(moment: datetime | None, lang: str, zone: str = "Asia/Shanghai") -> str:
    """A time as people read it: 2026年11月28日 07:14 (zh-CN) or 2026-11-28 07:14 (en)."""
    if moment is None:
        return "—"
    local = moment.astimezone(ZoneInfo(zone)) if moment.tzinfo else moment
    if lang == "zh-CN":
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"
    return f"{local:%Y-%m-%d %H:%M:%S}"
