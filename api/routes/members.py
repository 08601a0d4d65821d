"""Members: registry records, and what each is promised, paid and owed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api import reading
from api.auth.deps import AUTH_RESPONSES, MEMBER_ACCESS
from api.deps import IndexDep, LedgerDep, MemberDep, SettingsDep
from api.errors import ERROR_RESPONSES, INDEX_RESPONSES, NOT_FOUND_RESPONSE
from api.history_models import HistoryPagePublic, RowKindName
from api.models import MemberPublic, MemberSharesPublic
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
        Query(description="Only this EMC's address; by default every EMC that names the member."),
    ] = None,
) -> MemberSharesPublic:
    """Per EMC: the basis points by class under the active version, and the amounts paid,
    claimable now and locked until the EMC reaches its target; then their sums.

    Without ``emc``, the EMCs listed are those whose active version names the member or
    where it has been credited; with ``emc``, that EMC is listed even if it names the
    member nowhere (all zero).
    """
    if emc is None:
        shares = ledger.shares(member.address)
    else:
        client = ledger.emc(to_address(emc, "EMC address"))
        shares = [ledger.share(client, member.address)]
    return MemberSharesPublic.from_sdk(member.address, shares)


@router.get(
    "/{address}/history",
    summary="Everything that names a member, from the index",
    responses=INDEX_RESPONSES,
)
def get_member_history(
    index: IndexDep,
    settings: SettingsDep,
    address: Annotated[str, Path(description="The member's (or any account's) address.")],
    kind: Annotated[
        list[RowKindName] | None, Query(description="Only rows of these kinds (repeatable).")
    ] = None,
    emc: Annotated[str | None, Query(description="Only this EMC's rows.")] = None,
    period_from: Annotated[int | None, Query(ge=1, description="The first period.")] = None,
    period_to: Annotated[int | None, Query(ge=1, description="The last period.")] = None,
    as_of: Annotated[
        int | None,
        Query(ge=0, description="Read the index up to this block (at most its checkpoint)."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1_000, description="Rows per page.")] = 100,
    offset: Annotated[int, Query(ge=0, description="Rows to skip.")] = 0,
) -> HistoryPagePublic:
    """Every row that names the address -- as the account, the actor, the attesting auditor
    or a party (a signer, an invited bidder) -- across EMCs and the registry, oldest first
    (``rdh audit history --member ADDRESS``). An address the index never saw has no rows."""
    where = HistoryFilter(
        emc=None if emc is None else to_address(emc, "EMC address"),
        member=to_address(address, "member address"),
        kinds=frozenset(RowKind(k) for k in kind or ()),
        period_from=period_from,
        period_to=period_to,
    )
    with index.view() as view:
        block = view.as_of(as_of)
        names = reading.profile_names(view, settings.data_dir)
        rows = reading.member_history(view, where, block, names)
        return HistoryPagePublic.of(rows, block, view.block, limit, offset)
