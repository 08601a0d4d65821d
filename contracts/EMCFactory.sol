// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {EMC} from "./EMC.sol";
import {IEMC} from "./interfaces/IEMC.sol";
import {IEMCFactory} from "./interfaces/IEMCFactory.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "./interfaces/ISettlementToken.sol";
import {Roles} from "./libraries/Roles.sol";
import {EmcTerms} from "./types/Shares.sol";

/// @title EMCFactory
/// @notice Deploys the EMC template once, in its constructor, and a clone of it per EMC.
/// @dev The factory must hold the registry's registrar role so that each clone can be
/// registered as an rdh-chain contract (and so hold the settlement credit).
contract EMCFactory is IEMCFactory {
    IMemberRegistry private immutable _registry;
    ISettlementToken private immutable _token;
    address private immutable _implementation;

    address[] private _emcs;
    mapping(address emc => bool) private _isEmc;

    constructor(IMemberRegistry registry_, ISettlementToken token_) {
        _registry = registry_;
        _token = token_;
        _implementation = address(new EMC(registry_, token_, address(this)));
    }

    /// @inheritdoc IEMCFactory
    function createEmc(address owner, EmcTerms calldata terms) external returns (address emc) {
        if (!_registry.isActive(msg.sender, Roles.OPERATOR)) revert FactoryNotOperator(msg.sender);
        if (!_registry.isActive(owner, Roles.ME)) revert FactoryOwnerNotMe(owner);
        if (terms.targetUsers == 0 || terms.targetRevenue == 0 || terms.sharingSpace == 0) {
            revert FactoryInvalidTerms(terms.targetUsers, terms.targetRevenue, terms.sharingSpace);
        }
        if (terms.partnerMinBps == 0 || terms.partnerMinBps > terms.partnerMaxBps || terms.partnerMaxBps > 10_000) {
            revert FactoryInvalidPartnerBounds(terms.partnerMinBps, terms.partnerMaxBps);
        }
        emc = Clones.clone(_implementation);
        uint256 id = _emcs.length;
        _emcs.push(emc);
        _isEmc[emc] = true;
        _registry.addMember(emc, Roles.CONTRACT, bytes32(id));
        _token.registerSystemContract(emc);
        IEMC(emc).initialize(owner, terms);
        emit EmcCreated(id, emc, owner, msg.sender, terms);
    }

    /// @inheritdoc IEMCFactory
    function implementation() external view returns (address) {
        return _implementation;
    }

    /// @inheritdoc IEMCFactory
    function emcCount() external view returns (uint256) {
        return _emcs.length;
    }

    /// @inheritdoc IEMCFactory
    function emcAt(uint256 index) external view returns (address) {
        uint256 count = _emcs.length;
        if (index >= count) revert FactoryIndexOutOfRange(index, count);
        return _emcs[index];
    }

    /// @inheritdoc IEMCFactory
    function isEmc(address emc) external view returns (bool) {
        return _isEmc[emc];
    }
}
