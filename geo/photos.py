"""Visit photos on disk: type by magic bytes (JPEG, PNG, WebP), a size limit, random names.

A photo is stored as `<home>/photos/YYYY/MM/<random>.<ext>` (never the sender's file name) and
its path relative to `<home>` is kept in `visit.photo_path`. Only the visit's recorder or an
administrator may attach one.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from geo.errors import Forbidden, InvalidInput, NotFound, TooLarge
from geo.models import Visit

# kind → (extension, media type)
KINDS = {"jpeg": ("jpg", "image/jpeg"), "png": ("png", "image/png"), "webp": ("webp", "image/webp")}


def sniff(head: bytes) -> str | None:
    """The image kind from its first bytes, or None.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff(b"GIF89a")
    ('png', None)
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def check_photo(data: bytes, *, max_bytes: int) -> str:
    """The kind of an acceptable photo; a clear refusal otherwise."""
    if len(data) > max_bytes:
        raise TooLarge(
            f"照片超过 {max_bytes // (1024 * 1024)} MB 上限 (photo larger than the limit)",
            detail={"max_bytes": max_bytes, "size": len(data)},
        )
    kind = sniff(data[:16])
    if kind is None or not data:
        raise InvalidInput("照片须为 JPEG、PNG 或 WebP 图片 (photo must be JPEG, PNG or WebP)")
    return kind


def own_visit(
    session: Session, visit_id: int, *, user_id: int, is_admin: bool,
    scope: frozenset[int] | None,
) -> Visit:  # fmt: skip
    """The visit, when the caller recorded it (or is an administrator) within their grids."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"没有编号为 {visit_id} 的走访记录 (no visit {visit_id})")
    if not is_admin and visit.user_id != user_id:
        raise Forbidden(
            "只有记录该走访的人员可以上传照片 (only the visit's recorder may add a photo)"
        )
    return visit


def store_photo(visit: Visit, data: bytes, *, home: Path, max_bytes: int, now: datetime) -> str:
    """Write the photo under `home` and set `visit.photo_path`; the relative path."""
    kind = check_photo(data, max_bytes=max_bytes)
    relative = Path("photos", f"{now:%Y}", f"{now:%m}", f"{secrets.token_hex(16)}.{KINDS[kind][0]}")
    target = home / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_bytes(data)
    os.replace(partial, target)
    visit.photo_path = relative.as_posix()
    return visit.photo_path


def photo_file(session: Session, visit_id: int, *, home: Path) -> tuple[Path, str]:
    """The stored photo of a visit and its media type."""
    visit = session.get(Visit, visit_id)
    if visit is None:
        raise NotFound(f"没有编号为 {visit_id} 的走访记录 (no visit {visit_id})")
    if not visit.photo_path:
        raise NotFound(f"走访 {visit.id} 没有照片 (visit {visit.id} has no photo)")
    path = (home / visit.photo_path).resolve()
    if home.resolve() not in path.parents or not path.is_file():
        raise NotFound(f"走访 {visit.id} 的照片文件不存在 (photo file missing)")
    kind = sniff(path.open("rb").read(16)) or "jpeg"
    return path, KINDS[kind][1]
