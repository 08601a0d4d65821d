"""The win-win value-added statement as the gateway returns it: the JSON of
:func:`rdh_chain.statement_render.statement_json` (what ``rdh statement --format json``
prints), described field by field. Amounts are fen under keys ending in ``_fen``."""

from __future__ import annotations

from typing import Literal

from eth_typing import ChecksumAddress
from pydantic import Field

from api.models import _Public


class StatementSelectionPublic(_Public):
    from_period: int
    to_period: int


class StatementTermsPublic(_Public):
    target_users: int
    target_revenue_fen: int
    sharing_space_fen: int


class UserResourcesPublic(_Public):
    """Element 1: users in the period (or in all), to date, and the target."""

    users: int
    users_to_date: int
    target_users: int


class PlatformValuePublic(_Public):
    """Element 3: total ecosystem platform value (ecosystem revenue) against the target."""

    revenue_fen: int
    revenue_to_date_fen: int
    target_revenue_fen: int


class RevenuesPublic(_Public):
    """Element 4: revenues, as reported."""

    revenue_fen: int


class CostsPublic(_Public):
    """Element 5: costs as reported, the profit and loss, who reported and who attested."""

    cost_fen: int
    profit_fen: int
    loss_fen: int
    reporter: ChecksumAddress | None
    attested_by: ChecksumAddress | None
    document_hash: str | None


class MarginalGainsPublic(_Public):
    """Element 6: profit per unit and its change from the period before.

    ``*_fen`` are decimal strings rounded to 1/10,000 fen; ``profit_per_unit`` and
    ``change`` the exact ``[numerator, denominator]`` in fen; ``change_ratio`` a decimal
    (0.125 is a rise of 12.5%). None where unknown (no units, no period before).
    """

    units: int
    profit_fen: int
    profit_per_unit_fen: str | None
    profit_per_unit: list[int] | None
    change_fen: str | None
    change: list[int] | None
    change_ratio: str | None


class CumulativeGainsPublic(MarginalGainsPublic):
    per_unit_rose: int = Field(description="Periods shown whose profit per unit rose.")
    per_unit_held: int
    per_unit_fell: int


class StatementPeriodPublic(_Public):
    period: int
    version_id: int
    block_number: int
    block_time: int | None
    transaction_hash: str
    user_resources: UserResourcesPublic
    platform_value: PlatformValuePublic
    revenues: RevenuesPublic
    costs: CostsPublic
    marginal_gains: MarginalGainsPublic
    earned_fen: dict[ChecksumAddress, int] = Field(
        description="Whole fen each provider earned in the period."
    )
    sharing_space_earned_fen: int
    target_reached: bool


class StatementCumulativePublic(_Public):
    periods: int
    last_period: int
    user_resources: UserResourcesPublic
    platform_value: PlatformValuePublic
    revenues: RevenuesPublic
    costs: CostsPublic
    marginal_gains: CumulativeGainsPublic
    target_reached_in: int | None


class ProviderSharePublic(_Public):
    version_id: int
    share_class: Literal["partner", "operating", "value-added", "dev-fund"] = Field(
        alias="class", serialization_alias="class"
    )
    bps: int


class ResourceProviderPublic(_Public):
    """Element 2: a partner, an ME or the development fund, by name, with its shares under
    each version, what it earned and was paid, and (read from the chain at
    ``positions_block``) what it can claim and what is locked."""

    account: ChecksumAddress
    name: str | None
    kind: str
    shares: list[ProviderSharePublic]
    earned_fen: int
    earned_value_added_fen: int
    paid_fen: int
    paid_value_added_fen: int
    claimable_fen: int | None
    locked_fen: int | None


class StatementVersionPublic(_Public):
    version_id: int
    from_period: int
    value_added_bps: int
    signers: list[ChecksumAddress]
    document_hash: str
    block_number: int


class SharingSpacePublic(_Public):
    """The value-added sharing space: earned by the ME pool, paid from it, left."""

    space_fen: int
    earned_fen: int
    paid_fen: int
    left_fen: int
    owed_fen: int
    filled_in: int | None
    unlocked_in: int | None
    released_fen: int


class StatementPublic(_Public):
    """An EMC's win-win value-added statement over the periods selected."""

    emc: ChecksumAddress
    name: str | None
    title: str
    as_of_block: int = Field(description="The last block whose events were read.")
    positions_block: int | None = Field(
        description="The block the providers' claimable and locked amounts were read at."
    )
    settled_periods: int
    dissolved_in: int | None
    selection: StatementSelectionPublic
    terms: StatementTermsPublic
    periods: list[StatementPeriodPublic]
    cumulative: StatementCumulativePublic
    resource_providers: list[ResourceProviderPublic]
    versions: list[StatementVersionPublic]
    sharing_space: SharingSpacePublic
