// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {MemberRegistry} from "../../../contracts/MemberRegistry.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {TestBase} from "../utils/Test.sol";

/// @notice The registry mirrors the platform's roles in the member record's slot (so that
/// `isActive` reads one slot): whatever sequence of `addMember`, `suspendMember`,
/// `reinstateMember`, `revokeRole` and `renounceRole` calls, by whichever caller, `isActive(a,
/// role)` is `statusOf(a) == Active && hasRole(role, a)` for every role of `Roles`, the admin
/// role and a role outside them; the record's role count is the roles held; and
/// `firstInactive(accounts, role)` is the index of the first account not active in `role`.
contract MemberRegistryRolesTest is TestBase {
    MemberRegistry internal registry;
    address internal constant ADMIN = address(0xA11CE);
    address internal constant STRANGER = address(0x5757); // never registered
    bytes32 internal constant OUTSIDE_ROLE = keccak256("rdh.role.outside"); // its admin: the admin role

    /// @dev The admin, then the accounts the sequences act on (and by).
    address[] internal _actors;
    bytes32[] internal _roles;

    function setUp() public {
        registry = new MemberRegistry(ADMIN, bytes32("admin"));
        _actors.push(ADMIN);
        for (uint256 i; i < 6; ++i) {
            _actors.push(address(uint160(0x1000 + i)));
        }
        _roles.push(Roles.ME);
        _roles.push(Roles.PARTNER);
        _roles.push(Roles.AUDITOR);
        _roles.push(Roles.OPERATOR);
        _roles.push(Roles.STEWARD);
        _roles.push(Roles.TREASURY);
        _roles.push(Roles.REGISTRAR);
        _roles.push(Roles.CONTRACT);
        _roles.push(registry.DEFAULT_ADMIN_ROLE());
        _roles.push(OUTSIDE_ROLE);
    }

    /// @dev One registry call drawn from `op`: by the admin three times in four, else by one of
    /// the accounts; whether it succeeds is the registry's business.
    function _op(uint256 op) internal {
        address caller = (op >> 8) % 4 == 0 ? _actors[1 + (op >> 16) % 6] : ADMIN;
        address account = _actors[(op >> 24) % _actors.length];
        bytes32 role = _roles[(op >> 40) % _roles.length];
        uint256 kind = op % 6;
        bytes memory data;
        if (kind <= 1) data = abi.encodeCall(IMemberRegistry.addMember, (account, role, bytes32(op)));
        else if (kind == 2) data = abi.encodeCall(IMemberRegistry.suspendMember, (account, bytes32("s")));
        else if (kind == 3) data = abi.encodeCall(IMemberRegistry.reinstateMember, (account, bytes32("r")));
        else if (kind == 4) data = abi.encodeWithSignature("revokeRole(bytes32,address)", role, account);
        else data = abi.encodeWithSignature("renounceRole(bytes32,address)", role, caller = account);
        vm.prank(caller);
        (bool ok,) = address(registry).call(data);
        ok; // refusals are part of the sequence
    }

    /// @dev Whether `account` is active in `role`, restated from the record and AccessControl.
    function _expectedActive(address account, bytes32 role) internal view returns (bool) {
        return registry.statusOf(account) == IMemberRegistry.MemberStatus.Active && registry.hasRole(role, account);
    }

    function _checkAll(string memory when) internal view {
        address[] memory list = new address[](_actors.length + 1);
        for (uint256 i; i < _actors.length; ++i) {
            list[i] = _actors[i];
        }
        list[_actors.length] = STRANGER;
        for (uint256 i; i < list.length; ++i) {
            uint256 held;
            for (uint256 r; r < _roles.length; ++r) {
                bool expected = _expectedActive(list[i], _roles[r]);
                assertEq(
                    registry.isActive(list[i], _roles[r]),
                    expected,
                    string.concat(when, ": isActive of ", vm.toString(list[i]), " in ", vm.toString(_roles[r]))
                );
                if (registry.hasRole(_roles[r], list[i])) ++held;
            }
            assertEq(registry.member(list[i]).roleCount, held, string.concat(when, ": role count"));
        }
        for (uint256 r; r < _roles.length; ++r) {
            uint256 expected = list.length;
            for (uint256 i; i < list.length && expected == list.length; ++i) {
                if (!_expectedActive(list[i], _roles[r])) expected = i;
            }
            assertEq(registry.firstInactive(list, _roles[r]), expected, string.concat(when, ": firstInactive"));
        }
    }

    /// @notice After every call of a random sequence, `isActive` is the record's status and
    /// AccessControl's role for every account and role, and `firstInactive` agrees.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_isActiveMirrorsStatusAndRoles(uint256[24] memory ops) public {
        _checkAll("at deployment");
        for (uint256 i; i < ops.length; ++i) {
            _op(ops[i]);
            _checkAll(string.concat("after call ", vm.toString(i)));
        }
    }

    /// @notice Members with the ME role (some also partners), some suspended, some stripped of
    /// a role, and a random list of them (repeats, strangers and the admin allowed):
    /// `firstInactive` is the index of the first not active in the role, or the length.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_firstInactive(uint256 seed, uint256[12] memory picks, uint256 length, uint256 roleSeed) public {
        vm.startPrank(ADMIN);
        for (uint256 i = 1; i < _actors.length; ++i) {
            registry.addMember(_actors[i], Roles.ME, bytes32(i));
            if ((seed >> i) & 1 == 1) registry.addMember(_actors[i], Roles.PARTNER, bytes32(i));
        }
        for (uint256 i = 1; i < _actors.length; ++i) {
            uint256 fate = (seed >> (16 + 4 * i)) % 8;
            if (fate == 0) {
                registry.suspendMember(_actors[i], bytes32("s"));
            } else if (fate == 1) {
                registry.revokeRole(Roles.ME, _actors[i]);
            } else if (fate == 2 && registry.hasRole(Roles.PARTNER, _actors[i])) {
                registry.revokeRole(Roles.PARTNER, _actors[i]);
            } else if (fate == 3) {
                registry.suspendMember(_actors[i], bytes32("s"));
                if ((seed >> 200) & 1 == 1) registry.reinstateMember(_actors[i], bytes32("r"));
            }
        }
        vm.stopPrank();
        bytes32 role = _roles[roleSeed % 3 == 0 ? 1 : 0]; // ME mostly, partner one time in three
        uint256 n = bound(length, 0, picks.length);
        address[] memory list = new address[](n);
        uint256 expected = n;
        for (uint256 i; i < n; ++i) {
            uint256 pick = picks[i] % (_actors.length + 1);
            list[i] = pick == _actors.length ? STRANGER : _actors[pick];
            if (expected == n && !_expectedActive(list[i], role)) expected = i;
        }
        assertEq(registry.firstInactive(list, role), expected, "firstInactive");
        for (uint256 i; i < n; ++i) {
            assertEq(registry.isActive(list[i], role), _expectedActive(list[i], role), "isActive");
        }
    }
}
