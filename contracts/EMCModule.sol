// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IEMCModule} from "./interfaces/IEMCModule.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {EMCBidding} from "./emc/EMCBidding.sol";
import {EMCDepartures} from "./emc/EMCDepartures.sol";
import {EMCFunds} from "./emc/EMCFunds.sol";
import {EMCReturns} from "./emc/EMCReturns.sol";
import {EMCStorage} from "./emc/EMCStorage.sol";
import {Accrual} from "./libraries/Accrual.sol";
import {EmcTerms, ShareProof, Version} from "./types/Shares.sol";

/// @title EMCModule
/// @notice The half of the EMC template that no settlement or claim runs through: bids,
/// notices, the development fund, sweeps, capital returns and some views. The factory deploys
/// it once; the template's fallback delegates every call it does not serve to it, so it runs on
/// the calling clone's storage with the template's layout (both inherit `EMCStorage` and
/// declare nothing else). Called directly, it has no owner and status `None`: every change
/// reverts.
contract EMCModule is EMCBidding, EMCDepartures, EMCFunds, EMCReturns {
    constructor(IMemberRegistry registry_, IERC20 token_, address factory_)
        EMCStorage(registry_, token_, factory_)
    {}

    /// @inheritdoc IEMCModule
    function accountOf(address account, ShareProof[] calldata proofs) external view returns (AccountView memory) {
        (Accrual.Position memory p, Earned memory e) = _earned(account, proofs);
        uint256 payable_ = e.free + e.valueAdded;
        if (account == _DEV_FUND) payable_ += _devFundBalance;
        return AccountView({
            claimable: payable_,
            locked: e.locked,
            paid: p.paid,
            dust: uint256(p.freeDust) + p.lockedDust
        });
    }

    /// @inheritdoc IEMCModule
    function unsyncedEpochs(address account) external view returns (uint256 from, uint256 to) {
        return _unsynced(_positions[account], account, _epochCount);
    }

    /// @inheritdoc IEMCModule
    function epochVersion(uint256 epoch) external view returns (uint256) {
        if (epoch >= _epochCount) revert EmcUnknownEpoch(epoch, _epochCount);
        return _epochs[epoch].versionId;
    }

    /// @inheritdoc IEMCModule
    function version(uint256 versionId) external view returns (Version memory) {
        _checkVersionExists(versionId);
        return _versions[versionId];
    }

    /// @inheritdoc IEMCModule
    function activeVersionId() external view returns (uint256) {
        return _activeVersionId;
    }

    /// @inheritdoc IEMCModule
    function versionCount() external view returns (uint256) {
        return _terms.versionCount;
    }

    /// @inheritdoc IEMCModule
    function terms() external view returns (EmcTerms memory) {
        StoredTerms storage t = _terms;
        return EmcTerms({
            targetUsers: t.targetUsers,
            targetRevenue: t.targetRevenue,
            sharingSpace: t.sharingSpace,
            lossThreshold: t.lossThreshold,
            partnerMinBps: t.partnerMinBps,
            partnerMaxBps: t.partnerMaxBps,
            maxNoticePeriods: t.maxNoticePeriods,
            attestAllReports: t.attestAllReports,
            metadata: t.metadata
        });
    }

    /// @inheritdoc IEMCModule
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IEMCModule
    function token() external view returns (address) {
        return address(_token);
    }
}
