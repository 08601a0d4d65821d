// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IEMCModule} from "../interfaces/IEMCModule.sol";
import {Accrual} from "../libraries/Accrual.sol";
import {CapitalAccount, CapitalTotals, PoolView} from "../types/Capital.sol";
import {EmcStatus} from "../types/Shares.sol";
import {EMCAccounting} from "./EMCAccounting.sol";

/// @title EMCReturns
/// @notice What a dissolved EMC pays back to its investors, and the capital and pool views.
abstract contract EMCReturns is EMCAccounting, IEMCModule {
    using SafeERC20 for IERC20;

    /// @inheritdoc IEMCModule
    function claimCapital() external returns (uint256 amount) {
        _checkStatus(EmcStatus.Dissolved);
        CapitalAccount storage account = _capitalAccounts[msg.sender];
        if (account.invested == 0 || account.claimed) revert EmcNothingToClaim(msg.sender);
        (uint256 units, uint256 borne) = _capitalPosition(account);
        uint256 capital = _capital;
        uint256 totalUnits = _capitalUnits;
        // Pro rata of what is left; the last units out take the rounding remainder.
        uint256 returned = units == 0 ? 0 : units * capital / totalUnits;
        uint256 claims = _capitalClaims + 1;
        uint256 poolShare = _poolShare(borne, claims == _investorCount);
        account.units = 0;
        account.lossBorne = uint128(borne);
        account.lossIndex = _lossPerUnit;
        account.claimed = true;
        _capital = uint128(capital - returned);
        _capitalUnits = uint128(totalUnits - units);
        _capitalReturned += uint128(returned);
        _capitalClaims = uint32(claims);
        _poolPaid += uint128(poolShare);
        amount = returned + poolShare;
        emit CapitalReturned(msg.sender, returned, units, poolShare);
        if (amount != 0) _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc IEMCModule
    function capitalTotals() external view returns (CapitalTotals memory) {
        return CapitalTotals({
            capital: _capital,
            totalUnits: _capitalUnits,
            era: _capitalEra,
            invested: _invested,
            losses: _losses,
            lossesCovered: _lossesCovered,
            returned: _capitalReturned,
            poolReleased: _poolReleased,
            poolToInvestors: _poolToInvestors,
            poolPaid: _poolPaid,
            investors: _investorCount,
            claims: _capitalClaims
        });
    }

    /// @inheritdoc IEMCModule
    function capitalOf(address account)
        external
        view
        returns (CapitalAccount memory held, uint256 value, uint256 poolShare)
    {
        held = _capitalAccounts[account];
        (uint256 units, uint256 borne) = _capitalPosition(held);
        held.units = uint128(units);
        held.lossBorne = uint128(borne);
        held.lossIndex = _lossPerUnit;
        uint256 totalUnits = _capitalUnits;
        value = totalUnits == 0 ? 0 : units * _capital / totalUnits;
        if (!held.claimed) poolShare = _poolShare(borne, false);
    }

    /// @inheritdoc IEMCModule
    function pool() external view returns (PoolView memory) {
        uint256 space = _terms.sharingSpace;
        uint256 accrued = _poolAccrued;
        return PoolView({
            sharingSpace: space,
            accrued: accrued,
            left: space - Math.ceilDiv(accrued, Accrual.BPS),
            fullAtProfit: _poolFull ? _poolFullAt : 0,
            excessToDevFund: _poolExcess()
        });
    }

    /// @dev What the versions' value-added basis points earned for the development fund on the
    /// profit beyond the fill point, in 1/10,000 units (a view: walks the epochs).
    function _poolExcess() private view returns (uint256 excess) {
        if (!_poolFull) return 0;
        uint256 fullAt = _poolFullAt;
        uint256 epochCount = _epochCount;
        for (uint256 i; i < epochCount; ++i) {
            Epoch memory epoch = _epochs[i];
            uint256 end = i + 1 < epochCount ? _epochs[i + 1].startProfit : _cumProfit;
            uint256 beyond = Math.max(end, fullAt) - Math.max(epoch.startProfit, fullAt);
            excess += uint256(_versions[epoch.versionId].valueAddedBps) * beyond;
        }
    }

    /// @dev An investor's share of the released pool: pro rata to the losses it bore, or, for
    /// the last investor to claim, what is left of it.
    function _poolShare(uint256 borne, bool last) private view returns (uint256) {
        uint256 toInvestors = _poolToInvestors;
        if (toInvestors == 0) return 0;
        if (last) return toInvestors - _poolPaid;
        return Math.mulDiv(toInvestors, borne, _lossesCovered);
    }
}
