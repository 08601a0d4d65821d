// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {Accrual} from "../libraries/Accrual.sol";
import {CapitalAccount} from "../types/Capital.sol";
import {Share} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCAccounting
/// @notice The read side of the EMC's money rules, shared by the template and the module:
/// what an account has earned, and what an investor's capital has borne.
abstract contract EMCAccounting is EMCStorage {
    using Accrual for Accrual.Position;

    /// @notice What an account may be paid now, as `_earned` works it out.
    /// @param free Whole units of partner, operating and development-fund credit.
    /// @param valueAdded Whole units of value-added credit payable now (the target is reached).
    /// @param locked Whole units of value-added credit waiting for the target.
    struct Earned {
        uint256 free;
        uint256 valueAdded;
        uint256 locked;
    }

    /// @dev `account`'s position brought up to date and what it has earned. Walks the epochs
    /// the account has not been accounted for; in the common case (no new version since its
    /// last claim) that is one epoch whose shares the position caches, so nothing but the
    /// position and slot 1 is read. Value-added credit accrues only on the cumulative profit
    /// up to `_poolFullAt` (read only for an account that holds value-added shares). Free and
    /// value-added credit keep separate dust. Amounts never exceed the cumulative profit
    /// (< 2**72), so the narrow casts cannot truncate.
    function _earned(address account) internal view returns (Accrual.Position memory p, Earned memory e) {
        p = _positions[account];
        uint256 epochCount = _epochCount;
        uint256 lockedUnits;
        if (p.has(Accrual.KNOWN) && p.epoch < epochCount) {
            uint256 cumProfit = _cumProfit;
            (e.free, lockedUnits) = p.book(_walkEpochs(p, account, epochCount, cumProfit));
            p.set(Accrual.SYNCED, true);
            // Past the fill point (cumProfit is at or beyond it) value-added shares earn no more.
            if (_poolFull) p.set(Accrual.POOL_DONE, true);
            p.epoch = uint32(epochCount - 1);
            p.checkpoint = uint72(cumProfit);
        }
        if (p.has(Accrual.HAS_LOCKED)) lockedUnits += _locked[account];
        if (_targetReached) {
            e.valueAdded = lockedUnits;
        } else if (_poolForfeited) {
            // Dissolved short of the target: the pool was released (see EMCCapital), so the
            // account's value-added credit, dust included, is void.
            p.lockedDust = 0;
        } else {
            e.locked = lockedUnits;
        }
    }

    /// @dev The credit `account` earned from its checkpoint in epoch `p.epoch` to `cumProfit`;
    /// leaves the shares of the last epoch in `p`. Once the pool is full, value-added shares
    /// earn on cumulative profit up to `_poolFullAt` only, and the development fund earns each
    /// version's value-added basis points on the profit beyond it.
    function _walkEpochs(Accrual.Position memory p, address account, uint256 epochCount, uint256 cumProfit)
        private
        view
        returns (Accrual.Credit memory credit)
    {
        bool full = _poolFull;
        bool fund = full && account == _DEV_FUND;
        bool poolDone = p.has(Accrual.POOL_DONE);
        uint256 fullAt = full ? _poolFullAt : type(uint256).max;
        for (uint256 i = p.epoch; i < epochCount; ++i) {
            (uint256 start, uint256 freeBps, uint256 lockedBps) = _epochShares(p, account, i);
            uint256 end = i + 1 < epochCount ? _epochs[i + 1].startProfit : cumProfit;
            credit.free += freeBps * (end - start);
            if (lockedBps != 0 && !poolDone) {
                credit.locked += lockedBps * (Math.min(end, fullAt) - Math.min(start, fullAt));
            }
            if (fund) {
                uint256 poolBps = _versions[_epochs[i].versionId].valueAddedBps;
                credit.free += poolBps * (Math.max(end, fullAt) - Math.max(start, fullAt));
            }
            p.freeBps = uint16(freeBps);
            p.lockedBps = uint16(lockedBps);
        }
    }

    /// @dev Where `account`'s accounting of epoch `i` starts and its free and value-added
    /// basis points in it: from the position's cache in its synced epoch, else from the version.
    function _epochShares(Accrual.Position memory p, address account, uint256 i)
        private
        view
        returns (uint256 start, uint256 freeBps, uint256 lockedBps)
    {
        if (i == p.epoch && p.has(Accrual.SYNCED)) return (p.checkpoint, p.freeBps, p.lockedBps);
        Epoch memory epoch = _epochs[i];
        Share memory s = _shares[epoch.versionId][account];
        return (epoch.startProfit, uint256(s.partnerBps) + s.operatingBps + s.devFundBps, s.valueAddedBps);
    }

    /// @dev `a`'s units in the current era (zero if wiped out) and the losses its capital has
    /// borne up to now.
    function _capitalPosition(CapitalAccount memory a) internal view returns (uint256 units, uint256 borne) {
        units = a.units;
        borne = a.lossBorne;
        bool current = a.era == _capitalEra;
        uint256 index = current ? _lossPerUnit : _eraEndLossPerUnit[a.era];
        if (units != 0) borne += Math.mulDiv(units, index - a.lossIndex, _LOSS_INDEX_SCALE);
        if (!current) units = 0;
    }
}
