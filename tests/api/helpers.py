"""What the gateway tests share: the world they read and how the gateway writes values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from rdh_chain.config import Settings
from rdh_chain.deployment import Deployment
from rdh_chain.types import ZERO_ADDRESS, EmcTerms, PeriodReport, ShareClass, ShareEntry
from rdh_chain.validation import format_amount

SMART_COOKING_TERMS = EmcTerms(
    target_users=20_000,
    target_revenue=10_000_000_00,
    sharing_space=600_000_00,
    loss_threshold=1_000_000_00,
    metadata=bytes.fromhex("5c" * 32),
    partner_min_bps=200,  # partners get 2-6% of profit, as in the source
    partner_max_bps=600,
)
BALCONY_TERMS = EmcTerms(
    target_users=500,
    target_revenue=1_000_000_00,
    sharing_space=50_000_00,
    loss_threshold=100_000_00,
)
# Period 1 misses the revenue target (4M of 10M RMB), so value-added credit stays locked.
PERIOD_1 = PeriodReport(20_000, 20_000, 4_000_000_00, 3_000_000_00, 1_000_000_00)
PERIOD_2 = PeriodReport(100, 100, 1_000_00, 500_00, 500_00)
DEV_FUND_WITHDRAWAL = 1_000_00
VERSION_1_DOC = bytes.fromhex("a1" * 32)
# Signing deadlines: 2100-01-01 and 2101-01-01, 00:00 UTC.
VERSION_1_DEADLINE = 4_102_444_800
VERSION_2_DEADLINE = 4_133_980_800


@dataclass(frozen=True)
class World:
    settings: Settings
    deployment: Deployment
    admin: LocalAccount
    treasury: LocalAccount
    owner: LocalAccount  # ME, owns Smart Cooking
    me2: LocalAccount  # ME in Smart Cooking's value-added pool, owns Balcony
    chef: LocalAccount  # partner
    farm: LocalAccount  # partner, suspended, named in no EMC
    auditor: LocalAccount  # auditor, named in no EMC: reads every EMC
    stranger: LocalAccount  # never registered
    smart_cooking: ChecksumAddress
    balcony: ChecksumAddress
    # Block timestamps of the events the gateway reports as times.
    chef_since: int
    farm_since: int
    version_1_proposed: int
    version_1_activated: int
    version_2_proposed: int

    def parties(self) -> list[ChecksumAddress]:
        """The wallets both versions name, in signing order (ascending address)."""
        return sorted(
            (self.chef.address, self.owner.address, self.me2.address), key=lambda a: int(a, 16)
        )

    def version_1(self) -> list[ShareEntry]:
        return [
            ShareEntry(self.chef.address, ShareClass.PARTNER, 600),
            ShareEntry(self.owner.address, ShareClass.OPERATING, 7_900),
            ShareEntry(self.me2.address, ShareClass.VALUE_ADDED, 600),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
        ]

    def version_2(self) -> list[ShareEntry]:
        return [
            ShareEntry(self.chef.address, ShareClass.PARTNER, 500),
            ShareEntry(self.owner.address, ShareClass.OPERATING, 8_000),
            ShareEntry(self.me2.address, ShareClass.VALUE_ADDED, 600),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 900),
        ]


def amount(fen: int) -> dict[str, object]:
    """An amount as the gateway writes it; the RMB text is checked once, in the models' tests."""
    return {"fen": fen, "rmb": format_amount(fen)}


def iso(timestamp: int) -> str:
    """A block timestamp as the gateway writes it."""
    return datetime.fromtimestamp(timestamp, UTC).isoformat().replace("+00:00", "Z")
