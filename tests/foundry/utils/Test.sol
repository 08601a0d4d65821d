// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "./Vm.sol";

/// @notice What a test and a handler share: the cheatcodes, `bound`, and assertions that
/// revert with the values that disagree (forge reports a revert as the failure).
abstract contract TestBase {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    /// @dev `x` mapped onto [min, max] (inclusive), uniformly enough for fuzzing; values
    /// already inside are kept, so forge's dictionary of interesting values still lands.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        require(min <= max, "bound: min > max");
        if (x >= min && x <= max) return x;
        uint256 size = max - min;
        if (size == type(uint256).max) return x;
        return min + x % (size + 1);
    }

    function assertTrue(bool condition, string memory rule) internal pure {
        if (!condition) revert(rule);
    }

    function assertEq(uint256 actual, uint256 expected, string memory rule) internal pure {
        if (actual != expected) {
            revert(string.concat(rule, ": ", vm.toString(actual), " != ", vm.toString(expected)));
        }
    }

    function assertEq(address actual, address expected, string memory rule) internal pure {
        if (actual != expected) {
            revert(string.concat(rule, ": ", vm.toString(actual), " != ", vm.toString(expected)));
        }
    }

    function assertEq(bytes32 actual, bytes32 expected, string memory rule) internal pure {
        if (actual != expected) {
            revert(string.concat(rule, ": ", vm.toString(actual), " != ", vm.toString(expected)));
        }
    }

    function assertEq(bool actual, bool expected, string memory rule) internal pure {
        if (actual != expected) revert(string.concat(rule, actual ? ": true != false" : ": false != true"));
    }

    function assertLe(uint256 a, uint256 b, string memory rule) internal pure {
        if (a > b) revert(string.concat(rule, ": ", vm.toString(a), " > ", vm.toString(b)));
    }
}

/// @notice What forge reads from an invariant test to choose what it calls.
abstract contract InvariantTest is TestBase {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSelector(FuzzSelector memory selector) internal {
        _targetSelectors.push(selector);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }
}
