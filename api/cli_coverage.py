"""`gridmap coverage show` and `gridmap coverage close`: monthly visit coverage."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from api.cli_common import explained, load_settings, open_session, out
from geo.coverage import figures, months

MonthOpt = Annotated[str, typer.Option("--month", help="月份 YYYY-MM")]


def register(app: typer.Typer) -> None:
    """Add the coverage commands to the main CLI."""
    coverage_app = typer.Typer(help="Monthly visit coverage (走访覆盖率): show, close.")
    app.add_typer(coverage_app, name="coverage")

    @coverage_app.command("show")
    @explained
    def show(
        month: MonthOpt,
        level: Annotated[
            str, typer.Option(help="park | community | grid | microgrid | member")
        ] = "grid",
        community: Annotated[str | None, typer.Option(help="Community code")] = None,
        grid: Annotated[str | None, typer.Option(help="Grid code")] = None,
    ) -> None:
        """Coverage of a month per unit (an ended month is closed on this first read)."""
        with open_session(load_settings()) as session:
            first = months.parse_month(month)
            closed = months.ensure_closed(session, first)
            units = figures.units(session, first, level, community=community, grid=grid)
            session.commit()
        state = "已关闭 closed" if closed else "进行中 open"
        table = Table(title=f"走访覆盖率 coverage {months.month_name(first)} ({state})")
        for name in ("编码 code", "名称 name", "已走访 visited", "核验 verified",
                     "存疑 flagged", "企业 total", "%"):  # fmt: skip
            table.add_column(name)
        for u in units:
            percent = "—" if u.percent is None else f"{u.percent:.1f}"
            table.add_row(u.code, u.name, str(u.visited), str(u.verified), str(u.flagged),
                          str(u.total), percent)  # fmt: skip
        out.print(table)

    @coverage_app.command("close")
    @explained
    def close(month: MonthOpt) -> None:
        """Close a month that has ended: its figures are frozen."""
        with open_session(load_settings()) as session:
            first = months.parse_month(month)
            months.close_month(session, first, by=None)
            session.commit()
        out.print(f"{months.month_name(first)} 已关闭 / closed: figures frozen")
