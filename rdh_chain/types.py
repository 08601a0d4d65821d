"""Typed values that cross the SDK's boundary, mirroring the Solidity types."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

from eth_typing import ChecksumAddress, HexAddress, HexStr
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain import limits
from rdh_chain.structs import struct_from_abi
from rdh_chain.validation import to_fen, to_uint

ZERO_ADDRESS = ChecksumAddress(HexAddress(HexStr("0x" + "00" * 20)))
TOTAL_BPS = 10_000
# The 72 bits between a packed share entry's account and its class (ShareEntry.as_abi).
ENTRY_RESERVED = (1 << 72) - 1
# EIP-712's type hash of one share entry, as the parties sign a version's entries.
ENTRY_TYPEHASH = keccak(text="ShareEntry(address account,uint8 shareClass,uint16 bps)")
# And of a version (contracts/emc/EMCVersions.sol), whose struct hash its header keeps.
VERSION_TYPEHASH = keccak(
    text="ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,"
    "uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
)


class Role(StrEnum):
    """Registry roles; ``Role.ME.id`` is the bytes32 the contracts use."""

    OPERATOR = "operator"
    STEWARD = "steward"
    ME = "me"
    PARTNER = "partner"
    AUDITOR = "auditor"
    TREASURY = "treasury"
    REGISTRAR = "registrar"
    CONTRACT = "contract"

    @property
    def id(self) -> bytes:
        return keccak(text=f"rdh.role.{self.value}")

    @classmethod
    def from_id(cls, role_id: bytes) -> Role:
        for role in cls:
            if role.id == role_id:
                return role
        raise ValueError(f"unknown role id 0x{role_id.hex()}")


class MemberStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2


class ShareClass(IntEnum):
    """What a share is for; see ``contracts/types/Shares.sol``."""

    PARTNER = 0
    OPERATING = 1
    VALUE_ADDED = 2
    DEV_FUND = 3


class Strategy(IntEnum):
    """The platform's target guidelines: explore a new market or exploit a known one."""

    EXPLORE = 0
    EXPLOIT = 1


class VersionStatus(IntEnum):
    NONE = 0
    PROPOSED = 1
    ACTIVE = 2
    SUPERSEDED = 3


class EmcStatus(IntEnum):
    """``ACTIVE`` from registration; ``DISSOLVED`` for good once losses reach the threshold."""

    NONE = 0
    ACTIVE = 1
    DISSOLVED = 2


@dataclass(frozen=True)
class ShareEntry:
    """``account`` gets ``bps`` of each period's profit in ``share_class``.

    The development fund's entry uses the zero address.
    """

    account: ChecksumAddress
    share_class: ShareClass
    bps: int

    def as_abi(self) -> int:
        """The entry packed into one word, as ``proposeVersion`` takes it and
        ``VersionProposed`` carries it (contracts/libraries/ShareEntries.sol): the account in
        bits 96-255, the class in bits 16-23, the basis points in bits 0-15."""
        return int(self.account, 16) << 96 | int(self.share_class) << 16 | self.bps

    @classmethod
    def from_word(cls, word: int) -> ShareEntry:
        """The entry ``word`` packs (see ``as_abi``); ValueError if it is not one."""
        if word >> 24 & ENTRY_RESERVED or word >> 256:
            raise ValueError(f"{word:#x} is not a packed share entry: reserved bits are set")
        code = word >> 16 & 0xFF
        if code > max(ShareClass):
            raise ValueError(f"{word:#x} is not a packed share entry: class {code} is unknown")
        return cls(
            account=to_checksum_address(f"{word >> 96:040x}"),
            share_class=ShareClass(code),
            bps=word & 0xFFFF,
        )

    @property
    def sort_key(self) -> tuple[int, int]:
        """The contracts' canonical order: by account (as a number), then by class."""
        return (int(self.account, 16), int(self.share_class))

    @property
    def struct_hash(self) -> bytes:
        """The entry's EIP-712 struct hash (``hashStruct``), as its parties sign it."""
        return keccak(
            ENTRY_TYPEHASH
            + int(self.account, 16).to_bytes(32, "big")
            + int(self.share_class).to_bytes(32, "big")
            + self.bps.to_bytes(32, "big")
        )


def entries_hash(entries: Iterable[ShareEntry]) -> bytes:
    """The EIP-712 hash of a version's entries (the ``entries`` member of its typed data)."""
    return keccak(b"".join(e.struct_hash for e in sorted(entries, key=lambda e: e.sort_key)))


def version_struct_hash(
    version_id: int, entries: Iterable[ShareEntry], document_hash: bytes, nonce: int, deadline: int
) -> bytes:
    """The EIP-712 struct hash of a version (``Version.structHash`` on chain): it commits to
    everything its parties sign."""
    return keccak(
        VERSION_TYPEHASH
        + version_id.to_bytes(32, "big")
        + entries_hash(entries)
        + document_hash
        + nonce.to_bytes(32, "big")
        + deadline.to_bytes(32, "big")
    )


@dataclass(frozen=True)
class EmcTerms:
    """An EMC's target and sharing space (fen), the cumulative losses (fen) at which it
    dissolves, the bounds of a partner's share (bps), the longest departure notice
    (periods) and whether every period report needs an auditor's attestation.

    The sharing space is the most the value-added pool ever accrues; the pool's part of
    profit beyond it goes to the development fund. The default bounds admit any partner
    share; the Smart Cooking template uses 200-600.
    """

    target_users: int
    target_revenue: int
    sharing_space: int
    loss_threshold: int
    metadata: bytes = bytes(32)
    partner_min_bps: int = 1
    partner_max_bps: int = TOTAL_BPS
    max_notice_periods: int = 12
    attest_all_reports: bool = False

    def __post_init__(self) -> None:
        to_uint(self.target_users, "EmcTerms.target_users", limits.TERMS_USERS)
        to_fen(self.target_revenue, "EmcTerms.target_revenue", limits.TERMS_REVENUE)
        to_fen(self.sharing_space, "EmcTerms.sharing_space", limits.TERMS_SHARING_SPACE)
        to_fen(self.loss_threshold, "EmcTerms.loss_threshold", limits.TERMS_LOSS_THRESHOLD)
        to_uint(self.partner_min_bps, "EmcTerms.partner_min_bps", limits.TERMS_PARTNER_BPS)
        to_uint(self.partner_max_bps, "EmcTerms.partner_max_bps", limits.TERMS_PARTNER_BPS)
        to_uint(self.max_notice_periods, "EmcTerms.max_notice_periods", limits.TERMS_NOTICE)

    def as_abi(self) -> tuple[int, int, int, int, int, int, int, bool, bytes]:
        return (
            self.target_users,
            self.target_revenue,
            self.sharing_space,
            self.loss_threshold,
            self.partner_min_bps,
            self.partner_max_bps,
            self.max_notice_periods,
            self.attest_all_reports,
            self.metadata,
        )

    @classmethod
    def from_abi(cls, raw: Mapping[str, Any]) -> EmcTerms:
        """The terms from the contracts' ``EmcTerms`` struct, keyed by its field names."""
        return struct_from_abi(cls, raw)


@dataclass(frozen=True)
class Criteria:
    """The platform's four scores (0-100) of an EMC's scenario."""

    market_capacity: int
    consumption_habits: int
    industry_scale: int
    team_integration: int

    def as_abi(self) -> tuple[int, int, int, int]:
        return (
            self.market_capacity,
            self.consumption_habits,
            self.industry_scale,
            self.team_integration,
        )


@dataclass(frozen=True)
class Formula:
    """A target guideline's formula (see ``contracts/types/Targets.sol``).

    Weights (bps, summing to 10,000) apply to the criteria in ``Criteria``'s order; a
    scenario scoring 100 everywhere (score 1,000,000) gets the full-score targets. The
    loss threshold is ``loss_threshold_bps`` of the revenue target.
    """

    weights_bps: tuple[int, int, int, int]
    users_at_full_score: int
    revenue_at_full_score: int
    sharing_space_bps: int
    partner_min_bps: int
    partner_max_bps: int
    loss_threshold_bps: int
    min_score: int = 0
    max_notice_periods: int = 12
    attest_all_reports: bool = False

    def __post_init__(self) -> None:
        for i, weight in enumerate(self.weights_bps):
            to_uint(weight, f"Formula.weights_bps[{i}]", limits.FORMULA_BPS)
        to_uint(self.users_at_full_score, "Formula.users_at_full_score", limits.FORMULA_USERS)
        to_fen(self.revenue_at_full_score, "Formula.revenue_at_full_score", limits.FORMULA_REVENUE)
        to_uint(self.sharing_space_bps, "Formula.sharing_space_bps", limits.FORMULA_BPS)
        to_uint(self.partner_min_bps, "Formula.partner_min_bps", limits.FORMULA_BPS)
        to_uint(self.partner_max_bps, "Formula.partner_max_bps", limits.FORMULA_BPS)
        to_uint(self.loss_threshold_bps, "Formula.loss_threshold_bps", limits.FORMULA_BPS)
        to_uint(self.min_score, "Formula.min_score", limits.FORMULA_MIN_SCORE)
        to_uint(self.max_notice_periods, "Formula.max_notice_periods", limits.FORMULA_NOTICE)

    def as_abi(
        self,
    ) -> tuple[tuple[int, int, int, int], int, int, int, int, int, int, int, int, bool]:
        return (
            self.weights_bps,
            self.users_at_full_score,
            self.revenue_at_full_score,
            self.sharing_space_bps,
            self.partner_min_bps,
            self.partner_max_bps,
            self.min_score,
            self.loss_threshold_bps,
            self.max_notice_periods,
            self.attest_all_reports,
        )


@dataclass(frozen=True)
class PeriodReport:
    """A period's figures in fen. ``profit`` (at most ``revenue - cost``) is deposited when
    it is settled; a period whose ``cost`` exceeds its ``revenue`` is a loss of the
    difference and deposits nothing (``profit`` 0)."""

    users: int
    units: int
    revenue: int
    cost: int
    profit: int
    document_hash: bytes = bytes(32)

    def __post_init__(self) -> None:
        # The ABI's ranges; the EMC stores cumulative profit in a uint72 and says so itself
        # (EmcAmountTooLarge), which the CLI anticipates (limits.CUMULATIVE_PROFIT).
        to_uint(self.users, "PeriodReport.users", limits.REPORT_USERS)
        to_uint(self.units, "PeriodReport.units", limits.REPORT_UNITS)
        to_fen(self.revenue, "PeriodReport.revenue", limits.REPORT_REVENUE)
        to_fen(self.cost, "PeriodReport.cost", limits.REPORT_COST)
        to_fen(self.profit, "PeriodReport.profit", limits.REPORT_PROFIT)

    @classmethod
    def from_chain(
        cls,
        users: int,
        units: int,
        revenue: int,
        cost: int,
        profit: int,
        document_hash: bytes = bytes(32),
    ) -> PeriodReport:
        """A report as a log's decoder read it: the chain's ABI widths bound its figures
        already, so none is checked again (the constructor checks them)."""
        report = object.__new__(cls)
        report.__dict__.update(
            users=users,
            units=units,
            revenue=revenue,
            cost=cost,
            profit=profit,
            document_hash=document_hash,
        )
        return report

    def as_abi(self) -> tuple[int, int, int, int, int, bytes]:
        return (self.users, self.units, self.revenue, self.cost, self.profit, self.document_hash)

    @property
    def loss(self) -> int:
        """The period's loss (cost above revenue), 0 if it made none."""
        return max(self.cost - self.revenue, 0)


@dataclass(frozen=True)
class ReportAttestation:
    """An auditor's EIP-712 signature of a period report (see ``rdh_chain.reports``)."""

    auditor: ChecksumAddress
    deadline: int
    signature: bytes

    def as_abi(self) -> tuple[str, int, bytes]:
        return (self.auditor, self.deadline, self.signature)


@dataclass(frozen=True)
class Member:
    address: ChecksumAddress
    status: MemberStatus
    since: int
    metadata: bytes
    roles: tuple[Role, ...]


@dataclass(frozen=True)
class Version:
    """A share version's header; ``nonce`` is the number of activations it was proposed
    against, and it can be activated only while that holds and before ``deadline``."""

    id: int
    status: VersionStatus
    epoch: int
    from_period: int
    entry_count: int
    party_count: int
    nonce: int
    proposed_at: int
    activated_at: int
    deadline: int
    proposed_block: int
    value_added_bps: int
    dev_fund_bps: int
    notices_at_proposal: int
    names_member_under_notice: bool
    restrictions_at_proposal: int
    struct_hash: bytes
    shares_root: bytes
    parties_hash: bytes
    # Not on chain (the header keeps `struct_hash`, which commits to them): from the version's
    # VersionProposed event, as EmcClient.version reads it.
    document_hash: bytes
    entries_hash: bytes


@dataclass(frozen=True)
class PartyRoles:
    """Which of a version's parties hold which kinds of share, by their index among the
    parties (sorted by address): bit ``i`` of ``partner_mask`` for a partner share, of
    ``me_mask`` for an operating or value-added one. The header keeps only a hash of them
    with the parties (``parties_hash``); activation and the next proposal pass them."""

    partner_mask: int = 0
    me_mask: int = 0

    def as_abi(self) -> tuple[int, int]:
        return (self.partner_mask, self.me_mask)


@dataclass(frozen=True)
class PartySignature:
    """One party's EIP-712 signature of a share version (65 bytes for an EOA)."""

    signer: ChecksumAddress
    signature: bytes


@dataclass(frozen=True)
class Position:
    """Where an account stands in one EMC, in fen; ``dust`` in 1/10,000 fen."""

    claimable: int
    locked: int
    paid: int
    dust: int


@dataclass(frozen=True)
class Totals:
    periods: int
    users: int
    revenue: int
    profit: int
    paid: int
    dev_fund_withdrawn: int
    target_reached: bool


class BidOutcome(IntEnum):
    """Where a bid stands; see ``contracts/types/Bids.sol``."""

    NONE = 0
    COMMITTED = 1
    REVEALED = 2
    INVITED = 3
    NOT_INVITED = 4
    LAPSED = 5


@dataclass(frozen=True)
class BidRound:
    """A sealed-bid round's header; ``decided_at`` is 0 until the owner invites."""

    id: int
    commit_deadline: int
    reveal_deadline: int
    decided_at: int
    bidder_count: int
    revealed_count: int
    invited_count: int
    document_hash: bytes


@dataclass(frozen=True)
class Bid:
    """One wallet's bid in one round; until it is revealed only ``commitment`` is set."""

    round_id: int
    bidder: ChecksumAddress
    commitment: bytes
    undertaken_users: int
    undertaken_revenue: int
    ask_bps: int
    proposal_hash: bytes
    outcome: BidOutcome

    @property
    def revealed(self) -> bool:
        """Whether its figures are public: a committed or lapsed bid shows only its commitment."""
        return self.outcome not in (BidOutcome.NONE, BidOutcome.COMMITTED, BidOutcome.LAPSED)


@dataclass(frozen=True)
class CapitalTotals:
    """An EMC's pooled capital and losses, in fen (see ``contracts/types/Capital.sol``)."""

    capital: int
    total_units: int
    era: int
    invested: int
    losses: int
    losses_covered: int
    returned: int
    pool_released: int
    pool_to_investors: int
    pool_paid: int
    investors: int
    claims: int


@dataclass(frozen=True)
class CapitalHolding:
    """One member's capital in an EMC: its units, what they are worth now, what it put in,
    the losses its capital bore, its share of a released pool and whether it has claimed."""

    units: int
    value: int
    invested: int
    loss_borne: int = 0
    pool_share: int = 0
    claimed: bool = False


@dataclass(frozen=True)
class Pool:
    """The value-added pool against the sharing space: ``accrued`` and ``excess`` (what went
    to the development fund beyond the space) in 1/10,000 fen, the rest in fen."""

    sharing_space: int
    accrued: int
    left: int
    full_at_profit: int
    excess: int

    @property
    def accrued_fen(self) -> int:
        return self.accrued // TOTAL_BPS


@dataclass(frozen=True)
class Departure:
    """A departure notice; ``effective_period`` 0 means none was given."""

    effective_period: int
    noticed_at: int
    by_owner: bool
    reason_hash: bytes

    @property
    def given(self) -> bool:
        return self.noticed_at != 0

    def effective(self, periods: int) -> bool:
        """Whether the notice has run out once ``periods`` periods are settled."""
        return self.given and periods >= self.effective_period


@dataclass(frozen=True)
class Settlement:
    """What settling one period did, in fen: a loss, what the capital covered (paid to the
    reporter), the cumulative losses, and whether the EMC dissolved, with the capital then
    left to return and the value-added credit released to it (or to the development fund)."""

    period: int
    loss: int = 0
    covered: int = 0
    cumulative_losses: int = 0
    dissolved: bool = False
    capital: int = 0
    pool_released: int = 0
    pool_to_investors: int = 0
    pool_to_dev_fund: int = 0
    auditor: ChecksumAddress | None = None
