"""Members: registry records, and what each is promised, paid and owed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api import reading
from api.auth.deps import AUTH_RESPONSES, MEMBER_ACCESS
from api.deps import IndexDep, LedgerDep, MemberDep, SettingsDep
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES, NOT_FOUND_RESPONSE
from api.history_models import HISTORY_PAGE, HistoryLimitQuery, HistoryPagePublic, RowKindName
from api.index import IndexView
from api.inputs import EMC_EXAMPLE, AccountAddressPath, AddressText, address_query, checked_address
from api.models import MemberPublic, MemberSharesPublic
from rdh_chain.contracts import EmcClient
from rdh_chain.history import HistoryFilter, RowKind
from rdh_chain.validation import to_address

# A member's pages are for itself, auditors and operators.
router = APIRouter(
    prefix="/members",
    tags=["members"],
    responses={**ERROR_RESPONSES, **NOT_FOUND_RESPONSE, **AUTH_RESPONSES},
    dependencies=MEMBER_ACCESS,
)


@router.get("/{address}", summary="A member's registry record and roles")
def get_member(member: MemberDep) -> MemberPublic:
    """Status (active or suspended), registration time, metadata and roles."""
    return MemberPublic.from_sdk(member)


@router.get("/{address}/share", summary="A member's promised share, paid and claimable")
def get_member_share(
    member: MemberDep,
    ledger: LedgerDep,
    emc: Annotated[
        str | None,
        address_query("Only this EMC; by default every EMC that names the member", EMC_EXAMPLE),
        AddressText("EMC address"),
    ] = None,
) -> MemberSharesPublic:
    """Per EMC: the basis points by class under the active version, and the amounts paid,
    claimable now and locked until the EMC reaches its target; then their sums.

    Without ``emc``, the EMCs listed are those whose active version names the member or
    where it has been credited; with ``emc``, that EMC is listed even if it names the
    member nowhere (all zero).
    """
    # Live, at one block: the chain's head, every view of every EMC in two JSON-RPC batches.
    block = int(ledger.w3.eth.block_number)
    if emc is None:
        clients = [
            EmcClient(
                ledger.w3, a, ledger.artifacts, ledger.decoder, event_decoder=ledger.event_decoder
            )
            for a in ledger.factory.emcs(block=block)
        ]
    else:
        clients = [ledger.emc(to_address(emc, "EMC address"), block=block)]
    shares = reading.member_shares(clients, member.address, block, every=emc is not None)
    return MemberSharesPublic.from_sdk(member.address, shares)


@router.get(
    "/{address}/history",
    summary="Everything that names a member, from the index",
    responses=INDEX_RESPONSES,
    response_model=HistoryPagePublic,
)
async def get_member_history(
    request: Request,
    index: IndexDep,
    settings: SettingsDep,
    address: AccountAddressPath,
    kind: Annotated[
        list[RowKindName] | None, Query(description="Only rows of these kinds (repeatable).")
    ] = None,
    emc: Annotated[
        str | None, address_query("Only this EMC's rows", EMC_EXAMPLE), AddressText("EMC address")
    ] = None,
    period_from: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    period_to: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
    as_of: Annotated[
        int | None,
        Query(ge=0, description="Read the index up to this block (at most its checkpoint)."),
    ] = None,
    limit: HistoryLimitQuery = HISTORY_PAGE,
    offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
) -> Response:
    """Every row that names the address -- as the account, the actor, the attesting auditor
    or a party (a signer, an invited bidder) -- across EMCs and the registry, oldest first
    (``rdh audit history --member ADDRESS``). An address the index never saw has no rows."""
    where = HistoryFilter(
        emc=None if emc is None else checked_address(emc, "EMC address"),
        member=checked_address(address, "member address"),
        kinds=frozenset(RowKind(k) for k in kind or ()),
        period_from=period_from,
        period_to=period_to,
    )

    def build(view: IndexView) -> HistoryPagePublic:
        block = view.as_of(as_of)
        rows = index.memo(
            view,
            ("member-history", where, block),
            lambda: reading.member_history(
                view, where, block, reading.profile_names(view, settings.data_dir)
            ),
        )
        return HistoryPagePublic.of(rows, reading.as_of(view, block), view.block, limit, offset)

    return await index.answer(request, build)
