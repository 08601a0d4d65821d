// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Accrual} from "../../../contracts/libraries/Accrual.sol";
import {TestBase} from "../utils/Test.sol";

/// @notice Fuzz tests of `Accrual`'s rounding: credit counted in 1/10,000 units is paid in
/// whole units and the fraction (dust) kept, so nothing is created or lost, whatever the
/// pieces the credit arrives in; payable and value-added credit keep separate dust forever.
contract AccrualTest is TestBase {
    using Accrual for Accrual.Position;

    uint256 internal constant BPS = 10_000;
    // Credit never exceeds bps x cumulative profit < 10,000 x 2**72 (the checkpoint's width).
    uint256 internal constant MAX_CREDIT = BPS << 72;

    function _position(uint256 freeDust, uint256 lockedDust) internal pure returns (Accrual.Position memory p) {
        p.freeDust = uint16(bound(freeDust, 0, BPS - 1));
        p.lockedDust = uint16(bound(lockedDust, 0, BPS - 1));
    }

    /// @notice book: whole units plus the new dust equal the credit plus the old dust.
    function testFuzz_book_conservesCredit(uint256 free, uint256 locked, uint256 freeDust, uint256 lockedDust)
        public
        pure
    {
        free = bound(free, 0, MAX_CREDIT);
        locked = bound(locked, 0, MAX_CREDIT);
        Accrual.Position memory p = _position(freeDust, lockedDust);
        uint256 oldFree = p.freeDust;
        uint256 oldLocked = p.lockedDust;
        (uint256 freeUnits, uint256 lockedUnits) = p.book(Accrual.Credit(free, locked));
        assertEq(freeUnits * BPS + p.freeDust, free + oldFree, "book: payable credit");
        assertEq(lockedUnits * BPS + p.lockedDust, locked + oldLocked, "book: locked credit");
        assertLe(p.freeDust, BPS - 1, "book: payable dust below a unit");
        assertLe(p.lockedDust, BPS - 1, "book: locked dust below a unit");
    }

    /// @notice book is path-independent: credit booked in two pieces pays what it pays at once.
    function testFuzz_book_inPiecesEqualsAtOnce(uint256 a, uint256 b, uint256 c, uint256 d) public pure {
        a = bound(a, 0, MAX_CREDIT);
        b = bound(b, 0, MAX_CREDIT);
        c = bound(c, 0, MAX_CREDIT);
        d = bound(d, 0, MAX_CREDIT);
        Accrual.Position memory split;
        (uint256 f1, uint256 l1) = split.book(Accrual.Credit(a, c));
        (uint256 f2, uint256 l2) = split.book(Accrual.Credit(b, d));
        Accrual.Position memory whole;
        (uint256 f, uint256 l) = whole.book(Accrual.Credit(a + b, c + d));
        assertEq(f1 + f2, f, "book: payable units");
        assertEq(l1 + l2, l, "book: locked units");
        assertEq(split.freeDust, whole.freeDust, "book: payable dust");
        assertEq(split.lockedDust, whole.lockedDust, "book: locked dust");
    }

    /// @notice Payable and value-added dust stay apart for good: credit of one kind never moves
    /// the other's dust, however much of it is booked (there is no merge at the target).
    function testFuzz_book_keepsTheTwoDustsApart(uint256 credit, uint256 freeDust, uint256 lockedDust, bool free)
        public
        pure
    {
        credit = bound(credit, 0, MAX_CREDIT);
        Accrual.Position memory p = _position(freeDust, lockedDust);
        uint256 oldFree = p.freeDust;
        uint256 oldLocked = p.lockedDust;
        (uint256 freeUnits, uint256 lockedUnits) = p.book(free ? Accrual.Credit(credit, 0) : Accrual.Credit(0, credit));
        if (free) {
            assertEq(p.lockedDust, oldLocked, "book: payable credit moved the value-added dust");
            assertEq(lockedUnits, 0, "book: payable credit made value-added units");
            assertEq(freeUnits * BPS + p.freeDust, credit + oldFree, "book: payable credit");
        } else {
            assertEq(p.freeDust, oldFree, "book: value-added credit moved the payable dust");
            assertEq(freeUnits, 0, "book: value-added credit made payable units");
            assertEq(lockedUnits * BPS + p.lockedDust, credit + oldLocked, "book: value-added credit");
        }
    }

    /// @notice Two dusts just under a unit each stay two dusts: neither pays a unit alone.
    function test_book_twoDustsNeverMakeAUnit() public pure {
        Accrual.Position memory p = _position(BPS - 1, BPS - 1);
        (uint256 freeUnits, uint256 lockedUnits) = p.book(Accrual.Credit(0, 0));
        assertEq(freeUnits + lockedUnits, 0, "book: the dusts made a unit");
        assertEq(uint256(p.freeDust) + p.lockedDust, 2 * (BPS - 1), "book: dust lost");
    }

    /// @notice Flags set and clear independently.
    function testFuzz_flags(uint8 flags, uint8 flag, bool on) public pure {
        Accrual.Position memory p;
        p.flags = flags;
        uint8 f = uint8(1 << bound(flag, 1, 3)); // SYNCED, HAS_LOCKED, POOL_DONE
        p.set(f, on);
        assertEq(p.has(f), on, "flags: the flag set");
        assertEq(p.flags & ~f, flags & ~f, "flags: the others untouched");
    }
}
