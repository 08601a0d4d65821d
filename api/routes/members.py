"""Members: registry records, and what each is promised, paid and owed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import LedgerDep, MemberDep
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
from api.models import MemberPublic, MemberSharesPublic
from rdh_chain.validation import to_address

router = APIRouter(
    prefix="/members", tags=["members"], responses={**ERROR_RESPONSES, **NOT_FOUND_RESPONSE}
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
