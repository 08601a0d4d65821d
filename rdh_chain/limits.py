"""The largest figure each contract field takes, so that input is refused before it is sent.

The types are those of ``contracts/types/*.sol`` and ``contracts/emc/*.sol``;
``tests/sdk/test_limits.py`` checks them against the compiled ABI. Where the EMC keeps a
figure in a narrower slot than its ABI type (cumulative profit is a uint72, a member's
invested capital a uint96), the CLI refuses a larger one early: the contract would
revert anyway. The SDK's clients check the ABI types themselves (see
``rdh_chain.validation.check_abi_args``), so the contracts' own guards stay reachable.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """A contract field: ``abi_type`` (``uint64``...) bounds it, ``field`` names it."""

    abi_type: str
    field: str
    why: str = ""

    @property
    def bits(self) -> int:
        return uint_bits(self.abi_type)

    @property
    def max(self) -> int:
        return (1 << self.bits) - 1

    def reason(self, fen: bool) -> str:
        """Why ``max`` is the largest value, for messages: ``PeriodReport.users is a uint64``."""
        return self.why or f"{self.field} is a {self.abi_type}{' of fen' if fen else ''}"


def uint_bits(abi_type: str) -> int:
    """The width of ``uint8`` ... ``uint256`` (``uint`` is ``uint256``)."""
    digits = abi_type.removeprefix("uint") or "256"
    if abi_type.startswith("uint") and digits.isascii() and digits.isdigit():
        bits = int(digits)
        if bits % 8 == 0 and 8 <= bits <= 256:
            return bits
    raise ValueError(f"not an unsigned ABI integer type: {abi_type!r}")


UINT256 = Limit("uint256", "a uint256")

# PeriodReport (contracts/types/Shares.sol): one period's figures.
REPORT_USERS = Limit("uint64", "PeriodReport.users")
REPORT_UNITS = Limit("uint64", "PeriodReport.units")
REPORT_REVENUE = Limit("uint128", "PeriodReport.revenue")
REPORT_COST = Limit("uint128", "PeriodReport.cost")
REPORT_PROFIT = Limit("uint128", "PeriodReport.profit")
# EMCStorage._MAX_CUMULATIVE: a profit (or a development-fund withdrawal, paid out of the
# profit) above it could never be settled, however empty the EMC.
CUMULATIVE_PROFIT = Limit("uint72", "an EMC's cumulative profit")
# SettlementToken.mint takes a uint256, but credit is minted to be settled in an EMC.
MINT = Limit(
    "uint72",
    "a mint",
    why="more could never be settled: an EMC's cumulative profit is a uint72 of fen",
)
# CapitalAccount (contracts/types/Capital.sol); EMC.invest takes a uint256.
INVESTED = Limit("uint96", "CapitalAccount.invested")

# Bid (contracts/types/Bids.sol), as EMC.revealBid takes it.
BID_USERS = Limit("uint64", "Bid.undertakenUsers")
BID_REVENUE = Limit("uint128", "Bid.undertakenRevenue")
BID_ASK = Limit("uint16", "Bid.askBps")

# EmcTerms (contracts/types/Shares.sol).
TERMS_USERS = Limit("uint64", "EmcTerms.targetUsers")
TERMS_REVENUE = Limit("uint96", "EmcTerms.targetRevenue")
TERMS_SHARING_SPACE = Limit("uint96", "EmcTerms.sharingSpace")
TERMS_LOSS_THRESHOLD = Limit("uint96", "EmcTerms.lossThreshold")
TERMS_PARTNER_BPS = Limit("uint16", "EmcTerms.partnerMinBps", why="basis points are a uint16")
TERMS_NOTICE = Limit("uint16", "EmcTerms.maxNoticePeriods")

# Formula (contracts/types/Targets.sol).
FORMULA_USERS = Limit("uint64", "Formula.usersAtFullScore")
FORMULA_REVENUE = Limit("uint96", "Formula.revenueAtFullScore")
FORMULA_BPS = Limit("uint16", "Formula.sharingSpaceBps", why="basis points are a uint16")
FORMULA_MIN_SCORE = Limit("uint32", "Formula.minScore")
FORMULA_NOTICE = Limit("uint16", "Formula.maxNoticePeriods")
