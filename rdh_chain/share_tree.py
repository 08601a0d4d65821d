"""A share version's share tree: the commitment the contracts keep instead of its entries.

A version's entries live in its ``VersionProposed`` event; on chain the header keeps the
root of a Merkle tree with one leaf per party (every account the entries name but the
development fund), sorted by address, in a complete binary tree whose unused leaves are
zero. A claim, a view of what an account can claim, an investment and a notice show the
account's share with a path from its leaf to the root; an account a version does not name
shows the paths of the two parties on either side of it. ``contracts/libraries/ShareTree.sol``
checks what this module builds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain.exceptions import RdhChainError
from rdh_chain.types import ZERO_ADDRESS, PartyRoles, ShareClass, ShareEntry

__all__ = [
    "NO_PATH",
    "SharePath",
    "ShareProof",
    "ShareTree",
    "ShareTreeError",
]

_LEAF_TYPES = ("address", "uint16", "uint16", "uint16")


class ShareTreeError(RdhChainError):
    """A share tree was asked for something its version does not hold."""


@dataclass(frozen=True, slots=True)
class SharePath:
    """Leaf ``index`` of a share tree (a party's basis points by class) and its path up."""

    index: int
    account: ChecksumAddress
    partner_bps: int
    operating_bps: int
    value_added_bps: int
    siblings: tuple[bytes, ...]

    def as_abi(self) -> tuple[int, str, int, int, int, tuple[bytes, ...]]:
        """The ``SharePath`` struct as web3 encodes it (hashable, as reads are cached)."""
        return (
            self.index,
            self.account,
            self.partner_bps,
            self.operating_bps,
            self.value_added_bps,
            self.siblings,
        )


# What a proof carries where it has no leaf to show (no neighbour on that side).
NO_PATH = SharePath(0, ZERO_ADDRESS, 0, 0, 0, ())


@dataclass(frozen=True, slots=True)
class ShareProof:
    """An account's standing in one version: its own leaf (``next`` unused), or, for an
    account the version does not name, the leaves of the parties just below and just
    above it (either one absent at the ends)."""

    path: SharePath
    next: SharePath = NO_PATH

    def as_abi(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        return (self.path.as_abi(), self.next.as_abi())


def _leaf(account: str, partner: int, operating: int, value_added: int) -> bytes:
    return keccak(encode(_LEAF_TYPES, (account, partner, operating, value_added)))


def _depth(count: int) -> int:
    depth = 0
    while (1 << depth) < count:
        depth += 1
    return depth


@dataclass(frozen=True, slots=True)
class _Party:
    account: ChecksumAddress
    partner_bps: int
    operating_bps: int
    value_added_bps: int

    @property
    def leaf(self) -> bytes:
        return _leaf(self.account, self.partner_bps, self.operating_bps, self.value_added_bps)


class ShareTree:
    """The share tree of one version's entries."""

    def __init__(self, entries: Iterable[ShareEntry]) -> None:
        self.entries = tuple(sorted(entries, key=lambda e: e.sort_key))
        shares: dict[int, dict[ShareClass, int]] = {}
        for entry in self.entries:
            if entry.account == ZERO_ADDRESS:
                continue  # the development fund is a figure of the header, not a party
            shares.setdefault(int(entry.account, 16), {})[entry.share_class] = entry.bps
        self._parties = tuple(
            _Party(
                to_checksum_address(f"0x{key:040x}"),
                held.get(ShareClass.PARTNER, 0),
                held.get(ShareClass.OPERATING, 0),
                held.get(ShareClass.VALUE_ADDED, 0),
            )
            for key, held in sorted(shares.items())
        )
        self._keys = [int(p.account, 16) for p in self._parties]
        self._levels = self._build()

    @property
    def parties(self) -> list[ChecksumAddress]:
        """The parties in the order the contract wants their signatures (by address)."""
        return [p.account for p in self._parties]

    def shares_of(self, account: str) -> dict[ShareClass, int]:
        """``account``'s basis points by class (the classes it holds only)."""
        return {e.share_class: e.bps for e in self.entries if e.account == account}

    def holds(self, account: str) -> bool:
        """Whether the version gives ``account`` a share (the fund aside)."""
        return self._index(account) is not None

    @property
    def root(self) -> bytes:
        return self._levels[-1][0]

    @cached_property
    def roles(self) -> PartyRoles:
        """Which parties hold which kinds of share: what activation and the next proposal pass."""
        partner = me = 0
        for index, p in enumerate(self._parties):
            if p.partner_bps:
                partner |= 1 << index
            if p.operating_bps or p.value_added_bps:
                me |= 1 << index
        return PartyRoles(partner_mask=partner, me_mask=me)

    @cached_property
    def parties_hash(self) -> bytes:
        """The header's ``partiesHash``: ``keccak256(abi.encode(keccak256(abi.encodePacked(
        parties)), partnerMask, meMask))``."""
        listed = keccak(b"".join(bytes(12) + bytes.fromhex(a[2:]) for a in self.parties))
        return keccak(encode(["bytes32", "uint256", "uint256"], [listed, *self.roles.as_abi()]))

    def path(self, index: int) -> SharePath:
        """Leaf ``index`` and its siblings up to the root."""
        party = self._parties[index]
        siblings = []
        position = index
        for level in self._levels[:-1]:
            siblings.append(level[position ^ 1])
            position >>= 1
        return SharePath(
            index,
            party.account,
            party.partner_bps,
            party.operating_bps,
            party.value_added_bps,
            tuple(siblings),
        )

    def party_path(self, account: str) -> SharePath:
        """``account``'s own leaf; raises :class:`ShareTreeError` if the version names it not."""
        index = self._index(account)
        if index is None:
            raise ShareTreeError(
                f"{account} holds no share in this version: only its parties may do this"
            )
        return self.path(index)

    def proof(self, account: str) -> ShareProof:
        """``account``'s standing: its leaf, or the neighbouring leaves that leave no room."""
        index = self._index(account)
        if index is not None:
            return ShareProof(self.path(index))
        key = int(account, 16)
        above = bisect_right(self._keys, key)  # the index of the first party above it
        below = self.path(above - 1) if above > 0 else NO_PATH
        upper = self.path(above) if above < len(self._parties) else NO_PATH
        return ShareProof(below, upper)

    def _index(self, account: str) -> int | None:
        key = int(account, 16)
        i = bisect_right(self._keys, key)
        return i - 1 if i > 0 and self._keys[i - 1] == key else None

    def _build(self) -> list[list[bytes]]:
        count = len(self._parties)
        width = 1 << _depth(count)
        level = [p.leaf for p in self._parties] + [bytes(32)] * (width - count)
        levels = [level]
        while len(level) > 1:
            level = [keccak(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
            levels.append(level)
        return levels
