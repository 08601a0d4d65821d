// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Accrual
/// @notice The per-account bookkeeping behind O(1) settlement.
/// @dev Every share is a number of basis points of each period's profit, so one cumulative
/// figure (total profit settled) serves all classes: an account that held `bps` while the
/// cumulative profit rose by `delta` earned exactly `bps * delta / 10_000`. Credit is counted
/// in 1/10,000 units so that nothing is rounded away: whole units are paid, the fraction
/// (`dust`) stays with the account until it adds up. Payable and value-added credit keep
/// separate dust, so every payout splits exactly into its classes. Rounding therefore always
/// favours the pool.
library Accrual {
    uint256 internal constant BPS = 10_000;

    /// @notice Set once the account was brought up to date: from then on `checkpoint` is at or
    /// past the start of `epoch`, and `freeBps` and `lockedBps` are its shares in that epoch.
    uint8 internal constant SYNCED = 2;
    /// @notice Set while the account has whole units of locked value-added credit.
    uint8 internal constant HAS_LOCKED = 4;
    /// @notice Set once the account was brought up to date after the value-added pool filled
    /// the sharing space: from its checkpoint on, its value-added shares earn nothing.
    uint8 internal constant POOL_DONE = 8;

    /// @notice An account's position, packed in one slot so that a claim in a period without a
    /// new version reads and writes nothing else of the account. A claim pays everything
    /// payable, so nothing payable is stored: it is recomputed from `checkpoint` each time.
    /// @param epoch The first activation epoch not yet fully accounted for (0 for an account
    /// never brought up to date, which starts from the first).
    /// @param checkpoint Cumulative profit up to which the account is accounted.
    /// @param freeDust Fraction (1/10,000 units) of payable credit not yet a whole unit.
    /// @param lockedDust Fraction of value-added credit not yet a whole unit.
    /// @param freeBps Once synced: the payable basis points (partner, operating, fund) in `epoch`.
    /// @param lockedBps Once synced: the value-added basis points in `epoch`.
    /// @param flags `SYNCED`, `HAS_LOCKED`, `POOL_DONE`.
    /// @param paid Everything paid out to the account.
    struct Position {
        uint32 epoch;
        uint72 checkpoint;
        uint16 freeDust;
        uint16 lockedDust;
        uint16 freeBps;
        uint16 lockedBps;
        uint8 flags;
        uint72 paid;
    }

    /// @notice Credit earned over a stretch of cumulative profit, in 1/10,000 units.
    struct Credit {
        uint256 free;
        uint256 locked;
    }

    function has(Position memory p, uint8 flag) internal pure returns (bool) {
        return p.flags & flag != 0;
    }

    function set(Position memory p, uint8 flag, bool on) internal pure {
        p.flags = on ? p.flags | flag : p.flags & ~flag;
    }

    /// @notice Adds `credit` to `p`'s dust; returns the whole units it makes payable and locked.
    function book(Position memory p, Credit memory credit)
        internal
        pure
        returns (uint256 freeUnits, uint256 lockedUnits)
    {
        uint256 free = credit.free + p.freeDust;
        uint256 locked = credit.locked + p.lockedDust;
        p.freeDust = uint16(free % BPS);
        p.lockedDust = uint16(locked % BPS);
        return (free / BPS, locked / BPS);
    }
}
