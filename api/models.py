"""What the gateway returns: Pydantic output models built from the SDK's typed values.

Amounts are settlement credit in fen (the token's unit, exact integers) with the
RMB text people read beside them; addresses are EIP-55 checksummed; enums are
lower-case names, never the contracts' ordinals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, cast

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from rdh_chain.deployment import Deployment
from rdh_chain.ledger import MemberShare
from rdh_chain.types import (
    CapitalHolding,
    CapitalTotals,
    Departure,
    EmcTerms,
    Member,
    Pool,
    Position,
    ShareClass,
    ShareEntry,
    Totals,
    Version,
)
from rdh_chain.validation import format_amount

ShareClassName = Literal["partner", "operating", "value_added", "dev_fund"]
EmcStatusName = Literal["none", "bidding", "active", "dissolved", "closed"]
VersionStatusName = Literal["none", "proposed", "active", "superseded"]
MemberStatusName = Literal["none", "active", "suspended"]
RoleName = Literal[
    "operator", "steward", "me", "partner", "auditor", "treasury", "registrar", "contract"
]


def _percent(bps: int) -> str:
    """Basis points as a percentage with two decimals, exactly (600 -> "6.00")."""
    return f"{bps // 100}.{bps % 100:02d}"


def _hex(raw: bytes) -> str:
    return "0x" + raw.hex()


def _time(timestamp: int) -> datetime | None:
    """A block timestamp as UTC time; the contracts use 0 for "not yet"."""
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else None


def _class_name(share_class: ShareClass) -> ShareClassName:
    return cast(ShareClassName, share_class.name.lower())


class _Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorPublic(_Public):
    """Every error answer: what went wrong and what to do, and the exception's class."""

    detail: str = Field(examples=["No Ethereum node answers at http://127.0.0.1:8545 ..."])
    error: str = Field(examples=["ChainNotRunningError"])


class AmountPublic(_Public):
    """Settlement credit: exact fen, and the same amount as RMB text."""

    fen: int = Field(examples=[5790600])
    rmb: str = Field(
        description="RMB with two decimals and thousands separators.", examples=["57,906.00"]
    )

    @classmethod
    def of(cls, fen: int) -> AmountPublic:
        return cls(fen=fen, rmb=format_amount(fen))


class DeploymentPublic(_Public):
    """Where the rdh-chain contracts are on the chain the gateway reads."""

    chain_id: int
    registry: ChecksumAddress
    token: ChecksumAddress
    factory: ChecksumAddress
    guidelines: ChecksumAddress
    admin: ChecksumAddress
    block: int = Field(description="The block the deployment started in.")

    @classmethod
    def from_sdk(cls, deployment: Deployment) -> DeploymentPublic:
        return cls(
            chain_id=deployment.chain_id,
            registry=deployment.registry,
            token=deployment.token,
            factory=deployment.factory,
            guidelines=deployment.guidelines,
            admin=deployment.admin,
            block=deployment.block,
        )


IndexStateName = Literal[
    "synced", "behind", "missing", "other-deployment", "reorged", "lagging-standby"
]


class ReplicaPublic(_Public):
    """The PostgreSQL hot standby the gateway reads the index from, and its replay."""

    lag_seconds: float = Field(
        description="How far its replay is behind the primary: 0 while it has applied all "
        "the WAL it received, else the seconds since it last applied a transaction (an "
        "upper bound).",
        examples=[0.0],
    )
    unreplayed_bytes: int = Field(description="WAL received from the primary, not applied yet.")
    receiving: bool = Field(
        description="Whether its WAL receiver runs (false: it lost the primary; its answers "
        "stay at what it last replayed)."
    )
    replayed_lsn: str = Field(
        description="The last WAL location it applied.", examples=["0/3421918"]
    )
    replayed_at: datetime | None = Field(
        description="When the last transaction it applied was committed on the primary."
    )


class IndexHealthPublic(_Public):
    """How far the event index (which history and lists read) is behind the chain."""

    state: IndexStateName = Field(
        description="synced: at the head; behind: catching up; missing: no index, never "
        "synced or unreadable; other-deployment: another deployment's; reorged: at a block "
        "the chain no longer has (the indexer rolls it back); lagging-standby: a hot standby "
        "further behind its primary than RDH_GATEWAY_MAX_REPLICA_LAG_S (index reads answer "
        "503)."
    )
    url: str = Field(description="Where the gateway reads the index (password hidden).")
    deployment_matches: bool | None = Field(
        description="Whether the index belongs to this deployment (None: no checkpoint)."
    )
    checkpoint_block: int | None = Field(description="The last block the index holds.")
    checkpoint_time: datetime | None
    head: int = Field(description="The chain's latest block.")
    lag_blocks: int | None = Field(description="Blocks the index is behind the head.")
    lag_seconds: int | None = Field(
        description="Seconds between the checkpoint's block and the head's (when both times "
        "are known)."
    )
    replica: ReplicaPublic | None = Field(
        default=None,
        description="Set when the gateway reads a hot standby of the index (null: the "
        "primary, or SQLite).",
    )
    detail: str | None = Field(description="What to do when the index cannot serve.")


class HealthPublic(_Public):
    """The chain answers and the contracts of the deployment record are on it."""

    status: Literal["ok"] = "ok"
    chain_id: int
    block: int = Field(description="The chain's latest block number.")
    deployment: DeploymentPublic
    index: IndexHealthPublic


class TermsPublic(_Public):
    """What the platform set when it registered the EMC."""

    target_users: int
    target_revenue: AmountPublic
    sharing_space: AmountPublic = Field(
        description="The value-added sharing space the target earns."
    )
    loss_threshold: AmountPublic = Field(
        description="Cumulative losses at which the EMC dissolves itself."
    )
    partner_min_bps: int = Field(description="The smallest share a partner may be given.")
    partner_max_bps: int = Field(description="The largest share a partner may be given.")
    max_notice_periods: int = Field(description="The longest departure notice, in periods.")
    attest_all_reports: bool = Field(
        description="Whether every period report needs an auditor's attestation (otherwise "
        "only a loss drawn on invested capital does)."
    )
    metadata: str = Field(description="bytes32 reference to the EMC's off-chain description.")

    @classmethod
    def from_sdk(cls, terms: EmcTerms) -> TermsPublic:
        return cls(
            target_users=terms.target_users,
            target_revenue=AmountPublic.of(terms.target_revenue),
            sharing_space=AmountPublic.of(terms.sharing_space),
            loss_threshold=AmountPublic.of(terms.loss_threshold),
            partner_min_bps=terms.partner_min_bps,
            partner_max_bps=terms.partner_max_bps,
            max_notice_periods=terms.max_notice_periods,
            attest_all_reports=terms.attest_all_reports,
            metadata=_hex(terms.metadata),
        )


class TotalsPublic(_Public):
    """An EMC's running totals over all settled periods."""

    periods: int
    users: int
    revenue: AmountPublic
    profit: AmountPublic
    paid: AmountPublic = Field(description="Claimed by members so far.")
    dev_fund_withdrawn: AmountPublic
    target_reached: bool = Field(description="Whether the value-added pool is unlocked.")

    @classmethod
    def from_sdk(cls, totals: Totals) -> TotalsPublic:
        return cls(
            periods=totals.periods,
            users=totals.users,
            revenue=AmountPublic.of(totals.revenue),
            profit=AmountPublic.of(totals.profit),
            paid=AmountPublic.of(totals.paid),
            dev_fund_withdrawn=AmountPublic.of(totals.dev_fund_withdrawn),
            target_reached=totals.target_reached,
        )


class PositionPublic(_Public):
    """Where an account stands in one EMC."""

    claimable: AmountPublic = Field(description="Payable now with a claim.")
    locked: AmountPublic = Field(description="Value-added credit waiting for the target.")
    paid: AmountPublic = Field(description="Paid out so far.")
    dust: int = Field(description="Remainder in 1/10,000 fen, kept by the pool until it adds up.")

    @classmethod
    def from_sdk(cls, position: Position) -> PositionPublic:
        return cls(
            claimable=AmountPublic.of(position.claimable),
            locked=AmountPublic.of(position.locked),
            paid=AmountPublic.of(position.paid),
            dust=position.dust,
        )


class CapitalTotalsPublic(_Public):
    """An EMC's pooled capital and its losses. The capital pays each loss, as far as it goes,
    to the ME that reports it; the EMC dissolves once its losses reach the terms' threshold,
    and the capital left is paid back pro rata to the units held."""

    capital: AmountPublic = Field(description="What the pool is worth now.")
    total_units: int = Field(description="Units outstanding in the current era.")
    era: int = Field(description="Starts anew each time a loss wipes the capital out.")
    invested: AmountPublic = Field(description="Everything ever invested.")
    losses: AmountPublic = Field(description="Cumulative losses reported.")
    losses_covered: AmountPublic = Field(description="The part of the losses the capital paid.")
    returned: AmountPublic = Field(description="Capital paid back after dissolution.")
    pool_released: AmountPublic = Field(
        description="Value-added credit released when the EMC dissolved short of its target."
    )
    pool_to_investors: AmountPublic = Field(
        description="The part of the released pool owed to the investors in proportion to the "
        "losses their capital bore (at most those losses); the rest went to the fund."
    )
    pool_paid: AmountPublic = Field(description="The investors' part of the pool paid so far.")
    investors: int = Field(description="Accounts that ever invested.")
    claims: int = Field(description="Investors that have claimed after dissolution.")

    @classmethod
    def from_sdk(cls, totals: CapitalTotals) -> CapitalTotalsPublic:
        return cls(
            capital=AmountPublic.of(totals.capital),
            total_units=totals.total_units,
            era=totals.era,
            invested=AmountPublic.of(totals.invested),
            losses=AmountPublic.of(totals.losses),
            losses_covered=AmountPublic.of(totals.losses_covered),
            returned=AmountPublic.of(totals.returned),
            pool_released=AmountPublic.of(totals.pool_released),
            pool_to_investors=AmountPublic.of(totals.pool_to_investors),
            pool_paid=AmountPublic.of(totals.pool_paid),
            investors=totals.investors,
            claims=totals.claims,
        )


class PoolPublic(_Public):
    """The ME value-added pool against the EMC's sharing space: the most the pool ever
    accrues; its part of profit beyond the space goes to the development fund."""

    sharing_space: AmountPublic
    accrued: AmountPublic = Field(description="Value-added credit the pool has accrued.")
    left: AmountPublic = Field(description="What is left of the sharing space.")
    full: bool = Field(description="Whether the pool has filled the sharing space.")
    excess_to_dev_fund: AmountPublic = Field(
        description="The pool's part of profit beyond the space, which went to the fund."
    )

    @classmethod
    def from_sdk(cls, pool: Pool) -> PoolPublic:
        return cls(
            sharing_space=AmountPublic.of(pool.sharing_space),
            accrued=AmountPublic.of(pool.accrued_fen),
            left=AmountPublic.of(pool.left),
            full=pool.full_at_profit != 0,
            excess_to_dev_fund=AmountPublic.of(pool.excess // 10_000),
        )


class CapitalHoldingPublic(_Public):
    """One member's capital in one EMC."""

    units: int = Field(description="Its units of the pool (0 once wiped out or paid back).")
    value: AmountPublic = Field(description="What its units are worth now.")
    invested: AmountPublic = Field(description="Everything it has invested in the EMC.")
    loss_borne: AmountPublic = Field(description="The losses its capital has borne.")
    pool_share: AmountPublic = Field(
        description="Its share of a pool released at dissolution, not yet claimed."
    )
    claimed: bool = Field(description="Whether it has claimed after dissolution.")

    @classmethod
    def from_sdk(cls, holding: CapitalHolding) -> CapitalHoldingPublic:
        return cls(
            units=holding.units,
            value=AmountPublic.of(holding.value),
            invested=AmountPublic.of(holding.invested),
            loss_borne=AmountPublic.of(holding.loss_borne),
            pool_share=AmountPublic.of(holding.pool_share),
            claimed=holding.claimed,
        )


class CapitalAccountPublic(CapitalHoldingPublic):
    """An account's capital in an EMC."""

    emc: ChecksumAddress
    account: ChecksumAddress


class DeparturePublic(_Public):
    """A notice of departure: once its period is settled, a new version may leave the member
    out without its signature; until then its share changes only with its signature."""

    by: Literal["owner", "member"] = Field(
        description="Whether the owner terminated the member or the member resigned."
    )
    effective_period: int = Field(description="The period after whose settlement it applies.")
    effective: bool = Field(description="Whether that period has been settled.")
    noticed_at: datetime
    reason_hash: str

    @classmethod
    def fields(cls, departure: Departure, effective: bool) -> dict[str, Any]:
        return {
            "by": "owner" if departure.by_owner else "member",
            "effective_period": departure.effective_period,
            "effective": effective,
            "noticed_at": datetime.fromtimestamp(departure.noticed_at, UTC),
            "reason_hash": _hex(departure.reason_hash),
        }

    @classmethod
    def from_sdk(cls, departure: Departure, effective: bool) -> DeparturePublic | None:
        """The notice, or None if none was given."""
        return cls(**cls.fields(departure, effective)) if departure.given else None


class MemberDeparturePublic(DeparturePublic):
    """A notice given to one member of the active version."""

    account: ChecksumAddress

    @classmethod
    def of(
        cls, notices: Mapping[ChecksumAddress, Departure], periods: int
    ) -> list[MemberDeparturePublic]:
        """``notices`` by account, ``periods`` the periods settled."""
        return [
            cls(account=account, **cls.fields(d, d.effective(periods)))
            for account, d in notices.items()
        ]


class ShareEntryPublic(_Public):
    """One line of a share version; the development fund's line names the zero address."""

    account: ChecksumAddress
    share_class: ShareClassName
    bps: int
    percent: str = Field(examples=["6.00"])

    @classmethod
    def from_sdk(cls, entry: ShareEntry) -> ShareEntryPublic:
        return cls(
            account=entry.account,
            share_class=_class_name(entry.share_class),
            bps=entry.bps,
            percent=_percent(entry.bps),
        )


class VersionPublic(_Public):
    """A share version with its entries; every version stays readable.

    It takes effect only once every party it names has signed it (EIP-712, see
    ``/emcs/{address}/versions/{id}/typed-data``) before its deadline, and while no
    other version has been activated since it was proposed (its nonce).
    """

    id: int
    status: VersionStatusName
    epoch: int = Field(description="Index in the activation history (0 before activation).")
    from_period: int = Field(description="First period settled under it (0 before activation).")
    proposed_at: datetime | None
    activated_at: datetime | None
    deadline: datetime = Field(description="The last moment the signed version can be activated.")
    nonce: int = Field(
        description="Versions activated when it was proposed; its signatures are void once "
        "another version is activated."
    )
    party_count: int = Field(description="How many wallets must sign it (the fund signs not).")
    parties: list[ChecksumAddress] = Field(
        description="The wallets that must sign it, in ascending address order."
    )
    document_hash: str
    entries_hash: str = Field(description="EIP-712 hash of the entries, as the parties sign it.")
    shares_root: str = Field(
        description="Root of the version's share tree, which the chain keeps instead of the "
        "entries: each account proves its share against it (rdh_chain.share_tree)."
    )
    total_bps: int
    entries: list[ShareEntryPublic] = Field(
        description="By account (the development fund's zero address first), then class."
    )

    @classmethod
    def from_sdk(
        cls, version: Version, entries: list[ShareEntry], parties: list[ChecksumAddress]
    ) -> VersionPublic:
        return cls(
            id=version.id,
            status=cast(VersionStatusName, version.status.name.lower()),
            epoch=version.epoch,
            from_period=version.from_period,
            proposed_at=_time(version.proposed_at),
            activated_at=_time(version.activated_at),
            deadline=datetime.fromtimestamp(version.deadline, UTC),
            nonce=version.nonce,
            party_count=version.party_count,
            parties=parties,
            document_hash=_hex(version.document_hash),
            entries_hash=_hex(version.entries_hash),
            shares_root=_hex(version.shares_root),
            total_bps=sum(e.bps for e in entries),
            entries=[ShareEntryPublic.from_sdk(e) for e in entries],
        )


# -- EIP-712 typed data (eth_signTypedData_v4): keys in camelCase, as wallets expect ----


class _TypedDataPart(_Public):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, serialize_by_alias=True)


class TypedFieldPublic(_TypedDataPart):
    """One member of an EIP-712 struct type."""

    name: str = Field(examples=["versionId"])
    type: str = Field(examples=["uint256"])


class TypedDataTypesPublic(_TypedDataPart):
    """The struct types of a share version's typed data."""

    eip712_domain: list[TypedFieldPublic] = Field(alias="EIP712Domain")
    share_version: list[TypedFieldPublic] = Field(alias="ShareVersion")
    share_entry: list[TypedFieldPublic] = Field(alias="ShareEntry")


class TypedDataDomainPublic(_TypedDataPart):
    """The EIP-712 domain: binds a signature to one chain and one EMC."""

    name: str = Field(examples=["rdh-chain EMC"])
    version: str = Field(examples=["1"])
    chain_id: int
    verifying_contract: ChecksumAddress = Field(description="The EMC's address.")


class TypedShareEntryPublic(_TypedDataPart):
    """An entry as signed: ``shareClass`` is 0 partner, 1 operating, 2 value-added, 3 fund."""

    account: ChecksumAddress
    share_class: int
    bps: int


class TypedShareVersionPublic(_TypedDataPart):
    """The signed message: the version, its entries, document, nonce and deadline."""

    version_id: int
    entries: list[TypedShareEntryPublic]
    document_hash: str = Field(description="bytes32 as 0x + 64 hex digits.")
    nonce: int
    deadline: int = Field(description="Unix time.")


class TypedDataPublic(_TypedDataPart):
    """A share version's EIP-712 typed data in ``eth_signTypedData_v4`` form.

    Pass it as is to a wallet (``eth_signTypedData_v4``); its signature, with the
    signer's address, is what activation needs from each party.
    """

    types: TypedDataTypesPublic
    primary_type: Literal["ShareVersion"]
    domain: TypedDataDomainPublic
    message: TypedShareVersionPublic

    @classmethod
    def from_sdk(cls, typed: Mapping[str, Any]) -> TypedDataPublic:
        message = dict(typed["message"])
        message["documentHash"] = _hex(message["documentHash"])
        return cls.model_validate({**typed, "message": message})


class EmcPublic(_Public):
    """An EMC as listed: owner, lifecycle, terms and totals."""

    address: ChecksumAddress
    owner: ChecksumAddress
    status: EmcStatusName
    terms: TermsPublic
    totals: TotalsPublic
    active_version_id: int | None = Field(description="None until a version is activated.")
    version_count: int = Field(description="Versions ever proposed; their ids run from 1.")


class EmcDetailPublic(EmcPublic):
    """One EMC with its active share version, its development fund, its capital and losses,
    and the notices given to members of its active version."""

    active_version: VersionPublic | None
    dev_fund: PositionPublic
    pool: PoolPublic
    capital: CapitalTotalsPublic
    departures: list[MemberDeparturePublic] = Field(
        description="Notices given to parties of the active version, in signing order."
    )


class MemberPublic(_Public):
    """A registry record."""

    address: ChecksumAddress
    status: MemberStatusName
    since: datetime | None = Field(description="When the member was registered.")
    metadata: str
    roles: list[RoleName]

    @classmethod
    def from_sdk(cls, member: Member) -> MemberPublic:
        return cls(
            address=member.address,
            status=cast(MemberStatusName, member.status.name.lower()),
            since=_time(member.since),
            metadata=_hex(member.metadata),
            roles=[role.value for role in member.roles],
        )


class ClassSharePublic(_Public):
    """The basis points a member holds in one share class."""

    share_class: ShareClassName
    bps: int
    percent: str = Field(examples=["6.00"])


class MemberSharePublic(_Public):
    """A member's promised share in one EMC (active version), and what it was paid and is owed."""

    emc: ChecksumAddress
    account: ChecksumAddress
    version_id: int | None = Field(description="The active version; None before activation.")
    shares: list[ClassSharePublic]
    total_bps: int
    total_percent: str
    position: PositionPublic
    capital: CapitalHoldingPublic
    departure: DeparturePublic | None = Field(description="None unless notice was given.")

    @classmethod
    def from_sdk(cls, share: MemberShare) -> MemberSharePublic:
        return cls(
            emc=share.emc,
            account=share.account,
            version_id=share.version_id or None,
            shares=[
                ClassSharePublic(
                    share_class=_class_name(share_class), bps=bps, percent=_percent(bps)
                )
                for share_class, bps in sorted(share.bps.items())
            ],
            total_bps=share.total_bps,
            total_percent=_percent(share.total_bps),
            position=PositionPublic.from_sdk(share.position),
            capital=CapitalHoldingPublic.from_sdk(share.capital),
            departure=DeparturePublic.from_sdk(share.departure, share.departure_effective),
        )


class MemberSharesPublic(_Public):
    """A member's shares in every EMC that names it (or in one), with the sums over them."""

    account: ChecksumAddress
    emcs: list[MemberSharePublic]
    claimable: AmountPublic
    locked: AmountPublic
    paid: AmountPublic

    @classmethod
    def from_sdk(cls, account: ChecksumAddress, shares: list[MemberShare]) -> MemberSharesPublic:
        return cls(
            account=account,
            emcs=[MemberSharePublic.from_sdk(s) for s in shares],
            claimable=AmountPublic.of(sum(s.position.claimable for s in shares)),
            locked=AmountPublic.of(sum(s.position.locked for s in shares)),
            paid=AmountPublic.of(sum(s.position.paid for s in shares)),
        )
