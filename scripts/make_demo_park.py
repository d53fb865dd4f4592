"""Generate the demo industrial park under data/layers/ (deterministic: same seed, same bytes).

A fictional 苏州工业园区示范园 east of Jinji Lake, Suzhou Industrial Park: 4 enterprise
communities, ~40 grids, ~400 micro-grids, ~3,000 enterprises, staff, six months of visits,
problems, key sites, roads, utility networks, parking and shelters. See data/layers/README.md.

Run::

    .venv/bin/python scripts/make_demo_park.py
    .venv/bin/python scripts/make_demo_park.py --out /tmp/layers --picture ''
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_park.checks import check_all  # noqa: E402
from demo_park.generate import generate  # noqa: E402
from demo_park.layers import files  # noqa: E402
from demo_park.output import write  # noqa: E402
from demo_park.readme import readme  # noqa: E402

MAX_BYTES = 20 * 1024 * 1024


def main(argv: list[str] | None = None) -> int:
    """Generate, write, check, summarise and (optionally) draw the park."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "layers")
    parser.add_argument("--picture", default=str(ROOT / "docs" / "img" / "demo-park.png"))
    args = parser.parse_args(argv)
    started = time.monotonic()
    demo = generate()
    texts = files(demo)
    counts, facts = check_all(demo, texts)  # before writing: nothing is written if one fails
    sizes = write(args.out, texts | {"README.md": readme(demo, texts, counts)})
    total = sum(sizes.values())
    assert total < MAX_BYTES, f"layers take {total} bytes, more than 20 MB"
    for name in sizes:
        rows = f"{counts[name]:>7} rows" if name in counts else " " * 12
        print(f"{name:28} {rows} {sizes[name] / 1024:>9.1f} KiB")
    print(f"{'total':28} {'':>12} {total / 1024 / 1024:>9.2f} MiB in {args.out}")
    for fact, value in facts.items():
        print(f"{fact}: {value}")
    if args.picture:
        from demo_park.picture import draw_park

        print(draw_park(demo, Path(args.picture)))
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
