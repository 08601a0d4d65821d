"""What an auditor takes away: the history as CSV, the statement's chart, and the
verification of an EMC's figures against its events (``rdh audit verify EMC``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from api import reading
from api.auth.deps import EmcReaderDep
from api.deps import IndexDep, LedgerDep, SettingsDep
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES, NOT_FOUND_RESPONSE
from api.history_models import RowKindName
from api.models import _Public
from rdh_chain.history import HistoryFilter, RowKind, to_csv
from rdh_chain.statement_render import statement_chart
from rdh_chain.validation import to_address
from rdh_chain.verify import Mismatch, verify

router = APIRouter(
    prefix="/emcs",
    tags=["audit"],
    responses={**ERROR_RESPONSES, **INDEX_RESPONSES, **NOT_FOUND_RESPONSE},
)


@router.get(
    "/{address}/history.csv",
    summary="An EMC's history as a CSV file",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The rows as CSV."}},
)
def export_emc_history(
    index: IndexDep,
    settings: SettingsDep,
    reader: EmcReaderDep,
    kind: Annotated[
        list[RowKindName] | None, Query(description="Only rows of these kinds (repeatable).")
    ] = None,
    period_from: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    period_to: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
    member: Annotated[str | None, Query(description="Only rows naming this address.")] = None,
) -> Response:
    """Every row that ``GET /emcs/{address}/history`` gives for the same filters, in one
    file (``rdh audit history EMC --format csv``), to download."""
    with index.view() as view:
        emc = reading.indexed_emc(view, reader.address).address
        where = HistoryFilter(
            emc=emc,
            member=None if member is None else to_address(member, "member address"),
            kinds=frozenset(RowKind(k) for k in kind or ()),
            period_from=period_from,
            period_to=period_to,
        )
        names = reading.profile_names(view, settings.data_dir)
        rows = reading.emc_history(view, where, view.block, names)
        block = view.block
    return Response(
        to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="history-{emc}-block-{block}.csv"',
            "X-As-Of-Block": str(block),
        },
    )


@router.get(
    "/{address}/statement.svg",
    summary="The chart of an EMC's statement (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The chart."}},
)
def get_statement_chart(
    index: IndexDep,
    ledger: LedgerDep,
    settings: SettingsDep,
    reader: EmcReaderDep,
    from_period: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    to_period: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
) -> Response:
    """Users, revenue, cost and profit, and profit per unit over the periods shown
    (``rdh statement EMC --chart FILE.svg``), from the index at its checkpoint."""
    with index.view() as view:
        emc = ledger.emc(reading.indexed_emc(view, reader.address).address)
        block = view.block
        names = reading.profile_names(view, settings.data_dir)
        events = reading.emc_events(view, emc.address, block)
    built = reading.statement(emc, events, block, names, (None, from_period, to_period))
    return Response(
        statement_chart(built, "svg"),
        media_type="image/svg+xml",
        headers={"X-As-Of-Block": str(block)},
    )


class MismatchPublic(_Public):
    """One figure the events and the chain disagree on."""

    account: str | None
    name: str | None
    field: str
    recomputed: str
    on_chain: str
    source: str
    where: str


class VerificationPublic(_Public):
    """What the verification compared at ``block`` and found; ``ok`` when nothing differs."""

    emc: str
    block: int
    ok: bool
    accounts: int
    events: int
    figures: int
    mismatches: list[MismatchPublic]


def _text(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "missing" if value is None else str(value)


def _mismatch(m: Mismatch, names: dict[Any, str]) -> MismatchPublic:
    return MismatchPublic(
        account=m.account,
        name=None if m.account is None else names.get(m.account),
        field=m.field,
        recomputed=_text(m.expected),
        on_chain=_text(m.on_chain),
        source=m.source,
        where=m.where,
    )


@router.get("/{address}/verification", summary="Verify an EMC's figures against its events")
def verify_emc(
    index: IndexDep,
    ledger: LedgerDep,
    settings: SettingsDep,
    reader: EmcReaderDep,
) -> VerificationPublic:
    """Every figure of the EMC recomputed from its events in the index -- totals, pool,
    every account's accrued, paid, claimable and locked amounts, capital -- and compared
    with the contract's state at the index's checkpoint block (``rdh audit verify EMC``)."""
    with index.view() as view:
        emc = reading.indexed_emc(view, reader.address).address
        block = view.block
        names = reading.profile_names(view, settings.data_dir)
        events = reading.emc_events(view, emc, block)
    result = verify(ledger.w3, ledger.artifacts, ledger.deployment, events, block, emc=emc)
    return VerificationPublic(
        emc=emc,
        block=result.block,
        ok=not result.mismatches,
        accounts=result.accounts,
        events=result.events,
        figures=result.fields,
        mismatches=[_mismatch(m, names) for m in result.mismatches],
    )
