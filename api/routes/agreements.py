"""Signing share versions: who has signed, a party's signature, and the activation the
gateway's own wallet submits once every party has signed."""

from __future__ import annotations

from typing import Annotated

from eth_typing import ChecksumAddress
from fastapi import APIRouter, Depends, Path, Request

from api import reading
from api.auth.deps import EmcReaderDep, ViewerDep
from api.deps import IndexDep, LedgerDep, SettingsDep
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
from api.models import ErrorPublic
from api.relay_models import SignatureSubmit, VersionSignaturesPublic
from api.relaying import (
    RelayState,
    accept_signature,
    activate,
    all_signed,
    check_open,
    read_version,
    signatures_of,
)
from rdh_chain.contracts import EmcClient
from rdh_chain.ledger import Ledger

router = APIRouter(
    prefix="/emcs",
    tags=["agreements"],
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND_RESPONSE,
        401: {"model": ErrorPublic, "description": "Not signed in."},
        403: {"model": ErrorPublic, "description": "Not a member (or party) of the EMC."},
        409: {"model": ErrorPublic, "description": "The version is no longer open to sign."},
    },
)

VersionIdPath = Annotated[
    int, Path(ge=1, le=2**32 - 1, description="The version's id; ids run from 1.")
]


def get_relay(request: Request) -> RelayState:
    relay: RelayState = request.app.state.relay
    return relay


RelayDep = Annotated[RelayState, Depends(get_relay)]


def _names(index: IndexDep, settings: SettingsDep) -> dict[ChecksumAddress, str]:
    """Members' names from the index, when it is synced (none otherwise)."""
    with index.view_if_synced() as view:
        return {} if view is None else reading.profile_names(view, settings.data_dir)


NamesDep = Annotated[dict[ChecksumAddress, str], Depends(_names)]


@router.get(
    "/{address}/versions/{version_id}/signatures",
    summary="Who has signed a share version, and who has not",
)
def get_signatures(
    emc: EmcReaderDep,
    ledger: LedgerDep,
    index: IndexDep,
    relay: RelayDep,
    names: NamesDep,
    version_id: VersionIdPath,
) -> VersionSignaturesPublic:
    """Every party the version names, in signing order, with whether (and when) it signed
    through the gateway, and the activation: waiting for signatures, activated by the
    gateway's relayer (its transaction), or refused by the EMC (why). For the EMC's
    members, auditors and operators."""
    return signatures_of(ledger, emc, version_id, relay, names, index=index)


@router.post(
    "/{address}/versions/{version_id}/signatures",
    summary="Sign a share version (a party, for itself)",
)
def post_signature(
    viewer: ViewerDep,
    emc: EmcReaderDep,
    ledger: LedgerDep,
    relay: RelayDep,
    names: NamesDep,
    version_id: VersionIdPath,
    body: SignatureSubmit,
) -> VersionSignaturesPublic:
    """The signed-in party's ``eth_signTypedData_v4`` signature of the version's typed data
    (``GET .../typed-data``). Signatures with ``v`` 0/1 and 64-byte EIP-2098 compact ones are
    normalized. It must recover to the signed-in wallet over this version on this chain: one
    made for another chain id, EMC or version is refused (422), as is a wallet the version
    does not name (403) and a version no longer open (409). Once the last party has signed,
    the gateway's relayer activates the version; the answer says how that went."""
    read = read_version(emc, version_id, ledger.deployment.chain_id)
    accept_signature(emc, version_id, read, viewer.address, body.signature, relay)
    if not all_signed(read, relay):  # the common case: answer from what was just read
        return signatures_of(ledger, emc, version_id, relay, names, read=read)
    return _activated(ledger, emc, version_id, relay, names)


@router.post(
    "/{address}/versions/{version_id}/activation",
    summary="Activate a fully signed share version again",
)
def post_activation(
    emc: EmcReaderDep,
    ledger: LedgerDep,
    relay: RelayDep,
    names: NamesDep,
    version_id: VersionIdPath,
) -> VersionSignaturesPublic:
    """Has the gateway's relayer submit the activation of a version every party has signed
    (it does so by itself on the last signature; this is for a retry once what the EMC
    refused, such as a suspended party, has been put right). 409 if it is not open."""
    check_open(emc, version_id, read_version(emc, version_id, ledger.deployment.chain_id))
    return _activated(ledger, emc, version_id, relay, names)


def _activated(
    ledger: Ledger,
    emc: EmcClient,
    version_id: int,
    relay: RelayState,
    names: dict[ChecksumAddress, str],
) -> VersionSignaturesPublic:
    relayed, refused = activate(ledger, emc, version_id, relay)
    return signatures_of(ledger, emc, version_id, relay, names, refused=refused, relayed=relayed)
