"""Every share-version, claim, investment and notice call of the simulated year, in one place.

When the EMC's ABI changes, this module is the one :mod:`bench.scale` adapts. Nothing else in
the generator builds these calls' calldata or their signatures.

Each month's version goes in as a signed draft, as ``Ledger.agree`` sends one: the parties
sign the typed data of the id and nonce the version will get (its digest computed here from
the EMC's EIP-712 domain and :func:`rdh_chain.types.version_struct_hash`) with coincurve, as
a wallet signs, and the owner sends ``proposeAndActivateVersion`` with the signatures packed
(:func:`rdh_chain.agreements.pack_signatures`). :meth:`ShareCalls.check_digest` holds the
first EMC of each round to the SDK's typed data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import coincurve
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from bench.batch import Encoder
from rdh_chain.agreements import (
    domain_separator,
    draft_typed_data,
    pack_signatures,
    typed_data_digest,
    version_digest,
)
from rdh_chain.contracts import EmcClient
from rdh_chain.share_tree import ShareTree
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import PartyRoles, PartySignature, ShareEntry

__all__ = ["CLAIM_GAS", "INVEST_GAS", "Draft", "ShareCalls", "agree_gas"]

# Gas limits, fixed so that nothing is estimated (gas costs nothing here: price 0): generous
# bounds on a version (checked and emitted per entry, one signature recovered per party), a
# claim and an investment.
CLAIM_GAS = 400_000
INVEST_GAS = 400_000


def agree_gas(entries: int, parties: int) -> int:
    return 500_000 + 100_000 * entries + 40_000 * parties


@dataclass(frozen=True)
class Draft:
    """The next version of an EMC, as its parties sign it before it is proposed."""

    emc: ChecksumAddress
    version_id: int
    entries: Sequence[ShareEntry]
    document_hash: bytes
    nonce: int  # the EMC's activations so far
    deadline: int


class ShareCalls:
    """Calldata of ``proposeAndActivateVersion``, ``claim``, ``invest`` and ``terminate``,
    and the parties' signatures of a drafted version."""

    def __init__(self, artifacts: Mapping[str, Artifact], chain_id: int) -> None:
        self._encode = Encoder(EmcClient.abi(artifacts))
        self._chain_id = chain_id
        self._keys: dict[ChecksumAddress, coincurve.PrivateKey] = {}
        self._domains: dict[ChecksumAddress, bytes] = {}

    def draft_digest(self, draft: Draft) -> bytes:
        """The digest the parties of ``draft`` sign."""
        domain = self._domains.get(draft.emc)
        if domain is None:
            domain = self._domains[draft.emc] = domain_separator(self._chain_id, draft.emc)
        return version_digest(
            domain,
            draft.version_id,
            draft.entries,
            document_hash=draft.document_hash,
            nonce=draft.nonce,
            deadline=draft.deadline,
        )

    def agree(
        self,
        draft: Draft,
        tree: ShareTree,
        active: ShareTree | None,
        signatures: Sequence[PartySignature],
        digest: bytes,
    ) -> bytes:
        """``proposeAndActivateVersion`` of ``draft`` (``tree``, its share tree), naming the
        active version's parties (none before the first), with the signatures of
        ``digest``."""
        parties = [] if active is None else active.parties
        roles = PartyRoles() if active is None else active.roles
        return self._encode(
            "proposeAndActivateVersion",
            [e.as_abi() for e in tree.entries],
            draft.document_hash,
            draft.deadline,
            parties,
            roles.as_abi(),
            pack_signatures(signatures, digest),
            tree.roles.as_abi(),
        )

    def claim(self, account: ChecksumAddress, trees: Sequence[ShareTree]) -> bytes:
        """``claim`` with ``account``'s standing in each version of ``trees`` (the epochs
        since its last claim, or since it was first named)."""
        return self._encode("claim", [tree.proof(account).as_abi() for tree in trees])

    def invest(self, amount: int, account: ChecksumAddress, active: ShareTree) -> bytes:
        return self._encode("invest", amount, active.party_path(account).as_abi())

    def terminate(
        self, account: ChecksumAddress, notice: int, reason: bytes, active: ShareTree
    ) -> bytes:
        return self._encode(
            "terminate", account, notice, reason, active.party_path(account).as_abi()
        )

    def sign(self, digest: bytes, parties: Sequence[LocalAccount]) -> list[PartySignature]:
        """Every party's 65-byte signature (v 27 or 28) of ``digest``."""
        signatures = []
        for party in parties:
            key = self._keys.get(party.address)
            if key is None:
                key = self._keys[party.address] = coincurve.PrivateKey(bytes(party.key))
            raw = key.sign_recoverable(digest, hasher=None)
            signatures.append(PartySignature(party.address, raw[:64] + bytes([27 + raw[64]])))
        return signatures

    def check_digest(self, draft: Draft, digest: bytes) -> None:
        """Raise unless the SDK's typed data of ``draft`` hashes to ``digest``."""
        typed = draft_typed_data(
            self._chain_id,
            draft.emc,
            draft.version_id,
            draft.entries,
            document_hash=draft.document_hash,
            nonce=draft.nonce,
            deadline=draft.deadline,
        )
        if typed_data_digest(typed) != digest:
            raise RuntimeError(
                f"version {draft.version_id} of {draft.emc}: the SDK's typed data and the "
                "draft's digest differ"
            )
