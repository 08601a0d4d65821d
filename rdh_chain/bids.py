"""Sealed bids: the commitment a bidder publishes, and the sealed bid it keeps until reveal.

A bid is committed as ``keccak256(abi.encode(emc, roundId, bidder, undertakenUsers,
undertakenRevenue, askBps, proposalHash, salt))``, the hash ``EMC.revealBid`` recomputes.
Binding the EMC, the round and the bidder makes a commitment copied from the mempool
useless to anyone else; the random salt keeps a bid from being guessed by hashing likely
values. The bidder must keep its :class:`SealedBid` (salt included) until it reveals.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain.exceptions import RdhChainError

_COMMITMENT_TYPES = (
    "address",
    "uint256",
    "address",
    "uint64",
    "uint128",
    "uint16",
    "bytes32",
    "bytes32",
)


def bid_commitment(
    emc: str,
    round_id: int,
    bidder: str,
    users: int,
    revenue: int,
    ask_bps: int,
    proposal_hash: bytes,
    salt: bytes,
) -> bytes:
    """The commitment of a bid, exactly as the EMC hashes it on reveal."""
    return keccak(
        encode(
            list(_COMMITMENT_TYPES),
            [
                to_checksum_address(emc),
                round_id,
                to_checksum_address(bidder),
                users,
                revenue,
                ask_bps,
                proposal_hash,
                salt,
            ],
        )
    )


def new_salt() -> bytes:
    """32 random bytes from the operating system's generator."""
    return secrets.token_bytes(32)


@dataclass(frozen=True)
class SealedBid:
    """Everything a bidder needs to reveal: the bid, its salt, and what it was committed to."""

    emc: ChecksumAddress
    round_id: int
    bidder: ChecksumAddress
    users: int
    revenue: int
    ask_bps: int
    proposal_hash: bytes
    salt: bytes

    @classmethod
    def seal(
        cls,
        emc: ChecksumAddress,
        round_id: int,
        bidder: ChecksumAddress,
        users: int,
        revenue: int,
        ask_bps: int,
        proposal_hash: bytes,
        salt: bytes | None = None,
    ) -> SealedBid:
        """A bid with a fresh random salt (or ``salt``)."""
        return cls(
            emc, round_id, bidder, users, revenue, ask_bps, proposal_hash, salt or new_salt()
        )

    @property
    def commitment(self) -> bytes:
        return bid_commitment(
            self.emc,
            self.round_id,
            self.bidder,
            self.users,
            self.revenue,
            self.ask_bps,
            self.proposal_hash,
            self.salt,
        )

    def save(self, path: Path) -> None:
        """Write the sealed bid (readable by the owner of the file only: the salt is secret)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data["proposal_hash"] = "0x" + self.proposal_hash.hex()
        data["salt"] = "0x" + self.salt.hex()
        data["commitment"] = "0x" + self.commitment.hex()
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, path: Path) -> SealedBid:
        """Read a sealed bid written by :meth:`save` and check it against its commitment."""
        try:
            data = json.loads(path.read_text())
            sealed = cls(
                emc=to_checksum_address(data["emc"]),
                round_id=int(data["round_id"]),
                bidder=to_checksum_address(data["bidder"]),
                users=int(data["users"]),
                revenue=int(data["revenue"]),
                ask_bps=int(data["ask_bps"]),
                proposal_hash=bytes.fromhex(data["proposal_hash"].removeprefix("0x")),
                salt=bytes.fromhex(data["salt"].removeprefix("0x")),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RdhChainError(f"cannot read the sealed bid {path}: {exc}") from exc
        if "commitment" in data and data["commitment"] != "0x" + sealed.commitment.hex():
            raise RdhChainError(
                f"the sealed bid {path} was edited: it no longer matches its commitment"
            )
        return sealed
