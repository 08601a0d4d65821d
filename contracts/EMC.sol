// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IEMC} from "./interfaces/IEMC.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {EMCSettlement} from "./emc/EMCSettlement.sol";
import {EMCStorage} from "./emc/EMCStorage.sol";
import {EMCVersions} from "./emc/EMCVersions.sol";
import {EmcStatus, EmcTerms} from "./types/Shares.sol";

/// @title EMC
/// @notice The fixed EMC template. The factory deploys it once and clones it per EMC; the
/// registry, token, factory and bidding module are immutables of the template, so every clone
/// shares them without storing them.
contract EMC is EMCVersions, EMCSettlement {
    /// @dev Serves `IEMCModule` on each clone's storage (see `fallback`).
    address private immutable _module;

    constructor(IMemberRegistry registry_, IERC20 token_, address factory_, address module_)
        EMCStorage(registry_, token_, factory_)
    {
        _module = module_;
    }

    /// @notice Delegates every call the template does not serve to `EMCModule`, which shares
    /// its storage layout; the module's own reverts come back unchanged.
    fallback() external {
        address module_ = _module;
        assembly ("memory-safe") {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module_, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    /// @inheritdoc IEMC
    function module() external view returns (address) {
        return _module;
    }

    /// @inheritdoc IEMC
    /// @dev No Initializable: `_status` leaves `None` here, and only the factory may call,
    /// in the same transaction that creates the clone.
    function initialize(address owner_, EmcTerms calldata terms_) external {
        if (msg.sender != _factory) revert EmcOnlyFactory(msg.sender);
        if (_status != EmcStatus.None) revert EmcWrongStatus(_status, EmcStatus.None);
        _owner = owner_;
        _status = EmcStatus.Active;
        _attestAll = terms_.attestAllReports;
        _terms = StoredTerms({
            targetUsers: terms_.targetUsers,
            targetRevenue: terms_.targetRevenue,
            sharingSpace: terms_.sharingSpace,
            lossThreshold: terms_.lossThreshold,
            partnerMinBps: terms_.partnerMinBps,
            partnerMaxBps: terms_.partnerMaxBps,
            maxNoticePeriods: terms_.maxNoticePeriods,
            attestAllReports: terms_.attestAllReports,
            versionCount: 0,
            noticeCount: 0,
            metadata: terms_.metadata
        });
        emit EmcInitialized(owner_, terms_);
    }

    /// @inheritdoc IEMC
    function owner() external view returns (address) {
        return _owner;
    }

    /// @inheritdoc IEMC
    function status() external view returns (EmcStatus) {
        return _status;
    }

}
