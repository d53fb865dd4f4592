"""Attribute columns of an import: matching headers to fields, and converting values.

Converters work on whole columns (pandas) and return the converted column with the
reason for every value they refuse, keyed by the row's position in the file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.errors import InvalidInput
from geo.layers.report import both
from geo.layers.spec import Field, LayerSpec

Errors = dict[int, str]
TIMEZONE = "Asia/Shanghai"  # a time without a zone is Beijing time
TRUE_WORDS = {"是", "true", "t", "1", "y", "yes", "√", "✓", "单行", "在岗"}
FALSE_WORDS = {"否", "false", "f", "0", "n", "no", "×", "双向", "离岗"}
INDUSTRY_CLASS = re.compile(r"^([A-Ta-t])\d{0,4}$")


def normalise_header(header: str) -> str:
    """Headers compare without case, spaces, underscores or full-width brackets."""
    folded = header.strip().casefold()
    return re.sub(r"[\s_\-（）()]", "", folded)


def resolve_columns(
    spec: LayerSpec, headers: Iterable[str], mapping: dict[str, str]
) -> dict[str, str]:
    """Field name → the file header that holds it; `mapping` (header → field) wins."""
    known = {f.name for f in spec.all_fields()}
    for source, target in mapping.items():
        if target not in known:
            raise InvalidInput(
                f"--map {source}={target}: layer {spec.name} has no field '{target}' "
                f"(fields: {', '.join(sorted(known))})"
            )
    lookup: dict[str, str] = {}
    for fld in spec.all_fields():
        for header in fld.headers():
            lookup.setdefault(normalise_header(header), fld.name)
    resolved: dict[str, str] = {}
    for header in headers:
        found = mapping.get(header) or lookup.get(normalise_header(header))
        if found and found not in resolved:
            resolved[found] = header
    return resolved


def parse_mapping(pairs: Iterable[str], *, option: str = "--map") -> dict[str, str]:
    """`key=value` pairs (--map 表头=field, --where field=value) as a dict; malformed refused."""
    example = (
        "表头=field, e.g. 企业全称=name" if option == "--map" else "field=value, e.g. kind=base"
    )
    mapping: dict[str, str] = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or (option == "--map" and not target.strip()):
            raise InvalidInput(f"{option} '{pair}' must look like {example}")
        mapping[source.strip()] = target.strip()
    return mapping


def missing_required(spec: LayerSpec, resolved: dict[str, str]) -> list[Field]:
    """Required fields with no column in the file (a key derived from geometry is not needed)."""
    required = [f for f in spec.all_fields() if f.required]
    required += [ref.as_field() for ref in spec.refs if ref.required]
    return [
        f
        for f in required
        if f.name not in resolved and not (spec.key_from_geometry and f.name == spec.key)
    ]


def blank(value: Any) -> bool:
    """None, NaN, NaT and empty or whitespace-only text are blank."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def as_text(value: Any) -> str | None:
    """Text of a cell; spreadsheet numbers like 13800000000.0 lose their '.0'."""
    if blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def texts(column: pd.Series) -> list[str | None]:
    """`as_text` of every cell; columns of plain text (CSV) take a fast path."""
    values = column.tolist()
    if pd.api.types.infer_dtype(column, skipna=True) not in ("string", "empty"):
        return [as_text(v) for v in values]
    # str.strip in a comprehension: pandas' .str.strip maps a lambda per cell, ~10x slower
    return [(v.strip() or None) if isinstance(v, str) else None for v in values]


def _each(column: pd.Series, convert: Callable[[str], Any]) -> tuple[list[Any], Errors]:
    """Convert cell by cell, once per distinct text (vocabularies repeat a few values)."""
    seen: dict[str, tuple[Any, str | None]] = {}
    values: list[Any] = []
    errors: Errors = {}
    for position, text in enumerate(texts(column)):
        if text is None:
            values.append(None)
            continue
        if text not in seen:
            try:
                seen[text] = (convert(text), None)
            except ValueError as exc:
                seen[text] = (None, str(exc))
        value, error = seen[text]
        values.append(value)
        if error is not None:
            errors[position] = error
    return values, errors


def _number(fld: Field, integer: bool) -> Callable[[str], Any]:
    what, what_zh = ("a whole number", "整数") if integer else ("a number", "数字")
    minimum = fld.minimum
    name = fld.label or fld.name

    def not_a(text: str) -> ValueError:
        words = both(f"{name}：'{text}' 不是{what_zh}", f"{name}: '{text}' is not {what}")
        return ValueError(words)

    def convert(text: str) -> Any:
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            raise not_a(text) from None
        if not math.isfinite(number) or (integer and not number.is_integer()):
            raise not_a(text)
        if minimum is not None and number < minimum:
            raise ValueError(
                both(
                    f"{name}：{text} 小于最小值 {minimum:g}",
                    f"{name}: {text} is below the minimum {minimum:g}",
                )
            )
        return int(number) if integer else number

    return convert


def _boolean(fld: Field) -> Callable[[str], bool]:
    def convert(text: str) -> bool:
        folded = text.casefold()
        if folded in TRUE_WORDS:
            return True
        if folded in FALSE_WORDS:
            return False
        name = fld.label or fld.name
        raise ValueError(both(f"{name}：'{text}' 不是 是/否", f"{name}: '{text}' is not yes/no"))

    return convert


def _vocabulary(fld: Field) -> Callable[[str], str]:
    vocabulary = fld.vocabulary or {}
    lookup = {code.casefold(): code for code in vocabulary}
    for code, (zh, en) in vocabulary.items():
        lookup.setdefault(zh.casefold(), code)
        lookup.setdefault(en.casefold(), code)
    is_industry = "C" in vocabulary and "manufacturing" in vocabulary["C"][1].casefold()

    def convert(text: str) -> str:
        found = lookup.get(text.casefold())
        if found is None and is_industry and (match := INDUSTRY_CLASS.match(text)):
            found = match.group(1).upper()  # a GB/T 4754 class code such as C3670
        if found is None:
            allowed = "、".join(f"{code}（{zh}）" for code, (zh, _) in vocabulary.items())
            name = fld.label or fld.name
            raise ValueError(
                both(
                    f"{name}：未知的值 '{text}'（可用：{allowed}）",
                    f"{name}: unknown value '{text}' (allowed: {allowed})",
                )
            )
        return found

    return convert


def _json_object(fld: Field) -> Callable[[str], dict[str, Any]]:
    def convert(text: str) -> dict[str, Any]:
        name = fld.label or fld.name
        not_json = both(f"{name}：不是 JSON 对象", f"{name}: not a JSON object")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(not_json) from None
        if not isinstance(value, dict):
            raise ValueError(not_json)
        return value

    return convert


def _times(fld: Field, column: pd.Series, dates: bool) -> tuple[list[Any], Errors]:
    texts = [as_text(v) if not hasattr(v, "year") else v for v in column.tolist()]
    parsed = pd.to_datetime(pd.Series(texts, dtype=object), errors="coerce", format="mixed")
    errors: Errors = {
        i: both(
            f"{fld.label or fld.name}：'{texts[i]}' 不是日期",
            f"{fld.label or fld.name}: '{texts[i]}' is not a date",
        )
        for i in range(len(texts))
        if texts[i] is not None and pd.isna(parsed.iloc[i])
    }
    if dates:
        return [None if pd.isna(v) else v.date() for v in parsed], errors
    values: list[Any] = []
    for value in parsed:
        if pd.isna(value):
            values.append(None)
        else:
            stamp = pd.Timestamp(value)
            stamp = stamp.tz_localize(TIMEZONE) if stamp.tzinfo is None else stamp
            values.append(stamp.to_pydatetime())
    return values, errors


NUMBER_KINDS = {"integer", "floating", "mixed-integer-float"}  # pandas.api.types.infer_dtype


def parse_numbers(column: pd.Series) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The cells as floats (NaN where not a number) and where a value is given (not blank).

    Cells that are numbers already (vector attributes, spreadsheets) are taken as they are;
    text is stripped and parsed by pandas, all at once. Either way a cell gives the number its
    text (`as_text`) gives.
    """
    if column.dtype.kind in "iuf" or pd.api.types.infer_dtype(column, skipna=True) in NUMBER_KINDS:
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return numbers, ~np.isnan(numbers)
    cells = texts(column)
    parsed = _floats(cells)
    if parsed is None:
        parsed = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(float)
    return parsed, np.array([t is not None for t in cells], dtype=bool)


def _floats(cells: list[str | None]) -> np.ndarray[Any, Any] | None:
    """Stripped text cells as floats (NaN where blank) when every one is a number to Arrow's
    parser (C++, correctly rounded, ~10x pandas' on a CSV's text), else None."""
    try:
        parsed = pc.cast(pa.array(cells, type=pa.string()), pa.float64())
    except pa.ArrowInvalid:
        return None
    return np.asarray(parsed.to_numpy(zero_copy_only=False), dtype=float)


def _numbers(
    fld: Field, column: pd.Series, convert: Callable[[str], Any]
) -> tuple[list[Any], Errors]:
    """Numbers parsed by pandas at once; the converter (with its words) sees only misfits."""
    parsed, given = parse_numbers(column)
    whole = np.isfinite(parsed) & ((parsed == np.round(parsed)) | (fld.kind == "float"))
    low = fld.minimum if fld.minimum is not None else -np.inf
    fine = given & whole & (parsed >= low)
    if fld.kind == "int":  # beyond int64 numpy cannot cast: the converter explains those
        fine &= np.abs(np.where(fine, parsed, 0)) < 2.0**63
    # Python ints or floats from numpy at once, None where no number was given or fits
    kept = np.where(fine, parsed, 0)
    values: list[Any] = (kept.astype(np.int64) if fld.kind == "int" else kept).tolist()
    for i in np.flatnonzero(~fine):
        values[i] = None
    errors: Errors = {}
    for i in np.flatnonzero(given & ~fine):
        try:
            values[i] = convert(as_text(column.iloc[i]) or "")
        except ValueError as exc:
            errors[int(i)] = str(exc)
    return values, errors


def convert_column(fld: Field, column: pd.Series) -> tuple[list[Any], Errors]:
    """Convert one column to the field's type; refused values become None with a reason."""
    if fld.kind in ("date", "datetime"):
        return _times(fld, column, fld.kind == "date")
    if fld.kind == "json" and column.map(lambda v: isinstance(v, dict)).any():
        return [v if isinstance(v, dict) else None for v in column.tolist()], {}
    converters: dict[str, Callable[[str], Any]] = {
        "int": _number(fld, integer=True),
        "float": _number(fld, integer=False),
        "bool": _boolean(fld),
        "vocab": _vocabulary(fld),
        "json": _json_object(fld),
    }
    if fld.kind in ("int", "float"):
        values, errors = _numbers(fld, column, converters[fld.kind])
    elif fld.kind in ("text", "wkt"):
        values, errors = texts(column), {}
    else:
        values, errors = _each(column, converters[fld.kind])
    if fld.max_len is not None and _longest(values) > fld.max_len:
        for position, value in enumerate(values):
            if isinstance(value, str) and len(value) > fld.max_len:
                errors[position] = both(
                    f"{fld.label or fld.name}：超过 {fld.max_len} 个字符",
                    f"{fld.label or fld.name}: longer than {fld.max_len} characters",
                )
    return values, errors


def _longest(values: list[Any]) -> int:
    try:  # text fields hold str or None: len in C over the non-empty ones
        return max(map(len, filter(None, values)), default=0)
    except TypeError:  # something else without a length: the slow way
        return max((len(v) for v in values if isinstance(v, str)), default=0)
