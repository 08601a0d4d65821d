"""The win-win value-added statement rendered: a rich table, CSV, JSON and a chart.

The model (:mod:`rdh_chain.statements`) keeps fen; RMB appears only here.

JSON (:func:`statement_json`), amounts in fen under keys ending in ``_fen`` as the CLI's
other JSON does::

    {"emc", "name", "title", "as_of_block", "positions_block", "settled_periods",
     "dissolved_in", "selection": {"from_period", "to_period"},
     "terms": {"target_users", "target_revenue_fen", "sharing_space_fen"},
     "periods": [{"period", "version_id", "block_number", "block_time", "transaction_hash",
                  "user_resources", "platform_value", "revenues", "costs", "marginal_gains",
                  "earned_fen": {address: fen}, "sharing_space_earned_fen",
                  "target_reached"}],
     "cumulative": {"periods", "last_period", "user_resources", "platform_value",
                    "revenues", "costs", "marginal_gains", "target_reached_in"},
                    (its marginal_gains also count "per_unit_rose", "per_unit_held" and
                    "per_unit_fell": the periods shown whose profit per unit did so)
     "resource_providers": [{"account", "name", "kind",
                             "shares": [{"version_id", "class", "bps"}],
                             "earned_fen", "earned_value_added_fen", "paid_fen",
                             "paid_value_added_fen", "claimable_fen", "locked_fen"}],
     "versions": [{"version_id", "from_period", "value_added_bps", "signers",
                   "document_hash", "block_number"}],
     "sharing_space": {"space_fen", "earned_fen", "paid_fen", "left_fen", "owed_fen",
                       "filled_in", "unlocked_in", "released_fen"}}

where ``user_resources`` is ``{"users", "users_to_date", "target_users"}``,
``platform_value`` ``{"revenue_fen", "revenue_to_date_fen", "target_revenue_fen"}``,
``revenues`` ``{"revenue_fen"}``, ``costs`` ``{"cost_fen", "profit_fen", "loss_fen",
"reporter", "attested_by", "document_hash"}`` and ``marginal_gains`` ``{"units",
"profit_fen", "profit_per_unit_fen", "profit_per_unit", "change_fen", "change",
"change_ratio"}``: ``profit_per_unit_fen`` and ``change_fen`` are decimal strings rounded to
1/10,000 fen, ``profit_per_unit`` and ``change`` the exact ``[numerator, denominator]``
(fen), ``change_ratio`` a decimal string (0.125 is a rise of 12.5%); each None when unknown.

CSV (:func:`statement_csv`) is long: one figure a row, ``element, period, account, name,
metric, value``, ``period`` being a number or ``all`` (cumulative), ``value`` an integer (fen,
users, units, bps), a decimal string or an address, so a spreadsheet pivots it and a script
reads it back exactly.

Charts (:func:`statement_chart`) are drawn with matplotlib's Agg and SVG backends through a
:class:`~matplotlib.figure.Figure` (no pyplot state); SVG output is deterministic (a fixed
hash salt, no date).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

from eth_typing import ChecksumAddress

from rdh_chain.statements import (
    MarginalGain,
    PlatformValue,
    Report,
    Statement,
    UserResources,
)
from rdh_chain.types import ShareClass
from rdh_chain.validation import format_amount

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CLASS_NAMES",
    "CSV_HEADER",
    "ChartFormat",
    "decimal_text",
    "percent_text",
    "rmb_fraction",
    "statement_chart",
    "statement_csv",
    "statement_json",
    "statement_json_text",
    "statement_table",
]

ChartFormat = Literal["png", "svg"]

# The CLI's spelling of the share classes (rdh_chain.cli.output.SHARE_CLASS_NAMES).
CLASS_NAMES: Mapping[ShareClass, str] = {
    ShareClass.PARTNER: "partner",
    ShareClass.OPERATING: "operating",
    ShareClass.VALUE_ADDED: "value-added",
    ShareClass.DEV_FUND: "dev-fund",
}
# Short class names for the table's share cells.
_SHORT: Mapping[ShareClass, str] = {
    ShareClass.PARTNER: "partner",
    ShareClass.OPERATING: "operating",
    ShareClass.VALUE_ADDED: "value-added",
    ShareClass.DEV_FUND: "fund",
}
_QUANTUM = Decimal("0.0001")
_SVG_SALT = "rdh-chain statement"


# -- numbers ---------------------------------------------------------------------------


def _decimal(value: Fraction, quantum: Decimal = _QUANTUM) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(quantum, rounding=ROUND_HALF_EVEN)


def decimal_text(value: Fraction | None, places: int = 4) -> str | None:
    """A fraction as a decimal string rounded (half to even) to ``places`` decimals."""
    if value is None:
        return None
    return str(_decimal(value, Decimal(1).scaleb(-places)))


def rmb_fraction(fen: Fraction | None) -> str:
    """Fen (exact) as RMB with two to four decimals: 4825.5 fen is ``48.255``."""
    if fen is None:
        return "-"
    text = f"{_decimal(fen / 100):,.4f}"
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0").ljust(2, "0")
    return f"{whole}.{decimals}"


def percent_text(value: Fraction | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    number = _decimal(value * 100, Decimal("0.01"))
    return f"{number:+.2f}%" if signed else f"{number:.2f}%"


def _pair(value: Fraction | None) -> list[int] | None:
    return None if value is None else [value.numerator, value.denominator]


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


# -- JSON ------------------------------------------------------------------------------


def _users_json(u: UserResources) -> dict[str, Any]:
    return {"users": u.users, "users_to_date": u.to_date, "target_users": u.target}


def _platform_json(p: PlatformValue) -> dict[str, Any]:
    return {
        "revenue_fen": p.revenue,
        "revenue_to_date_fen": p.to_date,
        "target_revenue_fen": p.target,
    }


def _costs_json(r: Report) -> dict[str, Any]:
    return {
        "cost_fen": r.cost,
        "profit_fen": r.profit,
        "loss_fen": r.loss,
        "reporter": r.reporter,
        "attested_by": r.auditor,
        "document_hash": None if r.reporter is None else _hex(r.document_hash),
    }


def _gain_json(g: MarginalGain) -> dict[str, Any]:
    return {
        "units": g.units,
        "profit_fen": g.profit,
        "profit_per_unit_fen": decimal_text(g.per_unit),
        "profit_per_unit": _pair(g.per_unit),
        "change_fen": decimal_text(g.change),
        "change": _pair(g.change),
        "change_ratio": decimal_text(g.change_ratio, 6),
    }


def statement_json(statement: Statement) -> dict[str, Any]:
    """The statement as JSON-ready data (the shape is in this module's docstring)."""
    s = statement
    return {
        "emc": s.emc,
        "name": s.name,
        "title": s.title,
        "as_of_block": s.as_of_block,
        "positions_block": s.positions_block,
        "settled_periods": s.settled_periods,
        "dissolved_in": s.dissolved_in,
        "selection": {"from_period": s.first_period, "to_period": s.last_period},
        "terms": {
            "target_users": s.terms.target_users,
            "target_revenue_fen": s.terms.target_revenue,
            "sharing_space_fen": s.terms.sharing_space,
        },
        "periods": [
            {
                "period": p.period,
                "version_id": p.version_id,
                "block_number": p.block_number,
                "block_time": p.block_timestamp,
                "transaction_hash": _hex(p.transaction_hash),
                "user_resources": _users_json(p.user_resources),
                "platform_value": _platform_json(p.platform_value),
                "revenues": {"revenue_fen": p.report.revenue},
                "costs": _costs_json(p.report),
                "marginal_gains": _gain_json(p.marginal_gain),
                "earned_fen": dict(p.earned),
                "sharing_space_earned_fen": p.pool_earned,
                "target_reached": p.target_reached,
            }
            for p in s.periods
        ],
        "cumulative": {
            "periods": s.cumulative.periods,
            "last_period": s.cumulative.last_period,
            "user_resources": _users_json(s.cumulative.user_resources),
            "platform_value": _platform_json(s.cumulative.platform_value),
            "revenues": {"revenue_fen": s.cumulative.report.revenue},
            "costs": _costs_json(s.cumulative.report),
            "marginal_gains": {
                **_gain_json(s.cumulative.marginal_gain),
                "per_unit_rose": s.per_unit_trend[0],
                "per_unit_held": s.per_unit_trend[1],
                "per_unit_fell": s.per_unit_trend[2],
            },
            "target_reached_in": s.cumulative.target_reached_in,
        },
        "resource_providers": [
            {
                "account": r.account,
                "name": r.name,
                "kind": r.kind,
                "shares": [
                    {
                        "version_id": sh.version_id,
                        "class": CLASS_NAMES[sh.share_class],
                        "bps": sh.bps,
                    }
                    for sh in r.shares
                ],
                "earned_fen": r.earned,
                "earned_value_added_fen": r.earned_value_added,
                "paid_fen": r.paid,
                "paid_value_added_fen": r.paid_value_added,
                "claimable_fen": r.claimable,
                "locked_fen": r.locked,
            }
            for r in s.providers
        ],
        "versions": [
            {
                "version_id": v.version_id,
                "from_period": v.from_period,
                "value_added_bps": v.value_added_bps,
                "signers": list(v.signers),
                "document_hash": _hex(v.document_hash),
                "block_number": v.block_number,
            }
            for v in s.versions
        ],
        "sharing_space": {
            "space_fen": s.sharing_space.space,
            "earned_fen": s.sharing_space.earned,
            "paid_fen": s.sharing_space.paid,
            "left_fen": s.sharing_space.left,
            "owed_fen": s.sharing_space.owed,
            "filled_in": s.sharing_space.filled_in,
            "unlocked_in": s.sharing_space.unlocked_in,
            "released_fen": s.sharing_space.released,
        },
    }


def statement_json_text(statement: Statement) -> str:
    return json.dumps(statement_json(statement), indent=2) + "\n"


# -- CSV -------------------------------------------------------------------------------

CSV_HEADER = ("element", "period", "account", "name", "metric", "value")


def _csv_rows(s: Statement) -> Iterator[tuple[str, str, str, str, str, str]]:
    def row(
        element: str,
        period: int | str,
        metric: str,
        value: object,
        account: ChecksumAddress | None = None,
    ) -> tuple[str, str, str, str, str, str]:
        name = (s.name_of(account) if account else None) or ""
        shown = "" if value is None else str(value)
        return (element, str(period), account or "", name, metric, shown)

    lines: list[tuple[int | str, UserResources, PlatformValue, Report, MarginalGain]] = [
        (p.period, p.user_resources, p.platform_value, p.report, p.marginal_gain) for p in s.periods
    ]
    c = s.cumulative
    lines.append(("all", c.user_resources, c.platform_value, c.report, c.marginal_gain))
    for period, users, platform, report, gain in lines:
        yield row("user_resources", period, "users", users.users)
        yield row("user_resources", period, "users_to_date", users.to_date)
        yield row("user_resources", period, "target_users", users.target)
        yield row("platform_value", period, "revenue_fen", platform.revenue)
        yield row("platform_value", period, "revenue_to_date_fen", platform.to_date)
        yield row("platform_value", period, "target_revenue_fen", platform.target)
        yield row("revenues", period, "revenue_fen", report.revenue)
        yield row("costs", period, "cost_fen", report.cost)
        yield row("costs", period, "profit_fen", report.profit)
        yield row("costs", period, "loss_fen", report.loss)
        if report.reporter is not None:
            yield row("costs", period, "reporter", report.reporter)
            yield row("costs", period, "attested_by", report.auditor)
        yield row("marginal_gains", period, "units", gain.units)
        yield row("marginal_gains", period, "profit_per_unit_fen", decimal_text(gain.per_unit))
        yield row("marginal_gains", period, "change_fen", decimal_text(gain.change))
        yield row("marginal_gains", period, "change_ratio", decimal_text(gain.change_ratio, 6))
    for p in s.periods:
        for account, fen in p.earned.items():
            yield row("resource_providers", p.period, "earned_fen", fen, account)
        yield row("sharing_space", p.period, "earned_fen", p.pool_earned)
    for r in s.providers:
        for sh in r.shares:
            metric = f"v{sh.version_id}_{CLASS_NAMES[sh.share_class]}_bps"
            yield row("resource_providers", "all", metric, sh.bps, r.account)
        yield row("resource_providers", "all", "earned_fen", r.earned, r.account)
        yield row("resource_providers", "all", "paid_fen", r.paid, r.account)
        if r.claimable is not None:
            yield row("resource_providers", "all", "claimable_fen", r.claimable, r.account)
            yield row("resource_providers", "all", "locked_fen", r.locked, r.account)
    space = s.sharing_space
    for metric, value in (
        ("space_fen", space.space),
        ("earned_fen", space.earned),
        ("paid_fen", space.paid),
        ("left_fen", space.left),
    ):
        yield row("sharing_space", "all", metric, value)


def statement_csv(statement: Statement) -> str:
    """The statement as long CSV (see the module's docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(_csv_rows(statement))
    return out.getvalue()


# -- table -----------------------------------------------------------------------------


def statement_table(statement: Statement, width: int = 160) -> str:
    """The statement as rich tables in plain text (no colour), one per element."""
    from rich.console import Console
    from rich.table import Table

    s = statement
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, force_terminal=False)
    span = (
        f"period {s.first_period}"
        if s.first_period == s.last_period
        else f"periods {s.first_period}-{s.last_period}"
    )
    console.print(f"Win-win value-added statement: {s.title}")
    console.print(
        f"{span} of {s.settled_periods} settled; events to block {s.as_of_block}"
        + (f"; dissolved in period {s.dissolved_in}" if s.dissolved_in else "")
    )
    c = s.cumulative

    def new(title: str, *columns: str, right_from: int = 1) -> Table:
        table = Table(title=title, title_justify="left", show_lines=title.startswith("2 "))
        for i, column in enumerate(columns):
            table.add_column(column, justify="right" if i >= right_from else "left")
        return table

    t1 = new("1 User resources", "Period", "Users", "Users to date", "Target", "Of target")
    for p in s.periods:
        u = p.user_resources
        t1.add_row(
            str(p.period),
            f"{u.users:,}",
            f"{u.to_date:,}",
            f"{u.target:,}",
            percent_text(u.to_date_of_target),
        )
    u = c.user_resources
    t1.add_row(
        "all", f"{u.users:,}", f"{u.to_date:,}", f"{u.target:,}", percent_text(u.to_date_of_target)
    )
    console.print(t1)

    t3 = new(
        "3 Total ecosystem platform value (RMB)",
        "Period",
        "Revenue",
        "To date",
        "Target",
        "Of target",
    )
    for p in s.periods:
        v = p.platform_value
        t3.add_row(
            str(p.period),
            format_amount(v.revenue),
            format_amount(v.to_date),
            format_amount(v.target),
            percent_text(v.to_date_of_target),
        )
    v = c.platform_value
    t3.add_row(
        "all",
        format_amount(v.revenue),
        format_amount(v.to_date),
        format_amount(v.target),
        percent_text(v.to_date_of_target),
    )
    console.print(t3)

    t45 = new(
        "4 Revenues and 5 costs, as reported (RMB)",
        "Period",
        "Revenue",
        "Cost",
        "Profit",
        "Loss",
        "Reported by",
        "Attested by",
    )
    for column in t45.columns[-2:]:
        column.justify = "left"
    for p in s.periods:
        r = p.report
        t45.add_row(
            str(p.period),
            format_amount(r.revenue),
            format_amount(r.cost),
            format_amount(r.profit),
            format_amount(r.loss),
            _who(s, r.reporter),
            _who(s, r.auditor) if r.auditor else "not attested",
        )
    r = c.report
    t45.add_row(
        "all",
        format_amount(r.revenue),
        format_amount(r.cost),
        format_amount(r.profit),
        format_amount(r.loss),
        "",
        "",
    )
    console.print(t45)

    t6 = new(
        "6 Marginal gains",
        "Period",
        "Units",
        "Profit (RMB)",
        "Profit per unit (RMB)",
        "Change (RMB)",
        "Change",
    )
    for p in s.periods:
        g = p.marginal_gain
        t6.add_row(
            str(p.period),
            f"{g.units:,}",
            format_amount(g.profit),
            rmb_fraction(g.per_unit),
            "-" if g.change is None else ("+" if g.change > 0 else "") + rmb_fraction(g.change),
            percent_text(g.change_ratio, signed=True),
        )
    g = c.marginal_gain
    t6.add_row("all", f"{g.units:,}", format_amount(g.profit), rmb_fraction(g.per_unit), "", "")
    console.print(t6)
    rose, flat, fell = s.per_unit_trend
    if rose + flat + fell:
        console.print(
            f"profit per unit rose in {rose}, held in {flat} and fell in {fell} of "
            f"{rose + flat + fell} period(s) against the period before"
        )

    version_ids = [v.version_id for v in s.versions]
    positions = f" at block {s.positions_block}" if s.positions_block is not None else ""
    t2 = new(
        f"2 Resource providers (RMB; claimable and locked{positions})",
        "Provider",
        "Kind",
        *(f"Share v{vid}" for vid in version_ids),
        "Earned",
        "Paid",
        "Claimable",
        "Locked",
        right_from=2,
    )
    t2.columns[0].min_width = 42  # a whole address
    for pr in s.providers:
        shares = []
        for vid in version_ids:
            held = pr.bps_in(vid)
            shares.append(
                "\n".join(f"{_SHORT[k]} {_percent(b)}" for k, b in sorted(held.items())) or "-"
            )
        t2.add_row(
            f"{pr.name or '-'}\n{pr.account}",
            pr.kind,
            *shares,
            format_amount(pr.earned),
            format_amount(pr.paid),
            "-" if pr.claimable is None else format_amount(pr.claimable),
            "-" if pr.locked is None else format_amount(pr.locked),
        )
    console.print(t2)

    sp = s.sharing_space
    ts = new("Value-added sharing space (RMB)", "Space", "Earned", "Paid", "Left", right_from=0)
    ts.add_row(
        format_amount(sp.space),
        format_amount(sp.earned),
        format_amount(sp.paid),
        format_amount(sp.left),
    )
    console.print(ts)
    notes = []
    notes.append(
        f"target reached in period {sp.unlocked_in}: value-added credit is claimable"
        if sp.unlocked_in
        else "target not reached yet: value-added credit stays locked"
    )
    if sp.filled_in:
        notes.append(f"the pool filled the sharing space in period {sp.filled_in}")
    if sp.released:
        notes.append(f"dissolution released {format_amount(sp.released)} RMB of the pool")
    console.print("; ".join(notes))
    return out.getvalue()


def _who(s: Statement, account: ChecksumAddress | None) -> str:
    """A name above its address (a table cell), or the address alone."""
    if account is None:
        return "-"
    name = s.name_of(account)
    return f"{name}\n{account}" if name else account


def _percent(bps: int) -> str:
    return f"{bps // 100}.{bps % 100:02d}%"


# -- charts ----------------------------------------------------------------------------


def _figure(s: Statement) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    periods = [p.period for p in s.periods]
    labels = [str(p) for p in periods]
    figure = Figure(figsize=(11, 8), dpi=100, layout="constrained")
    span = (
        f"period {s.first_period}"
        if s.first_period == s.last_period
        else f"periods {s.first_period}-{s.last_period}"
    )
    figure.suptitle(f"Win-win value-added statement: {s.title}\n{span}", fontsize=11)
    (users_ax, revenue_ax), (profit_ax, unit_ax) = figure.subplots(2, 2)
    thousands = FuncFormatter(lambda x, _: f"{x:,.0f}")

    xs = list(range(len(periods)))
    bar = 0.6
    users_ax.bar(xs, [p.user_resources.users for p in s.periods], bar, label="users", color="C0")
    users_ax.plot(
        xs, [p.user_resources.to_date for p in s.periods], "o-", color="C1", label="to date"
    )
    users_ax.axhline(s.terms.target_users, color="C3", linestyle="--", label="target")
    users_ax.set_title("1 User resources (users per period)")
    users_ax.yaxis.set_major_formatter(thousands)

    def rmb(fen: int) -> float:
        return fen / 100

    revenue_ax.bar(
        xs, [rmb(p.platform_value.revenue) for p in s.periods], bar, label="revenue", color="C0"
    )
    revenue_ax.plot(
        xs,
        [rmb(p.platform_value.to_date) for p in s.periods],
        "o-",
        color="C1",
        label="to date",
    )
    revenue_ax.axhline(rmb(s.terms.target_revenue), color="C3", linestyle="--", label="target")
    revenue_ax.set_title("3 Ecosystem platform value (revenue, RMB)")
    revenue_ax.yaxis.set_major_formatter(thousands)

    half = bar / 2
    profit_ax.bar(
        [x - half / 2 for x in xs],
        [rmb(p.report.cost) for p in s.periods],
        half,
        label="cost",
        color="C7",
    )
    profit_ax.bar(
        [x + half / 2 for x in xs],
        [rmb(p.report.profit) for p in s.periods],
        half,
        label="profit",
        color="C2",
    )
    profit_ax.set_title("4-5 Costs and profit as reported (RMB)")
    profit_ax.yaxis.set_major_formatter(thousands)

    shown = [
        (x, p.marginal_gain.per_unit)
        for x, p in zip(xs, s.periods, strict=True)
        if p.marginal_gain.per_unit is not None
    ]
    unit_ax.plot([x for x, _ in shown], [float(v) / 100 for _, v in shown], "o-", color="C2")
    for x, value in shown:
        unit_ax.annotate(
            rmb_fraction(value),
            (x, float(value) / 100),
            textcoords="offset points",
            xytext=(0, 6),
            ha="center",
            fontsize=8,
        )
    unit_ax.set_title("6 Marginal gains (profit per unit, RMB)")
    unit_ax.margins(y=0.2)

    for ax in (users_ax, revenue_ax, profit_ax, unit_ax):
        ax.set_xticks(xs, labels)
        ax.set_xlim(-0.75, len(xs) - 0.25)
        ax.set_xlabel("period")
        ax.grid(axis="y", alpha=0.3)
    for ax in (users_ax, revenue_ax, profit_ax):
        ax.margins(y=0.15)
        ax.legend(fontsize=8, loc="best", framealpha=0.9)
    return figure


def statement_chart(statement: Statement, fmt: ChartFormat) -> bytes:
    """The trend over the periods shown: users, revenue, cost and profit, profit per unit.

    SVG output is byte-for-byte the same for the same statement.
    """
    import matplotlib

    figure = _figure(statement)
    out = io.BytesIO()
    if fmt == "svg":
        with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT}):
            figure.savefig(out, format="svg", metadata={"Date": None})
    elif fmt == "png":
        figure.savefig(out, format="png", metadata={"Software": None})
    else:
        raise ValueError(f"unknown chart format {fmt!r}")
    return out.getvalue()
