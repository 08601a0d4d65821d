"""EMCs: their terms, totals, share versions and development fund."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Path

from api.deps import EmcDep, LedgerDep
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
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
from rdh_chain.contracts import EmcClient
from rdh_chain.validation import to_address

router = APIRouter(prefix="/emcs", tags=["emcs"], responses=ERROR_RESPONSES)

_UINT256_MAX = 2**256 - 1


def _summary(emc: EmcClient) -> EmcPublic:
    return EmcPublic(
        address=emc.address,
        owner=emc.owner(),
        status=cast(EmcStatusName, emc.status().name.lower()),
        terms=TermsPublic.from_sdk(emc.terms()),
        totals=TotalsPublic.from_sdk(emc.totals()),
        active_version_id=emc.active_version_id() or None,
        version_count=emc.version_count(),
    )


def _version(emc: EmcClient, version_id: int) -> VersionPublic:
    return VersionPublic.from_sdk(
        emc.version(version_id), emc.version_entries(version_id), emc.parties(version_id)
    )


@router.get("", summary="List the EMCs")
def list_emcs(ledger: LedgerDep) -> list[EmcPublic]:
    """Every EMC the factory created, in order of creation."""
    return [_summary(ledger.emc(address)) for address in ledger.factory.emcs()]


@router.get("/{address}", summary="One EMC with its active shares", responses=NOT_FOUND_RESPONSE)
def get_emc(emc: EmcDep, ledger: LedgerDep) -> EmcDetailPublic:
    """The EMC's terms and totals, its active share version with every member's class and
    basis points, the development fund's position, its capital and losses, and the notices
    of departure given to members of the active version."""
    summary = _summary(emc)
    active = summary.active_version_id
    return EmcDetailPublic(
        **dict(summary),
        active_version=_version(emc, active) if active is not None else None,
        dev_fund=PositionPublic.from_sdk(ledger.dev_fund(emc)),
        pool=PoolPublic.from_sdk(emc.pool()),
        capital=CapitalTotalsPublic.from_sdk(emc.capital_totals()),
        departures=MemberDeparturePublic.of(ledger.departures(emc), summary.totals.periods),
    )


VersionIdPath = Annotated[
    int, Path(ge=1, le=_UINT256_MAX, description="The version's id; ids run from 1.")
]


@router.get(
    "/{address}/versions/{version_id}",
    summary="One share version of an EMC",
    responses=NOT_FOUND_RESPONSE,
)
def get_version(emc: EmcDep, version_id: VersionIdPath) -> VersionPublic:
    """A version's header and entries, whether proposed, active or superseded, with the
    parties who must sign it, its nonce and its signing deadline."""
    return _version(emc, version_id)


@router.get(
    "/{address}/versions/{version_id}/typed-data",
    summary="The EIP-712 typed data a party signs",
    responses=NOT_FOUND_RESPONSE,
)
def get_version_typed_data(emc: EmcDep, version_id: VersionIdPath) -> TypedDataPublic:
    """What each party of a version signs, in ``eth_signTypedData_v4`` form, so that a wallet
    in the browser (or any other) can sign it; its digest is the contract's
    ``versionDigest``. Submit every party's signature with `rdh shares activate`."""
    return TypedDataPublic.from_sdk(emc.typed_data(version_id))


@router.get(
    "/{address}/capital/{account}",
    summary="An account's capital in an EMC",
    responses=NOT_FOUND_RESPONSE,
)
def get_capital(
    emc: EmcDep,
    account: Annotated[str, Path(description="The account's address (0x + 40 hex digits).")],
) -> CapitalAccountPublic:
    """The units of the EMC's capital the account holds, what they are worth now and what it
    invested (all zero if it never invested). Once the EMC dissolves, the units are paid back
    pro rata with `rdh capital claim`."""
    address = to_address(account, "account address")
    holding = CapitalHoldingPublic.from_sdk(emc.capital_of(address))
    return CapitalAccountPublic(emc=emc.address, account=address, **dict(holding))
