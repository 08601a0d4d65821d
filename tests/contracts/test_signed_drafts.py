"""Versions set in one transaction from a draft every party signed.

``proposeAndActivateVersion`` records the proposal as ``proposeVersion`` does and then
activates it as ``activateVersion`` does, so the chain keeps the same history (both events,
the same header, the same typed data) as a version proposed and activated in two steps.
The parties signed the typed data of the id and nonce the version would get: if another
proposal or activation got in first, those no longer match and nothing is recorded.

The base EMC (see ``helpers.Cast``) has version 1 active and version 2 proposed.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.agreements import typed_data_digest
from rdh_chain.contracts import EmcClient
from rdh_chain.events import VersionActivated, VersionProposed
from rdh_chain.exceptions import ContractRevertError, InvalidInputError
from rdh_chain.share_tree import ShareTree
from rdh_chain.signatures import recover_signer
from rdh_chain.types import PartySignature, ShareClass, VersionStatus
from tests.contracts.helpers import Cast, assert_reverts, base_entries, raw_transact

DOCUMENT = keccak(text="signed draft")


def test_a_signed_draft_is_proposed_and_activated_in_one_transaction(cast: Cast) -> None:
    emc = cast.emc()
    draft, signatures = cast.sign_draft(emc, base_entries(cast), DOCUMENT)
    assert draft["message"]["versionId"] == 3
    assert draft["message"]["nonce"] == 1

    version_id, result = emc.propose_and_activate_version(draft, signatures)

    proposed = emc.event(result, VersionProposed)
    activated = emc.event(result, VersionActivated)
    assert version_id == proposed.version_id == activated.version_id == 3
    assert proposed.document_hash == DOCUMENT
    assert activated.previous_id == 1
    version = emc.version(3)
    assert version.status is VersionStatus.ACTIVE
    assert version.epoch == 1
    assert emc.active_version_id() == 3
    assert emc.version(1).status is VersionStatus.SUPERSEDED
    # Version 2, proposed against the same nonce, can no longer be activated.
    assert emc.version(2).status is VersionStatus.PROPOSED
    # The chain's typed data of the version is the draft the parties signed.
    assert emc.typed_data(3) == draft
    assert emc.version_digest(3) == typed_data_digest(draft)
    assert emc.signers(3) == [s.signer for s in signatures]
    assert emc.shares_of(3, cast.chef.address) == {ShareClass.PARTNER: 1_000}


def _refusal(
    version_id: int, digest: bytes, signatures: list[PartySignature]
) -> tuple[type[ContractRevertError], dict[str, Any]]:
    """What the EMC says of ``signatures`` (sorted by party) when it checks them as version
    ``version_id``'s against ``digest``, another than the one they were made for: they
    recover to strangers, so the first not above the one before it is out of order, else
    the signers are not the parties."""
    recovered = [int(recover_signer(digest, s.signature), 16) for s in signatures]
    for index in range(1, len(recovered)):
        if recovered[index] <= recovered[index - 1]:
            return errors.EmcSignersNotSorted, {"index": index}
    return errors.EmcSignersNotParties, {"versionId": version_id}


def _submit_stale(
    cast: Cast,
    emc: EmcClient,
    draft: dict[str, Any],
    signatures: list[PartySignature],
    stale: str,
) -> None:
    """The SDK refuses the stale ``draft`` before sending; sent anyway, the EMC records
    nothing and refuses the signatures for the id and nonce it would give the version."""
    with pytest.raises(InvalidInputError, match=f"draft of version 3 .* is stale.*{stale}"):
        emc.propose_and_activate_version(draft, signatures)

    message = draft["message"]
    current = emc.draft_typed_data(
        base_entries(cast), message["documentHash"], deadline=message["deadline"]
    )
    ordered = sorted(signatures, key=lambda s: int(s.signer, 16))
    error, args = _refusal(current["message"]["versionId"], typed_data_digest(current), ordered)
    assert_reverts(
        cast,
        lambda: raw_transact(
            cast.as_(cast.owner),
            emc,
            "proposeAndActivateVersion",
            sorted(e.as_abi() for e in base_entries(cast)),
            message["documentHash"],
            message["deadline"],
            emc.current_parties(),
            emc.current_roles().as_abi(),
            b"".join(s.signature for s in ordered),
            ShareTree(base_entries(cast)).roles.as_abi(),
        ),
        error,
        args,
    )


def test_a_draft_is_refused_once_another_version_was_proposed(cast: Cast) -> None:
    emc = cast.emc()
    draft, signatures = cast.sign_draft(emc, base_entries(cast))
    emc.propose_version(base_entries(cast))  # takes id 3, which the draft was signed for
    _submit_stale(cast, emc, draft, signatures, "next version is 4 at nonce 1")
    assert emc.version_count() == 3


def test_a_draft_is_refused_once_another_version_was_activated(cast: Cast) -> None:
    emc = cast.emc()
    draft, signatures = cast.sign_draft(emc, base_entries(cast))
    emc.activate_version(2, cast.sign(emc, 2))  # the nonce moves from 1 to 2; 3 is still next
    _submit_stale(cast, emc, draft, signatures, "next version is 3 at nonce 2")


def test_a_draft_missing_a_signature_records_nothing(cast: Cast) -> None:
    emc = cast.emc()
    draft, signatures = cast.sign_draft(emc, base_entries(cast))
    assert_reverts(
        cast,
        lambda: emc.propose_and_activate_version(draft, signatures[:-1]),
        errors.EmcSignatureCount,
        {"given": 2, "needed": 3},
    )
