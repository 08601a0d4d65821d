// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {Accrual} from "../libraries/Accrual.sol";
import {ShareTree} from "../libraries/ShareTree.sol";
import {CapitalAccount} from "../types/Capital.sol";
import {ShareProof, SharePath, Version} from "../types/Shares.sol";
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
    /// the account has not been accounted for, taking its share in each from `proofs` (one per
    /// epoch, see `unsyncedEpochs`; none for the development fund, whose share each header
    /// holds); in the common case (no new version since its last claim) that is one epoch whose
    /// shares the position caches, so nothing but the position and slot 1 is read. Value-added
    /// credit accrues only on the cumulative profit up to `_poolFullAt` (read only for an
    /// account that holds value-added shares). Free and value-added credit keep separate dust.
    /// Amounts never exceed the cumulative profit (< 2**72), so the narrow casts cannot truncate.
    function _earned(address account, ShareProof[] calldata proofs)
        internal
        view
        returns (Accrual.Position memory p, Earned memory e)
    {
        p = _positions[account];
        uint256 epochCount = _epochCount;
        uint256 from = p.has(Accrual.SYNCED) ? p.epoch + 1 : p.epoch;
        uint256 needed = account == _DEV_FUND || from >= epochCount ? 0 : epochCount - from;
        if (proofs.length != needed) revert EmcShareProofCount(account, needed, proofs.length);
        uint256 lockedUnits;
        if (p.epoch < epochCount) {
            uint256 cumProfit = _cumProfit;
            // The common case, no new version since the account's last claim: its cached
            // epoch alone, with no walk (the fund's walk also counts the pool's overflow).
            Accrual.Credit memory credit = from == epochCount && account != _DEV_FUND
                ? _cachedCredit(p, cumProfit)
                : _walkEpochs(p, account, epochCount, cumProfit, proofs, from);
            (e.free, lockedUnits) = p.book(credit);
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

    /// @dev The credit of the epoch `p` caches, from its checkpoint to `cumProfit`: what
    /// `_walkEpochs` gives for that one epoch.
    function _cachedCredit(Accrual.Position memory p, uint256 cumProfit)
        private
        view
        returns (Accrual.Credit memory credit)
    {
        uint256 start = p.checkpoint;
        credit.free = p.freeBps * (cumProfit - start);
        if (p.lockedBps == 0 || p.has(Accrual.POOL_DONE)) return credit;
        if (!_poolFull) {
            credit.locked = p.lockedBps * (cumProfit - start);
        } else {
            uint256 fullAt = _poolFullAt;
            credit.locked = p.lockedBps * (Math.min(cumProfit, fullAt) - Math.min(start, fullAt));
        }
    }

    /// @dev An empty list of share proofs, for the development fund, which needs none.
    function _noProofs() internal pure returns (ShareProof[] calldata proofs) {
        assembly ("memory-safe") {
            proofs.offset := 0
            proofs.length := 0
        }
    }

    /// @dev The epochs `[from, to)` for which `account` must show its share: those its
    /// position has not cached (the development fund: none).
    function _unsynced(Accrual.Position memory p, address account, uint256 epochCount)
        internal
        pure
        returns (uint256 from, uint256 to)
    {
        if (account == _DEV_FUND) return (0, 0);
        from = p.has(Accrual.SYNCED) ? p.epoch + 1 : p.epoch;
        to = epochCount;
        if (from > to) from = to;
    }

    /// @dev One epoch of an account's accounting: where it starts, the account's free and
    /// value-added basis points in it, and (for the fund) the version's value-added ones.
    struct EpochShares {
        uint256 start;
        uint256 freeBps;
        uint256 lockedBps;
        uint256 poolBps;
    }

    /// @dev The credit `account` earned from its checkpoint in epoch `p.epoch` to `cumProfit`;
    /// leaves the shares of the last epoch in `p`. Once the pool is full, value-added shares
    /// earn on cumulative profit up to `_poolFullAt` only, and the development fund earns each
    /// version's value-added basis points on the profit beyond it.
    function _walkEpochs(
        Accrual.Position memory p,
        address account,
        uint256 epochCount,
        uint256 cumProfit,
        ShareProof[] calldata proofs,
        uint256 firstProven
    ) private view returns (Accrual.Credit memory credit) {
        bool full = _poolFull;
        bool fund = account == _DEV_FUND;
        bool fundBeyondPool = full && fund;
        bool poolDone = p.has(Accrual.POOL_DONE);
        uint256 fullAt = full ? _poolFullAt : type(uint256).max;
        // Before the first proven epoch comes only the one the position caches, if any. The
        // fund's shares come from the headers, with no proofs.
        EpochShares memory s = EpochShares(p.checkpoint, p.freeBps, p.lockedBps, 0);
        for (uint256 i = p.epoch; i < epochCount; ++i) {
            if (fund) _fundShares(s, i, i < firstProven);
            else if (i >= firstProven) _epochShares(s, account, i, proofs[i - firstProven]);
            uint256 end = i + 1 < epochCount ? _epochs[i + 1].startProfit : cumProfit;
            credit.free += s.freeBps * (end - s.start);
            if (s.lockedBps != 0 && !poolDone) {
                credit.locked += s.lockedBps * (Math.min(end, fullAt) - Math.min(s.start, fullAt));
            }
            if (fundBeyondPool) credit.free += s.poolBps * (Math.max(end, fullAt) - Math.max(s.start, fullAt));
        }
        p.freeBps = uint16(s.freeBps);
        p.lockedBps = uint16(s.lockedBps);
    }

    /// @dev Fills `s` with the development fund's shares in epoch `i`, from the header (and
    /// its start from the epoch, unless `cached`: the position's checkpoint, already in `s`).
    function _fundShares(EpochShares memory s, uint256 i, bool cached) private view {
        Epoch memory epoch = _epochs[i];
        Version storage v = _versions[epoch.versionId];
        if (!cached) s.start = epoch.startProfit;
        s.freeBps = v.devFundBps;
        s.poolBps = v.valueAddedBps;
    }

    /// @dev Fills `s` with `account`'s shares in epoch `i`, from its `proof` against the
    /// version's share tree.
    function _epochShares(EpochShares memory s, address account, uint256 i, ShareProof calldata proof)
        private
        view
    {
        Epoch memory epoch = _epochs[i];
        Version storage v = _versions[epoch.versionId];
        s.start = epoch.startProfit;
        (uint256 partner, uint256 operating, uint256 valueAdded) = _proven(v, account, i, proof);
        s.freeBps = partner + operating;
        s.lockedBps = valueAdded;
    }

    /// @dev `account`'s basis points in version `v` (activated as epoch `i`) as `proof` shows
    /// them: its own leaf, or two neighbouring leaves with no room for it between.
    function _proven(Version storage v, address account, uint256 i, ShareProof calldata proof)
        private
        view
        returns (uint256 partner, uint256 operating, uint256 valueAdded)
    {
        bytes32 root = v.sharesRoot;
        uint256 count = v.partyCount;
        SharePath calldata path = proof.path;
        if (path.account == account) {
            if (!ShareTree.verify(root, count, path)) revert EmcInvalidShareProof(account, i);
            return (path.partnerBps, path.operatingBps, path.valueAddedBps);
        }
        uint256 nextIndex;
        if (path.account != address(0)) {
            if (path.account > account || !ShareTree.verify(root, count, path)) revert EmcInvalidShareProof(account, i);
            nextIndex = path.index + 1;
        }
        SharePath calldata next = proof.next;
        if (next.account == address(0)) {
            if (nextIndex != count) revert EmcInvalidShareProof(account, i);
        } else if (
            next.account <= account || next.index != nextIndex || !ShareTree.verify(root, count, next)
        ) {
            revert EmcInvalidShareProof(account, i);
        }
        return (0, 0, 0);
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
