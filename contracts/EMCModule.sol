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
import {Share, ShareClass, ShareEntry} from "./types/Shares.sol";

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
    function versionEntries(uint256 versionId) external view returns (ShareEntry[] memory entries) {
        _checkVersionExists(versionId);
        address[] storage accounts = _versionAccounts[versionId];
        entries = new ShareEntry[](_versions[versionId].entryCount);
        uint256 n;
        for (uint256 i; i < accounts.length; ++i) {
            Share memory s = _shares[versionId][accounts[i]];
            n = _appendEntry(entries, n, accounts[i], ShareClass.Partner, s.partnerBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.Operating, s.operatingBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.ValueAdded, s.valueAddedBps);
            n = _appendEntry(entries, n, accounts[i], ShareClass.DevFund, s.devFundBps);
        }
    }

    /// @inheritdoc IEMCModule
    function shareOf(uint256 versionId, address account) external view returns (Share memory) {
        _checkVersionExists(versionId);
        return _shares[versionId][account];
    }

    /// @inheritdoc IEMCModule
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @inheritdoc IEMCModule
    function token() external view returns (address) {
        return address(_token);
    }

    function _appendEntry(ShareEntry[] memory entries, uint256 n, address account, ShareClass class, uint16 bps)
        private
        pure
        returns (uint256)
    {
        if (bps == 0) return n;
        entries[n] = ShareEntry({account: account, class: class, bps: bps});
        return n + 1;
    }
}
