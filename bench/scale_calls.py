"""Every share-version, claim, investment and notice call of the simulated year, in one place.

The EMC's share versions are being redesigned (``proposeVersion`` gains the previous
version's parties, ``claim``/``accountOf``/``invest`` take share proofs, a version's entries
become a hash commitment): when the ABI changes, this module is the one :mod:`bench.scale`
adapts. Nothing else in the generator builds these calls' calldata or their signatures.

The parties sign the digest the contract computes (``versionDigest``, read for every EMC
of a round in one JSON-RPC batch) with coincurve, as a wallet signs EIP-712 typed data, and
``activateVersion`` takes them packed against it (:func:`rdh_chain.agreements.pack_signatures`);
:meth:`ShareCalls.check_digest` holds the first EMC of each round to the SDK's typed data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import coincurve
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from bench.batch import BatchRpc, Encoder
from rdh_chain.agreements import pack_signatures, typed_data_digest
from rdh_chain.contracts import EmcClient
from rdh_chain.share_tree import ShareTree
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import PartyRoles, PartySignature, ShareEntry

__all__ = ["ShareCalls", "activate_gas", "propose_gas"]

# Gas limits, fixed so that nothing is estimated (gas costs nothing here: price 0): generous
# bounds on a proposal (checked and emitted per entry) and on an activation (one signature
# recovered per party).
CLAIM_GAS = 400_000
INVEST_GAS = 400_000


def propose_gas(entries: int) -> int:
    return 400_000 + 100_000 * entries


def activate_gas(parties: int) -> int:
    return 400_000 + 40_000 * parties


class ShareCalls:
    """Calldata of ``proposeVersion``, ``activateVersion``, ``claim`` and ``invest``, and the
    parties' signatures of a proposed version."""

    def __init__(self, artifacts: Mapping[str, Artifact]) -> None:
        self._encode = Encoder(EmcClient.abi(artifacts))
        self._keys: dict[ChecksumAddress, coincurve.PrivateKey] = {}

    def propose(
        self,
        entries: Sequence[ShareEntry],
        document_hash: bytes,
        deadline: int,
        active: ShareTree | None,
    ) -> bytes:
        """``proposeVersion`` naming the active version's parties (none before the first)."""
        ordered = sorted(entries, key=lambda e: e.sort_key)
        parties = [] if active is None else active.parties
        roles = PartyRoles() if active is None else active.roles
        return self._encode(
            "proposeVersion",
            [e.as_abi() for e in ordered],
            document_hash,
            deadline,
            parties,
            roles.as_abi(),
        )

    def activate(
        self,
        version_id: int,
        signatures: Sequence[PartySignature],
        digest: bytes,
        tree: ShareTree,
    ) -> bytes:
        """``activateVersion`` with the signatures of ``digest`` (the version's), packed, and
        the roles of its parties (``tree``, its share tree)."""
        packed = pack_signatures(signatures, digest)
        return self._encode("activateVersion", version_id, packed, tree.roles.as_abi())

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

    def digests(
        self, rpc: BatchRpc, versions: Sequence[tuple[ChecksumAddress, int]]
    ) -> list[bytes]:
        """The digest each (EMC, version id) asks its parties to sign, in one batch."""
        results = rpc.batch(
            (
                "eth_call",
                [
                    {"to": emc, "data": "0x" + self._encode("versionDigest", version).hex()},
                    "latest",
                ],
            )
            for emc, version in versions
        )
        return [bytes.fromhex(str(result)[2:]) for result in results]

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

    @staticmethod
    def check_digest(client: EmcClient, version_id: int, digest: bytes) -> None:
        """Raise unless the SDK's typed data of the version hashes to ``digest``."""
        typed: dict[str, Any] = client.typed_data(version_id)
        if typed_data_digest(typed) != digest:
            raise RuntimeError(
                f"version {version_id} of {client.address}: the SDK's typed data and the "
                "contract's digest differ"
            )
