"""EMCs: their terms, totals, share versions and development fund."""

from __future__ import annotations

from typing import Annotated, Any, cast

from eth_typing import ChecksumAddress
from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from api import reading
from api.auth.deps import AUTH_RESPONSES, CAPITAL_ACCESS, EMC_ACCESS, EmcReaderDep
from api.deps import EmcDep, IndexDep, SettingsDep, ledger_provider
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES, NOT_FOUND_RESPONSE
from api.history_models import HISTORY_PAGE, HistoryLimitQuery, HistoryPagePublic, RowKindName
from api.index import IndexUnavailableError, IndexView
from api.inputs import AccountAddressPath, EmcAddressPath, MemberAddressQuery, checked_address
from api.models import (
    CapitalAccountPublic,
    CapitalHoldingPublic,
    CapitalTotalsPublic,
    EmcDetailPublic,
    EmcPublic,
    EmcStatusName,
    MemberDeparturePublic,
    PoolPublic,
    PositionPublic,
    TermsPublic,
    TotalsPublic,
    TypedDataPublic,
    VersionPublic,
)
from api.page_models import AsOfPublic, EmcPagePublic
from api.statement_models import StatementPublic
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.history import HistoryFilter, RowKind
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.statement_render import statement_json
from rdh_chain.structs import struct_from_abi
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalTotals,
    Departure,
    EmcStatus,
    EmcTerms,
    Pool,
    Position,
    Totals,
)
from rdh_chain.validation import to_address

router = APIRouter(prefix="/emcs", tags=["emcs"], responses=ERROR_RESPONSES)

_UINT256_MAX = 2**256 - 1


def _version(emc: EmcClient, version_id: int, block: int | None = None) -> VersionPublic:
    return VersionPublic.from_sdk(
        emc.version(version_id, block=block),
        emc.version_entries(version_id, block=block),
        emc.parties(version_id, block=block),
    )


LimitQuery = Annotated[int, Query(ge=1, le=1_000, description="Items per page.")]
OffsetQuery = Annotated[int, Query(ge=0, description="Items to skip (for the next pages).")]
AsOfQuery = Annotated[
    int | None,
    Query(
        ge=0,
        description="Read the index up to this block (at most its checkpoint, the default).",
    ),
]


@router.get("", summary="List the EMCs", response_model=EmcPagePublic)
async def list_emcs(
    request: Request,
    index: IndexDep,
    as_of: AsOfQuery = None,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> Response:
    """The EMCs the factory created, in order of creation, a page at a time with their
    total (also in the ``X-Total-Count`` header).

    With a synced index, the list is the index's and each EMC is read at its checkpoint
    block (or ``as_of``; ``as_of`` and ``X-As-Of-Block`` say which) in one JSON-RPC batch,
    so the page is one consistent picture, computed once per version of the index; without
    one (or for an ``as_of`` the index has not reached), the factory's list at the chain's
    latest block (or ``as_of``).
    """

    def from_index(view: IndexView) -> tuple[EmcPagePublic, dict[str, str]]:
        if as_of is not None and as_of > view.block:
            raise _BeyondIndex
        block = view.as_of(as_of)
        addresses = [info.address for info in reading.emcs_at(view, block)]
        page = _summaries(index.ledger, addresses[offset : offset + limit], block)
        return _emc_page(
            reading.as_of(view, block), view.block, len(addresses), page, limit, offset
        )

    try:
        return await index.answer(request, from_index)
    except (_BeyondIndex, IndexUnavailableError, SQLAlchemyError):
        pass  # the chain answers
    ledger = await ledger_provider(request.app.state).aget()

    def from_chain() -> Response:
        block = _chain_block(ledger, as_of)
        before = block < ledger.deployment.block  # no factory to ask yet
        addresses = [] if before else list(ledger.factory.emcs(block=block))
        got = ledger.w3.eth.get_block(block)
        at = AsOfPublic(block_number=block, block_hash="0x" + bytes(got["hash"]).hex())
        page = _summaries(ledger, addresses[offset : offset + limit], block)
        model, headers = _emc_page(at, None, len(addresses), page, limit, offset)
        return Response(
            model.model_dump_json(by_alias=True), media_type="application/json", headers=headers
        )

    return await run_in_threadpool(from_chain)


class _BeyondIndex(RdhChainError):  # noqa: N818 (control flow: read the chain instead)
    """An ``as_of`` beyond the index's checkpoint: the chain answers it."""


def _emc_page(
    at: AsOfPublic,
    checkpoint: int | None,
    total: int,
    items: list[EmcPublic],
    limit: int,
    offset: int,
) -> tuple[EmcPagePublic, dict[str, str]]:
    page = EmcPagePublic(
        as_of=at, checkpoint_block=checkpoint, total=total, limit=limit, offset=offset, items=items
    )
    headers = {"X-Total-Count": str(total), "X-As-Of-Block": str(at.block_number)}
    return page, headers


_SUMMARY_VIEWS = ("owner", "status", "terms", "totals", "activeVersionId", "versionCount")


def _summaries(ledger: Ledger, addresses: list[ChecksumAddress], block: int) -> list[EmcPublic]:
    """The EMCs at ``addresses`` (the factory's, from its list or the index) read at
    ``block``, their views in one JSON-RPC batch."""
    clients = [
        EmcClient(
            ledger.w3, a, ledger.artifacts, ledger.decoder, event_decoder=ledger.event_decoder
        )
        for a in addresses
    ]
    reads = PinnedReads(ledger.w3, block)
    for client in clients:
        for view in _SUMMARY_VIEWS:
            reads.add(client, view)
    values = reads.execute()
    return [
        _summary_of(client.address, values[i * 6 : i * 6 + 6]) for i, client in enumerate(clients)
    ]


def _summary_of(address: ChecksumAddress, values: list[Any]) -> EmcPublic:
    """An EMC's summary from its ``_SUMMARY_VIEWS``' values, in that order."""
    owner, status, terms, totals, active, count = values
    return EmcPublic(
        address=address,
        owner=owner,
        status=cast(EmcStatusName, EmcStatus(status).name.lower()),
        terms=TermsPublic.from_sdk(EmcTerms.from_abi(terms)),
        totals=TotalsPublic.from_sdk(struct_from_abi(Totals, totals)),
        active_version_id=int(active) or None,
        version_count=int(count),
    )


def _chain_block(ledger: Ledger, as_of: int | None) -> int:
    head = int(ledger.w3.eth.block_number)
    if as_of is not None and as_of > head:
        raise InvalidInputError(
            f"as_of {as_of} is beyond the chain's latest block ({head}); ask for a block at "
            "or below it."
        )
    return head if as_of is None else as_of


@router.get(
    "/{address}/history",
    summary="An EMC's history, from the index",
    responses={**INDEX_RESPONSES, **NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
    dependencies=EMC_ACCESS,
    response_model=HistoryPagePublic,
)
async def get_emc_history(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    address: EmcAddressPath,
    kind: Annotated[
        list[RowKindName] | None, Query(description="Only rows of these kinds (repeatable).")
    ] = None,
    period_from: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    period_to: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
    member: MemberAddressQuery = None,
    as_of: AsOfQuery = None,
    limit: HistoryLimitQuery = HISTORY_PAGE,
    offset: OffsetQuery = 0,
) -> Response:
    """Who bid, who signed which version and when, every period's report with its attesting
    auditor, settlements, claims, investments, losses, notices, withdrawals and sweeps,
    oldest first, each with its block, transaction and time, and names beside addresses
    (``rdh audit history EMC``). A period range leaves out rows without a period."""
    where = HistoryFilter(
        emc=checked_address(address, "EMC address"),
        member=None if member is None else checked_address(member, "member address"),
        kinds=frozenset(RowKind(k) for k in kind or ()),
        period_from=period_from,
        period_to=period_to,
    )

    def build(view: IndexView) -> HistoryPagePublic:
        assert where.emc is not None
        reading.indexed_emc(view, where.emc)
        block = view.as_of(as_of)
        rows = index.memo(
            view,
            ("emc-history", where, block),
            lambda: reading.emc_history(
                view, where, block, reading.profile_names(view, settings.data_dir)
            ),
        )
        return HistoryPagePublic.of(rows, reading.as_of(view, block), view.block, limit, offset)

    return await index.answer(request, build)


@router.get(
    "/{address}/statement",
    summary="An EMC's win-win value-added statement, from the index",
    responses={**INDEX_RESPONSES, **NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
    dependencies=EMC_ACCESS,
    response_model=StatementPublic,
)
async def get_emc_statement(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    address: EmcAddressPath,
    period: Annotated[int | None, Query(ge=1, description="One period only.")] = None,
    from_period: Annotated[
        int | None, Query(ge=1, description="The first period shown (default: the first).")
    ] = None,
    to_period: Annotated[
        int | None, Query(ge=1, description="The last period shown (default: the latest).")
    ] = None,
    as_of: AsOfQuery = None,
) -> Response:
    """The six elements per period and cumulative -- user resources, resource providers,
    total ecosystem platform value, revenues, costs, marginal gains -- and the value-added
    sharing space, from the EMC's events up to the checkpoint (or ``as_of``); what each
    provider can claim is read from the chain at that same block (``rdh statement EMC
    --format json``). Amounts are fen."""
    emc_address = checked_address(address, "EMC address")

    def build(view: IndexView) -> tuple[StatementPublic, dict[str, str]]:
        found = reading.indexed_emc(view, emc_address).address
        emc = ledgers.emc_client(index.ledger, found)
        block = view.as_of(as_of)
        names = reading.profile_names(view, settings.data_dir)
        events = reading.emc_events(view, emc.address, block)
        built = reading.statement(emc, events, block, names, (period, from_period, to_period))
        return StatementPublic.model_validate(statement_json(built)), reading.as_of_headers(
            reading.as_of(view, block)
        )

    ledgers = ledger_provider(request.app.state)
    return await index.answer(request, build)


@router.get(
    "/{address}",
    summary="One EMC with its active shares",
    responses={**NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
    response_model=EmcDetailPublic,
)
async def get_emc(request: Request, emc: EmcReaderDep, index: IndexDep) -> Response:
    """The EMC's terms and totals, its active share version with every member's class and
    basis points, the development fund's position, its capital and losses, and the notices
    of departure given to members of the active version.

    Read at the index's checkpoint block (``X-As-Of-Block``, ``X-As-Of-Hash``), once per
    version of the index; at the chain's latest block while there is no synced index.
    """

    def build(view: IndexView) -> tuple[EmcDetailPublic, dict[str, str]]:
        at = reading.as_of(view, view.block)
        return _detail(index.ledger, emc, view.block), reading.as_of_headers(at)

    try:
        return await index.answer(request, build)
    except (IndexUnavailableError, SQLAlchemyError):
        pass  # the chain answers, at its latest block
    ledger = await ledger_provider(request.app.state).aget()
    detail = await run_in_threadpool(_detail, ledger, emc, None)
    return Response(detail.model_dump_json(by_alias=True), media_type="application/json")


def _detail(ledger: Ledger, emc: EmcClient, block: int | None) -> EmcDetailPublic:
    """The EMC's detail at ``block`` (the chain's latest when None, read at its number), in
    three JSON-RPC batches: its views, its active version's, then the parties' notices."""
    at = int(ledger.w3.eth.block_number) if block is None else block
    first = PinnedReads(emc.w3, at)
    for view in (*_SUMMARY_VIEWS, "pool", "capitalTotals"):
        first.add(emc, view)
    first.add(emc, "accountOf", ZERO_ADDRESS, ())  # the development fund's: no proofs
    values = first.execute()
    summary = _summary_of(emc.address, values[:6])
    pool, capital, dev_fund = values[6:]
    active = summary.active_version_id
    version: VersionPublic | None = None
    departures: dict[ChecksumAddress, Departure] = {}
    if active is not None:
        header = emc.version(active, block=at)
        tree = emc.share_tree(active, block=at)
        parties = tree.parties
        version = VersionPublic.from_sdk(header, list(tree.entries), parties)
        third = PinnedReads(emc.w3, at)
        for party in parties:
            third.add(emc, "departureOf", party)
        notices = [struct_from_abi(Departure, d) for d in third.execute()]
        departures = {p: d for p, d in zip(parties, notices, strict=True) if d.given}
    return EmcDetailPublic(
        **dict(summary),
        active_version=version,
        dev_fund=PositionPublic.from_sdk(struct_from_abi(Position, dev_fund)),
        pool=PoolPublic.from_sdk(
            struct_from_abi(Pool, {**pool, "excess": pool["excessToDevFund"]})
        ),
        capital=CapitalTotalsPublic.from_sdk(struct_from_abi(CapitalTotals, capital)),
        departures=MemberDeparturePublic.of(departures, summary.totals.periods),
    )


VersionIdPath = Annotated[
    int, Path(ge=1, le=_UINT256_MAX, description="The version's id; ids run from 1.")
]


@router.get(
    "/{address}/versions/{version_id}",
    summary="One share version of an EMC",
    responses={**NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
)
def get_version(emc: EmcReaderDep, version_id: VersionIdPath) -> VersionPublic:
    """A version's header and entries, whether proposed, active or superseded, with the
    parties who must sign it, its nonce and its signing deadline."""
    return _version(emc, version_id)


@router.get(
    "/{address}/versions/{version_id}/typed-data",
    summary="The EIP-712 typed data a party signs",
    responses={**NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
)
def get_version_typed_data(emc: EmcReaderDep, version_id: VersionIdPath) -> TypedDataPublic:
    """What each party of a version signs, in ``eth_signTypedData_v4`` form, so that a wallet
    in the browser (or any other) can sign it; its digest is the contract's
    ``versionDigest``. Submit every party's signature with `rdh shares activate`."""
    return TypedDataPublic.from_sdk(emc.typed_data(version_id))


@router.get(
    "/{address}/capital/{account}",
    summary="An account's capital in an EMC",
    responses={**NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
    dependencies=CAPITAL_ACCESS,
)
def get_capital(
    emc: EmcDep,
    account: AccountAddressPath,
) -> CapitalAccountPublic:
    """The units of the EMC's capital the account holds, what they are worth now and what it
    invested (all zero if it never invested). Once the EMC dissolves, the units are paid back
    pro rata with `rdh capital claim`."""
    address = to_address(account, "account address")
    holding = CapitalHoldingPublic.from_sdk(emc.capital_of(address))
    return CapitalAccountPublic(emc=emc.address, account=address, **dict(holding))
