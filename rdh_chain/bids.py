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
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.types import BidOutcome, Role, ShareClass, ShareEntry
from rdh_chain.validation import check_abi_args

if TYPE_CHECKING:
    from rdh_chain.contracts import EmcClient, RegistryClient

# What the commitment hashes, as EMC.revealBid names and types it.
_COMMITMENT_INPUTS = (
    {"name": "emc", "type": "address"},
    {"name": "roundId", "type": "uint256"},
    {"name": "bidder", "type": "address"},
    {"name": "undertakenUsers", "type": "uint64"},
    {"name": "undertakenRevenue", "type": "uint128"},
    {"name": "askBps", "type": "uint16"},
    {"name": "proposalHash", "type": "bytes32"},
    {"name": "salt", "type": "bytes32"},
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
    values = (
        to_checksum_address(emc),
        round_id,
        to_checksum_address(bidder),
        users,
        revenue,
        ask_bps,
        proposal_hash,
        salt,
    )
    check_abi_args(_COMMITMENT_INPUTS, values, "bid")
    return keccak(encode([p["type"] for p in _COMMITMENT_INPUTS], list(values)))


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

    def __post_init__(self) -> None:
        values = (self.emc, self.round_id, self.bidder, self.users, self.revenue, self.ask_bps)
        check_abi_args(_COMMITMENT_INPUTS, values, "sealed bid")

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


def entries_from_invited(
    emc: EmcClient, round_id: int, registry: RegistryClient
) -> list[ShareEntry]:
    """A share entry for every bidder invited in ``round_id``, at the share it asked for.

    Registered partners get a partner share, MEs a value-added one (an account holding
    both roles bids as a partner). A bidder that asked for nothing gets no entry.
    """
    bid_round = emc.round(round_id)
    if not bid_round.decided_at:
        raise InvalidInputError(
            f"bid round {round_id} of {emc.address} is not decided yet: after its reveal "
            "deadline the owner invites the winners (`rdh bid invite`)."
        )
    entries = []
    for bidder in emc.bidders(round_id):
        bid = emc.bid(round_id, bidder)
        if bid.outcome is not BidOutcome.INVITED or bid.ask_bps == 0:
            continue
        if registry.has_role(bidder, Role.PARTNER):
            share_class = ShareClass.PARTNER
        elif registry.has_role(bidder, Role.ME):
            share_class = ShareClass.VALUE_ADDED
        else:
            raise InvalidInputError(
                f"{bidder}, invited in bid round {round_id}, is neither a partner nor an ME "
                "of the registry, so it can hold no share; give its entry by hand."
            )
        entries.append(ShareEntry(bidder, share_class, bid.ask_bps))
    return entries


def merge_entries(
    from_bids: Sequence[ShareEntry], by_hand: Sequence[ShareEntry]
) -> list[ShareEntry]:
    """``by_hand`` and the entries of ``from_bids`` it does not override: an entry given by
    hand replaces the bid of the same account in the same class."""
    given = {(e.account, e.share_class) for e in by_hand}
    return [e for e in from_bids if (e.account, e.share_class) not in given] + list(by_hand)
