// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title MemberRegistry
/// @notice Roles come from OpenZeppelin's AccessControl; this contract adds the member
/// record (status, role count and metadata) around them, so that a suspension silences every
/// role at once. The record also mirrors which of the platform's roles (`Roles`) the account
/// holds, in the status's slot: asking whether a member is active in such a role reads one
/// slot, which matters to a proposal asking it about 200 members.
/// @dev No single operator can lock the others out: only an active admin may suspend or
/// reinstate a holder of the operator, treasury, registrar or admin role, nobody suspends
/// itself, and no admin can give up its own admin role, so an active admin always remains
/// and can reinstate everyone.
contract MemberRegistry is IMemberRegistry, AccessControl {
    /// @dev `Member` plus `roleBits`: bit `_roleBit(role)` set while the account holds `role`.
    struct Record {
        MemberStatus status;
        uint64 since;
        uint16 roleCount;
        uint16 roleBits;
        bytes32 metadata;
    }

    /// @dev Where `roleBits` starts in a record's first slot: after `status` (8 bits), `since`
    /// (64) and `roleCount` (16). `firstInactive` reads the slot whole.
    uint256 private constant _ROLE_BITS_SHIFT = 88;

    mapping(address account => Record) private _members;
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
        bool byAdmin = _checkOperatorOrAdmin();
        if (account == msg.sender) revert RegistrySelfSuspension(account);
        if (hasRole(Roles.CONTRACT, account)) revert RegistryCannotSuspendContract(account);
        if (!byAdmin && _isPrivileged(account)) revert RegistryPrivilegedMember(msg.sender, account);
        Record storage m = _members[account];
        if (m.status != MemberStatus.Active) revert RegistryMemberNotActive(account, m.status);
        m.status = MemberStatus.Suspended;
        ++_restrictions;
        emit MemberSuspended(account, reason, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function reinstateMember(address account, bytes32 reason) external {
        bool byAdmin = _checkOperatorOrAdmin();
        if (!byAdmin && _isPrivileged(account)) revert RegistryPrivilegedMember(msg.sender, account);
        Record storage m = _members[account];
        if (m.status != MemberStatus.Suspended) revert RegistryMemberNotSuspended(account, m.status);
        m.status = MemberStatus.Active;
        emit MemberReinstated(account, reason, msg.sender);
    }

    /// @inheritdoc IMemberRegistry
    function setMetadata(address account, bytes32 metadata) external {
        _checkActive(msg.sender, Roles.OPERATOR);
        Record storage m = _members[account];
        if (m.status == MemberStatus.None) revert RegistryNotMember(account);
        m.metadata = metadata;
        emit MemberMetadataUpdated(account, metadata, msg.sender);
    }

    /// @dev Roles are granted only through `addMember`, so every role holder has a record.
    function grantRole(bytes32, address) public pure override {
        revert RegistryUseAddMember();
    }

    /// @dev Revoking needs the same active admin role as granting: a suspended admin or
    /// operator may not take roles away. An admin cannot revoke its own admin role (another
    /// active admin must), so the caller of any admin revocation stays an active admin.
    /// Counts in `restrictions` when `account` held `role`.
    function revokeRole(bytes32 role, address account) public override {
        _checkActive(msg.sender, getRoleAdmin(role));
        if (role == DEFAULT_ADMIN_ROLE && account == msg.sender) revert RegistryAdminSelfRemoval(account);
        _revokeRole(role, account);
    }

    /// @dev Any role but the admin role may be renounced (and counts in `restrictions`).
    function renounceRole(bytes32 role, address callerConfirmation) public override {
        if (role == DEFAULT_ADMIN_ROLE) revert RegistryAdminSelfRemoval(msg.sender);
        super.renounceRole(role, callerConfirmation);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMemberRegistry
    function isActive(address account, bytes32 role) public view returns (bool) {
        Record storage m = _members[account];
        if (m.status != MemberStatus.Active) return false;
        uint256 bit = _roleBit(role);
        return bit != 0 ? m.roleBits & bit != 0 : hasRole(role, account);
    }

    /// @inheritdoc IMemberRegistry
    function firstInactive(address[] calldata accounts, bytes32 role) external view returns (uint256 i) {
        uint256 count = accounts.length;
        uint256 bit = _roleBit(role);
        if (bit == 0) {
            for (; i < count; ++i) {
                if (!isActive(accounts[i], role)) return i;
            }
            return count;
        }
        // `isActive` for a platform role, one storage read an account: a proposal asks about
        // up to 256 members at 2,100 gas each for the cold slot, and nothing else per account.
        uint256 active = uint256(MemberStatus.Active);
        uint256 bitsShift = _ROLE_BITS_SHIFT;
        assembly ("memory-safe") {
            mstore(0x20, _members.slot)
            for {} lt(i, count) { i := add(i, 1) } {
                // An address with dirty upper bits names no record: inactive, as it should be.
                mstore(0x00, calldataload(add(accounts.offset, shl(5, i))))
                let record := sload(keccak256(0x00, 0x40))
                if iszero(and(eq(and(record, 0xff), active), iszero(iszero(and(shr(bitsShift, record), bit))))) {
                    break
                }
            }
        }
    }

    /// @inheritdoc IMemberRegistry
    function checkActive(address account, bytes32 role) external view {
        _checkActive(account, role);
    }

    /// @inheritdoc IMemberRegistry
    function transferAllowed(address from, address to) external view returns (bool) {
        if (to != address(0) && _members[to].status == MemberStatus.None) return false;
        if (from == address(0)) return true;
        // Status and role count share one slot: the common case reads it once.
        Record storage sender = _members[from];
        MemberStatus fromStatus = sender.status;
        if (fromStatus == MemberStatus.Active && sender.roleCount != 0) return true;
        // A suspended member, or one left without a role, may still redeem its credit with
        // the treasury.
        return fromStatus != MemberStatus.None && isActive(to, Roles.TREASURY);
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
        Record storage m = _members[account];
        return Member({status: m.status, since: m.since, roleCount: m.roleCount, metadata: m.metadata});
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

    /// @dev Keeps the member record's role count; `RoleGranted` reports the change.
    function _grantRole(bytes32 role, address account) internal override returns (bool granted) {
        granted = super._grantRole(role, account);
        if (granted) {
            Record storage m = _members[account];
            ++m.roleCount;
            m.roleBits |= _roleBit(role);
        }
    }

    /// @dev Keeps the role count, and counts every lost role in `restrictions`; `RoleRevoked`
    /// reports the change.
    function _revokeRole(bytes32 role, address account) internal override returns (bool revoked) {
        revoked = super._revokeRole(role, account);
        if (revoked) {
            Record storage m = _members[account];
            --m.roleCount;
            m.roleBits &= ~_roleBit(role);
            ++_restrictions;
        }
    }

    function _register(address account, bytes32 role, bytes32 metadata, address by) private {
        Record storage m = _members[account];
        if (m.status == MemberStatus.None) {
            m.status = MemberStatus.Active;
            m.since = uint64(block.timestamp);
            _accounts.push(account);
        }
        m.metadata = metadata;
        _grantRole(role, account);
        emit MemberAdded(account, role, metadata, by);
    }

    /// @dev Reverts unless the caller is an active admin or an active operator; returns whether
    /// it is an active admin (who may also suspend and reinstate privileged members).
    function _checkOperatorOrAdmin() private view returns (bool byAdmin) {
        byAdmin = isActive(msg.sender, DEFAULT_ADMIN_ROLE);
        if (!byAdmin) _checkActive(msg.sender, Roles.OPERATOR);
    }

    /// @dev Whether `account` holds the admin, operator, treasury or registrar role.
    function _isPrivileged(address account) private view returns (bool) {
        return hasRole(DEFAULT_ADMIN_ROLE, account) || hasRole(Roles.OPERATOR, account)
            || hasRole(Roles.TREASURY, account) || hasRole(Roles.REGISTRAR, account);
    }

    /// @dev The bit mirroring `role` in a record's `roleBits`; zero for a role outside `Roles`
    /// (and the admin role), which `isActive` reads from AccessControl.
    function _roleBit(bytes32 role) private pure returns (uint16) {
        if (role == Roles.ME) return 1;
        if (role == Roles.PARTNER) return 2;
        if (role == Roles.AUDITOR) return 4;
        if (role == Roles.OPERATOR) return 8;
        if (role == Roles.STEWARD) return 16;
        if (role == Roles.TREASURY) return 32;
        if (role == Roles.REGISTRAR) return 64;
        if (role == Roles.CONTRACT) return 128;
        if (role == DEFAULT_ADMIN_ROLE) return 256;
        return 0;
    }

    function _checkActive(address account, bytes32 role) private view {
        if (!isActive(account, role)) revert RegistryUnauthorized(account, role);
    }
}
