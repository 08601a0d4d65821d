// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title MemberRegistry
/// @notice Roles come from OpenZeppelin's AccessControl; this contract adds the member
/// record (status and metadata) around them, so that a suspension silences every role at once.
contract MemberRegistry is IMemberRegistry, AccessControl {
    mapping(address account => Member) private _members;
    address[] private _accounts;
    uint256 private _restrictions;

    /// @param admin Receives the registry admin role and the operator role.
    /// @param metadata The admin's member record reference.
    constructor(address admin, bytes32 metadata) {
        if (admin == address(0)) revert RegistryZeroAddress();
        _setRoleAdmin(Roles.OPERATOR, DEFAULT_ADMIN_ROLE);
        _setRoleAdmin(Roles.TREASURY, DEFAULT_ADMIN_ROLE);
        _setRoleAdmin(Roles.REGISTRAR, DEFAULT_ADMIN_ROLE);
        _setRoleAdmin(Roles.STEWARD, Roles.OPERATOR);
        _setRoleAdmin(Roles.ME, Roles.OPERATOR);
        _setRoleAdmin(Roles.PARTNER, Roles.OPERATOR);
        _setRoleAdmin(Roles.AUDITOR, Roles.OPERATOR);
        _setRoleAdmin(Roles.CONTRACT, Roles.REGISTRAR);

        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _register(admin, Roles.OPERATOR, metadata, admin);
    }

    // ---------------------------------------------------------------- members

    /// @inheritdoc IMemberRegistry
    function addMember(address account, bytes32 role, bytes32 metadata) external {
        _checkActive(msg.sender, getRoleAdmin(role));
        if (account == address(0)) revert RegistryZeroAddress();
        if (hasRole(role, account)) revert RegistryRoleAlreadyHeld(account, role);
        _register(account, role, metadata, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function suspendMember(address account, bytes32 reason) external {
        _checkActive(msg.sender, Roles.OPERATOR);
        if (account == msg.sender) revert RegistrySelfSuspension(account);
        if (hasRole(Roles.CONTRACT, account)) revert RegistryCannotSuspendContract(account);
        Member storage m = _members[account];
        if (m.status != MemberStatus.Active) revert RegistryMemberNotActive(account, m.status);
        m.status = MemberStatus.Suspended;
        ++_restrictions;
        emit MemberSuspended(account, reason, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function reinstateMember(address account, bytes32 reason) external {
        _checkActive(msg.sender, Roles.OPERATOR);
        Member storage m = _members[account];
        if (m.status != MemberStatus.Suspended) revert RegistryMemberNotSuspended(account, m.status);
        m.status = MemberStatus.Active;
        emit MemberReinstated(account, reason, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function setMetadata(address account, bytes32 metadata) external {
        _checkActive(msg.sender, Roles.OPERATOR);
        Member storage m = _members[account];
        if (m.status == MemberStatus.None) revert RegistryNotMember(account);
        m.metadata = metadata;
        emit MemberMetadataUpdated(account, metadata, msg.sender);
    }

    /// @dev Roles are granted only through `addMember`, so every role holder has a record.
    function grantRole(bytes32, address) public pure override {
        revert RegistryUseAddMember();
    }

    /// @dev Revoking needs the same active admin role as granting: a suspended admin or
    /// operator may not take roles away.
    function revokeRole(bytes32 role, address account) public override {
        _checkActive(msg.sender, getRoleAdmin(role));
        _revokeRole(role, account);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMemberRegistry
    function isActive(address account, bytes32 role) public view returns (bool) {
        return _members[account].status == MemberStatus.Active && hasRole(role, account);
    }

    /// @inheritdoc IMemberRegistry
    function checkActive(address account, bytes32 role) external view {
        _checkActive(account, role);
    }

    /// @inheritdoc IMemberRegistry
    function transferAllowed(address from, address to) external view returns (bool) {
        if (to != address(0) && _members[to].status == MemberStatus.None) return false;
        if (from == address(0)) return true;
        MemberStatus fromStatus = _members[from].status;
        if (fromStatus == MemberStatus.Active) return true;
        // A suspended member may still redeem its credit with the treasury.
        return fromStatus == MemberStatus.Suspended && isActive(to, Roles.TREASURY);
    }

    /// @inheritdoc IMemberRegistry
    function statusOf(address account) external view returns (MemberStatus) {
        return _members[account].status;
    }

    /// @inheritdoc IMemberRegistry
    function restrictions() external view returns (uint256) {
        return _restrictions;
    }

    /// @inheritdoc IMemberRegistry
    function member(address account) external view returns (Member memory) {
        return _members[account];
    }

    /// @inheritdoc IMemberRegistry
    function memberCount() external view returns (uint256) {
        return _accounts.length;
    }

    /// @inheritdoc IMemberRegistry
    function memberAt(uint256 index) external view returns (address) {
        return _accounts[index];
    }

    // ---------------------------------------------------------------- internals

    function _register(address account, bytes32 role, bytes32 metadata, address by) private {
        Member storage m = _members[account];
        if (m.status == MemberStatus.None) {
            m.status = MemberStatus.Active;
            m.since = uint64(block.timestamp);
            _accounts.push(account);
        }
        m.metadata = metadata;
        _grantRole(role, account);
        emit MemberAdded(account, role, metadata, by);
    }

    function _checkActive(address account, bytes32 role) private view {
        if (!isActive(account, role)) revert RegistryUnauthorized(account, role);
    }
}
