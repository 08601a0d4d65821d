// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";

import {EMC} from "./EMC.sol";
import {EMCModule} from "./EMCModule.sol";
import {IEMC} from "./interfaces/IEMC.sol";
import {IEMCFactory} from "./interfaces/IEMCFactory.sol";
import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "./interfaces/ISettlementToken.sol";
import {ITargetGuidelines} from "./interfaces/ITargetGuidelines.sol";
import {Roles} from "./libraries/Roles.sol";
import {EmcStatus, EmcTerms} from "./types/Shares.sol";
import {Criteria, Strategy} from "./types/Targets.sol";

/// @title EMCFactory
/// @notice Deploys the EMC template once, in its constructor, and a clone of it per EMC.
/// @dev The factory must hold the registry's registrar role so that each clone can be
/// registered as an rdh-chain contract (and so hold the settlement credit).
contract EMCFactory is IEMCFactory {
    IMemberRegistry private immutable _registry;
    ISettlementToken private immutable _token;
    ITargetGuidelines private immutable _guidelines;
    address private immutable _implementation;
    /// @dev The runtime code every clone of the template has: `isEmc` needs no storage.
    bytes32 private immutable _cloneCodeHash;

    address[] private _emcs;

    constructor(IMemberRegistry registry_, ISettlementToken token_, ITargetGuidelines guidelines_) {
        _registry = registry_;
        _token = token_;
        _guidelines = guidelines_;
        address module = address(new EMCModule(registry_, token_, address(this)));
        address template = address(new EMC(registry_, token_, address(this), module));
        _implementation = template;
        _cloneCodeHash = keccak256(
            abi.encodePacked(hex"363d3d373d3d3d363d73", template, hex"5af43d82803e903d91602b57fd5bf3")
        );
        emit TemplateDeployed(template, module);
    }

    /// @inheritdoc IEMCFactory
    function createEmc(address owner, Strategy strategy, Criteria calldata criteria, bytes32 metadata)
        external
        returns (address emc)
    {
        (EmcTerms memory terms, uint256 formulaVersion) = _guidelines.generateTerms(strategy, criteria, metadata);
        uint256 id;
        (emc, id) = _create(owner, terms);
        emit EmcTermsGenerated(id, strategy, formulaVersion, criteria);
    }

    /// @inheritdoc IEMCFactory
    function createEmcWithTerms(address owner, EmcTerms calldata terms, bytes32 reason)
        external
        returns (address emc)
    {
        if (reason == bytes32(0)) revert FactoryOverrideWithoutReason();
        uint256 id;
        (emc, id) = _create(owner, terms);
        emit EmcTermsOverridden(id, msg.sender, reason);
    }

    /// @inheritdoc IEMCFactory
    function implementation() external view returns (address) {
        return _implementation;
    }

    /// @inheritdoc IEMCFactory
    function guidelines() external view returns (address) {
        return address(_guidelines);
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
    /// @dev A clone of the template that this factory did not initialize has status `None`.
    function isEmc(address emc) external view returns (bool) {
        return emc.codehash == _cloneCodeHash && IEMC(emc).status() != EmcStatus.None;
    }

    function _create(address owner, EmcTerms memory terms) private returns (address emc, uint256 id) {
        if (!_registry.isActive(msg.sender, Roles.OPERATOR)) revert FactoryNotOperator(msg.sender);
        if (!_registry.isActive(owner, Roles.ME)) revert FactoryOwnerNotMe(owner);
        if (terms.targetUsers == 0 || terms.targetRevenue == 0 || terms.sharingSpace == 0) {
            revert FactoryInvalidTerms(terms.targetUsers, terms.targetRevenue, terms.sharingSpace);
        }
        if (terms.lossThreshold == 0) revert FactoryZeroLossThreshold();
        if (terms.maxNoticePeriods == 0) revert FactoryZeroNoticeBound();
        if (terms.partnerMinBps == 0 || terms.partnerMinBps > terms.partnerMaxBps || terms.partnerMaxBps > 10_000) {
            revert FactoryInvalidPartnerBounds(terms.partnerMinBps, terms.partnerMaxBps);
        }
        emc = Clones.clone(_implementation);
        id = _emcs.length;
        _emcs.push(emc);
        // The EMC's number is in EmcCreated; its registry record needs no reference.
        _registry.addMember(emc, Roles.CONTRACT, bytes32(0));
        _token.registerSystemContract(emc);
        IEMC(emc).initialize(owner, terms);
        emit EmcCreated(id, emc, owner, msg.sender);
    }
}
