// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The permissioned member registry of rdh-chain
/// @notice Knows every wallet that may act on the ledger, its roles and its status.
/// Every other rdh-chain contract asks it who may act.
interface IMemberRegistry {
    /// @notice A member's standing. Suspended members keep their roles and what they
    /// earned, but may not act until reinstated.
    enum MemberStatus {
        None,
        Active,
        Suspended
    }

    /// @notice A registry record. `roleCount` is how many roles the account holds (kept in the
    /// status's slot, so the transfer gate reads one slot); `metadata` points to the member's
    /// off-chain file.
    struct Member {
        MemberStatus status;
        uint64 since;
        uint16 roleCount;
        bytes32 metadata;
    }

    /// @notice The zero address cannot be a member.
    error RegistryZeroAddress();
    /// @notice `account` already holds `role`.
    error RegistryRoleAlreadyHeld(address account, bytes32 role);
    /// @notice `account` is not a registered member.
    error RegistryNotMember(address account);
    /// @notice `account` is not active: it is suspended (or unknown).
    error RegistryMemberNotActive(address account, MemberStatus status);
    /// @notice `account` is not suspended, so it cannot be reinstated.
    error RegistryMemberNotSuspended(address account, MemberStatus status);
    /// @notice `account` cannot suspend itself.
    error RegistrySelfSuspension(address account);
    /// @notice `account` holds the operator, treasury, registrar or admin role, so only an
    /// active admin may suspend or reinstate it, and `caller` is not one.
    error RegistryPrivilegedMember(address caller, address account);
    /// @notice `account` cannot give up its own admin role, by renouncing it or revoking it
    /// itself: only another active admin may revoke it, so an active admin always remains.
    error RegistryAdminSelfRemoval(address account);
    /// @notice `account` lacks the active `role` that the call needs.
    error RegistryUnauthorized(address account, bytes32 role);
    /// @notice Roles are granted with `addMember`, which records the member.
    error RegistryUseAddMember();
    /// @notice `account` is an rdh-chain contract; contracts are not suspended.
    error RegistryCannotSuspendContract(address account);

    /// @notice `account` was given `role` by `by`; `metadata` is its current record reference.
    event MemberAdded(address indexed account, bytes32 indexed role, bytes32 metadata, address indexed by);
    /// @notice `account` was suspended by `by` for the reason document `reason`.
    event MemberSuspended(address indexed account, bytes32 reason, address indexed by);
    /// @notice `account` was reinstated by `by` for the reason document `reason`.
    event MemberReinstated(address indexed account, bytes32 reason, address indexed by);
    /// @notice `account`'s metadata reference was replaced by `by`.
    event MemberMetadataUpdated(address indexed account, bytes32 metadata, address indexed by);

    /// @notice Registers `account` if it is new and grants it `role`.
    /// @dev The caller needs the active admin role of `role` (operators add members;
    /// the registry admin adds operators, treasurers and registrars; registrars add contracts).
    function addMember(address account, bytes32 role, bytes32 metadata) external;

    /// @notice Suspends `account`, and counts it in `restrictions`. Active operators and
    /// active admins may suspend members; a holder of the operator, treasury, registrar or
    /// admin role only an active admin may (`RegistryPrivilegedMember`). Nobody suspends
    /// itself, and rdh-chain contracts cannot be suspended: that would freeze what their
    /// members already earned.
    function suspendMember(address account, bytes32 reason) external;

    /// @notice Reinstates a suspended `account`. The same rule as `suspendMember`: active
    /// operators and admins may, but a holder of the operator, treasury, registrar or admin
    /// role only an active admin may, so an operator cannot undo an admin's suspension of an
    /// operator. An active admin can reinstate anyone.
    function reinstateMember(address account, bytes32 reason) external;

    /// @notice Replaces `account`'s metadata reference; only active operators may.
    function setMetadata(address account, bytes32 metadata) external;

    /// @notice Whether `account` holds `role` and is active.
    function isActive(address account, bytes32 role) external view returns (bool);

    /// @notice The index of the first of `accounts` that is not an active member holding
    /// `role`, or `accounts.length` if every one is: one call for a whole share version.
    function firstInactive(address[] calldata accounts, bytes32 role) external view returns (uint256);

    /// @notice Reverts with `RegistryUnauthorized` unless `account` holds `role` and is active.
    function checkActive(address account, bytes32 role) external view;

    /// @notice Whether a settlement-token transfer from `from` to `to` is allowed: the
    /// recipient is registered, and the sender is active and holds at least one role; a
    /// sender that is suspended or holds no role any more may only redeem with an active
    /// treasurer. Zero addresses stand for minting and burning and are not checked.
    function transferAllowed(address from, address to) external view returns (bool);

    /// @notice `account`'s standing.
    function statusOf(address account) external view returns (MemberStatus);

    /// @notice How many times any account ever lost standing: every suspension, and every
    /// role revoked or renounced. A contract that remembers this number can tell, with one
    /// read, that nobody was suspended or lost a role since.
    function restrictions() external view returns (uint256);

    /// @notice `account`'s registry record.
    function member(address account) external view returns (Member memory);

    /// @notice How many accounts have ever been registered.
    function memberCount() external view returns (uint256);

    /// @notice The `index`-th registered account, in order of registration.
    function memberAt(uint256 index) external view returns (address);
}
