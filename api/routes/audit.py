"""What an auditor downloads and checks: the history and the statement as files, and the
verification of an EMC's figures against its events (``rdh audit export``, ``rdh statement
--format``, ``rdh audit verify``), all from the index at its checkpoint."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from api import reading
from api.audit_models import VerificationPublic
from api.auth.deps import AUTH_RESPONSES, EMC_ACCESS
from api.deps import IndexDep, LedgerDep, SettingsDep
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES, NOT_FOUND_RESPONSE
from api.history_models import RowKindName
from api.inputs import EmcAddressPath, MemberAddressQuery
from rdh_chain.history import HistoryFilter, RowKind, to_csv, to_json
from rdh_chain.statement_render import statement_chart, statement_csv, statement_json_text
from rdh_chain.validation import to_address
from rdh_chain.verify import verify

# An EMC's files and verification are for its members, auditors and operators.
router = APIRouter(
    prefix="/emcs",
    tags=["audit"],
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
    dependencies=EMC_ACCESS,
)

HistoryFormat = Literal["csv", "json"]
StatementFormat = Literal["csv", "json", "png", "svg"]

_MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def _file(body: bytes | str, fmt: str, name: str, block: int) -> Response:
    return Response(
        body,
        media_type=_MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{fmt}"',
            "X-As-Of-Block": str(block),
        },
    )


def _file_responses(formats: tuple[str, ...]) -> dict[int | str, dict[str, object]]:
    content: dict[str, object] = {_MEDIA_TYPES[f].split(";")[0]: {} for f in formats}
    return {200: {"content": content, "description": "The file."}, **INDEX_RESPONSES}


@router.get(
    "/{address}/history.{fmt}",
    summary="Export an EMC's whole history as a file",
    response_class=Response,
    responses={**_file_responses(("csv", "json")), **NOT_FOUND_RESPONSE},
)
def export_emc_history(
    index: IndexDep,
    settings: SettingsDep,
    address: EmcAddressPath,
    fmt: Annotated[HistoryFormat, Path(description="`csv` or `json`.")],
    kind: Annotated[
        list[RowKindName] | None, Query(description="Only rows of these kinds (repeatable).")
    ] = None,
    period_from: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    period_to: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
    member: MemberAddressQuery = None,
) -> Response:
    """Every row of the EMC's history up to the index's checkpoint (those the filters of
    ``GET /emcs/{address}/history`` keep) with its transaction hash, block number, block
    hash and time (``rdh audit export EMC --format csv|json``); a spreadsheet or
    ``rdh_chain.history.read_csv`` reads it back."""
    with index.view() as view:
        emc = reading.indexed_emc(view, to_address(address, "EMC address")).address
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
    body = to_csv(rows) if fmt == "csv" else to_json(rows)
    return _file(body, fmt, f"history-{emc}-block-{block}", block)


@router.get(
    "/{address}/statement.{fmt}",
    summary="An EMC's statement as a file or a chart",
    response_class=Response,
    responses={**_file_responses(("csv", "json", "png", "svg")), **NOT_FOUND_RESPONSE},
)
def export_emc_statement(
    index: IndexDep,
    ledger: LedgerDep,
    settings: SettingsDep,
    address: EmcAddressPath,
    fmt: Annotated[StatementFormat, Path(description="`csv`, `json`, `png` or `svg`.")],
    from_period: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    to_period: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
) -> Response:
    """The win-win value-added statement (``rdh statement EMC --format ...``): CSV (one
    figure a row), JSON, or its chart of revenue, profit and profit per unit over the
    periods as PNG or SVG (for an ``<img>``)."""
    with index.view() as view:
        emc = ledger.emc(reading.indexed_emc(view, to_address(address, "EMC address")).address)
        names = reading.profile_names(view, settings.data_dir)
        events = reading.emc_events(view, emc.address, view.block)
        block = view.block
    built = reading.statement(emc, events, block, names, (None, from_period, to_period))
    if fmt == "csv":
        body: bytes | str = statement_csv(built)
    elif fmt == "json":
        body = statement_json_text(built)
    else:
        body = statement_chart(built, fmt)
    return _file(body, fmt, f"statement-{emc.address}-block-{block}", block)


@router.get(
    "/{address}/verify",
    summary="Verify an EMC's figures against its events",
    responses={**INDEX_RESPONSES, **NOT_FOUND_RESPONSE},
)
def verify_emc(
    index: IndexDep, ledger: LedgerDep, settings: SettingsDep, address: EmcAddressPath
) -> VerificationPublic:
    """Replay the EMC's indexed events through the accounting model written from the
    README's rules and compare every account's claimable, locked, paid and earned amounts,
    the totals, the pool, the capital and the balance with the contract's views at the
    index's checkpoint (``rdh audit verify EMC``). ``ok`` is false and ``mismatches`` lists
    each figure that disagrees: a tampered index row or a contract that computes otherwise."""
    with index.view() as view:
        emc = reading.indexed_emc(view, to_address(address, "EMC address")).address
        names = reading.profile_names(view, settings.data_dir)
        events = reading.emc_events(view, emc, view.block)
        block, block_hash = view.block, view.checkpoint.block_hash
    result = verify(ledger.w3, ledger.artifacts, ledger.deployment, events, block, emc=emc)
    assert block_hash is not None  # a view's checkpoint has been synced
    return VerificationPublic.of(emc, result, block_hash, names)
