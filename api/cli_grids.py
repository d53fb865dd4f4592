"""`gridmap check`, `gridmap assign` and `gridmap codes`: the grid hierarchy's upkeep."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from api.cli_common import err, explained, load_settings, open_session, out
from geo import assignment, codes
from geo.catalog import community_id
from geo.hierarchy import check_hierarchy

CommunityOpt = Annotated[
    str | None, typer.Option("--community", help="Community code (12 digits); default: all")
]


def _community_ids(session: Session, community: str | None) -> list[int] | None:
    return None if community is None else [community_id(session, code=community)]


def register(app: typer.Typer) -> None:
    """Add the hierarchy commands to the main CLI."""

    @app.command("check")
    @explained
    def check(community: CommunityOpt = None) -> None:
        """Check the hierarchy rules: grids partition communities, micro-grids nest, …"""
        with open_session(load_settings()) as session:
            violations = check_hierarchy(session, community_ids=_community_ids(session, community))
        if not violations:
            out.print("网格层级检查通过 / hierarchy OK: no overlap, gap or overhang")
            return
        table = Table(title=f"{len(violations)} 处问题 / violations")
        for name in ("类型 kind", "编码 code", "相关 other", "面积 m²"):
            table.add_column(name)
        for v in violations:
            table.add_row(
                v.describe().split(":")[0], v.code, v.other_code or "", f"{v.area_m2:,.2f}"
            )
        out.print(table)
        raise typer.Exit(1)

    @app.command("assign")
    @explained
    def assign() -> None:
        """Assign every enterprise to the grid and micro-grid covering it; list orphans."""
        with open_session(load_settings()) as session:
            with err.status("assigning enterprises…"):
                result = assignment.assign_all(session)
            session.commit()
        out.print(
            f"{result.assigned} enterprise(s) assigned to a grid, {result.orphans} orphan(s) "
            f"outside every grid, {result.changed} changed"
        )

    @app.command("orphans")
    @explained
    def orphans_command(
        limit: Annotated[int, typer.Option(min=1, help="How many to list")] = 100,
    ) -> None:
        """List the enterprises outside every grid (orphans), for planners to place."""
        with open_session(load_settings()) as session:
            total = assignment.count_orphans(session)
            rows = assignment.orphans(session, limit=limit)
        table = Table(title=f"{total} 家企业不在任何网格内 / orphan enterprise(s)")
        for name in ("统一社会信用代码 USCC", "企业名称 name", "经度 lon", "纬度 lat"):
            table.add_column(name)
        for row in rows:
            table.add_row(row.uscc, row.name, f"{row.lon:.6f}", f"{row.lat:.6f}")
        out.print(table)

    @app.command("codes")
    @explained
    def codes_command(
        community: Annotated[str, typer.Option("--community", help="Community code (12 digits)")],
        renumber: Annotated[
            bool, typer.Option("--renumber", help="Renumber by position, recording lineage")
        ] = False,
    ) -> None:
        """Show grid codes against reading order (west→east, north→south); renumber on request."""
        with open_session(load_settings()) as session:
            if renumber:
                changes = codes.renumber(session, community_code=community)
                session.commit()
                for change in changes:
                    out.print(f"{change.layer}: {change.old} → {change.new}")
                out.print(f"{len(changes)} code(s) changed, lineage recorded")
                return
            plan = codes.planned_order(session, community)
        wrong = [(current, wanted) for current, wanted in plan if current != wanted]
        for current, wanted in plan:
            mark = "" if current == wanted else f"  → {wanted}"
            out.print(f"{current}{mark}")
        out.print(
            f"{len(wrong)} of {len(plan)} grid code(s) out of reading order"
            + ("; `gridmap codes --renumber` renumbers them" if wrong else "")
        )
