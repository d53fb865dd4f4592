"""Per-stage wall clock of gridmap's import, for the benchmark only.

`timed()` wraps the import's stage functions (looked up through their modules at call time)
with timers for the duration of a block; nothing in `geo/` knows about it. Stages nest, and
each counts only its own time: the index rebuilds
inside `write` and inside `insert + cluster fill` (the clusters' key), and `insert + cluster
fill` (the enterprise INSERT and its clusters, one statement) inside `write`; a chunked
first load (stream.py) has its own stages: `copy text`, `wait for writer`, `cluster fill`.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from geo.layers import bulk, load, readers, stage, stream, validate

# (label, module, function name); a stage's time excludes the stages it calls
STAGES: list[tuple[str, ModuleType, str]] = [
    ("read", readers, "read_source"),
    ("validate", validate, "prepare"),
    ("stage (COPY)", stage, "create"),  # the COPY text is built while it streams
    ("assign", load, "_assign"),
    ("index rebuild", bulk, "rebuild"),
    ("insert + cluster fill", load, "_fill_clusters"),
    ("write", load, "_write"),
    # a big first load, chunk by chunk (stream.py): the COPY text built and handed over, the
    # wait for the writer thread after the last chunk, the clusters filled at the end
    ("copy text", stream, "_validate_and_write"),
    ("wait for writer", stream._Writer, "finish"),  # type: ignore[list-item]
    ("cluster fill", load, "fill_clusters"),
]


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Seconds per stage of the imports run inside the block (summed over calls)."""
    spent: dict[str, float] = defaultdict(float)
    saved: list[tuple[ModuleType, str, Callable[..., Any]]] = []
    inner: list[float] = []  # per open stage, the seconds of the stages it called

    def wrap(label: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timer(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            inner.append(0.0)
            try:
                return original(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - start
                spent[label] += elapsed - inner.pop()
                if inner:
                    inner[-1] += elapsed

        return timer

    for label, module, name in STAGES:
        if hasattr(module, name):
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, wrap(label, getattr(module, name)))
    try:
        yield spent
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per stage (and `total`), the median seconds over the runs."""
    return {key: statistics.median(run.get(key, 0.0) for run in runs) for key in runs[0]}


def line(spent: dict[str, float]) -> str:
    """`read 0.61 · validate 0.80 · … · other 0.12` for one import (`total` included)."""
    parts = [f"{label} {spent[label]:.2f}" for label, *_ in STAGES if label in spent]
    other = spent["total"] - sum(v for k, v in spent.items() if k != "total")
    return " · ".join([*parts, f"commit+other {other:.2f}"])
