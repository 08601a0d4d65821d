// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Accrual
/// @notice The per-account bookkeeping behind O(1) settlement.
/// @dev Every share is a number of basis points of each period's profit, so one cumulative
/// figure (total profit settled) serves all classes: an account that held `bps` while the
/// cumulative profit rose by `delta` earned exactly `bps * delta / 10_000`. Credit is kept in
/// 1/10,000 units so that nothing is rounded away: whole units become claimable, the fraction
/// (`dust`) stays with the account until it adds up. Rounding therefore always favours the pool.
library Accrual {
    uint256 internal constant BPS = 10_000;

    /// @notice An account's position. Packed in one slot.
    /// @param known Set once the account is named in any version; unknown accounts hold nothing.
    /// @param synced Set once the account was brought up to date: from then on `checkpoint`
    /// is at or past the start of `epoch`, so that epoch's start need not be read.
    /// @param epoch The first activation epoch not yet fully accounted for.
    /// @param checkpoint Cumulative profit up to which the account is accounted.
    /// @param freeDust Fraction (1/10,000 units) of payable credit not yet a whole unit.
    /// @param lockedDust Fraction of value-added credit not yet a whole unit.
    /// @param claimable Whole units payable now.
    struct Position {
        bool known;
        bool synced;
        uint32 epoch;
        uint88 checkpoint;
        uint16 freeDust;
        uint16 lockedDust;
        uint88 claimable;
    }

    /// @notice What an account holds beside its position: locked value-added credit and
    /// everything paid out. One slot, so a claim reads and writes it once.
    struct Book {
        uint128 locked;
        uint128 paid;
    }

    /// @notice Credit earned over a stretch of cumulative profit, in 1/10,000 units.
    struct Credit {
        uint256 free;
        uint256 locked;
    }

    /// @notice Adds `credit` to `p`, returning the whole units of value-added credit to lock.
    function book(Position memory p, Credit memory credit) internal pure returns (uint256 lockedUnits) {
        uint256 free = credit.free + p.freeDust;
        uint256 locked = credit.locked + p.lockedDust;
        p.claimable = uint88(p.claimable + free / BPS);
        p.freeDust = uint16(free % BPS);
        p.lockedDust = uint16(locked % BPS);
        return locked / BPS;
    }

    /// @notice Turns `locked` whole units and the locked dust of `p` into payable credit.
    function unlock(Position memory p, uint256 locked) internal pure {
        uint256 dust = uint256(p.freeDust) + p.lockedDust;
        p.claimable = uint88(p.claimable + locked + dust / BPS);
        p.freeDust = uint16(dust % BPS);
        p.lockedDust = 0;
    }
}
