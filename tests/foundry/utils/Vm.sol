// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice The few Foundry cheatcodes these suites use (forge-std is not a dependency: npm's
/// copy is unofficial and old). Each signature must match forge's exactly, since the selector
/// is what forge dispatches on.
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function label(address account, string calldata name) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
    function snapshotState() external returns (uint256 snapshotId);
    function revertToStateAndDelete(uint256 snapshotId) external returns (bool success);
    function setEnv(string calldata name, string calldata value) external;
    function envOr(string calldata name, uint256 defaultValue) external view returns (uint256 value);
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory value);
    function toString(uint256 value) external pure returns (string memory);
    function toString(address value) external pure returns (string memory);
    function toString(bytes memory value) external pure returns (string memory);
    function toString(bytes32 value) external pure returns (string memory);
}

/// @notice forge's console, `log(string)` and `log(string,uint256)` only.
library console {
    address private constant _CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory text) internal view {
        _send(abi.encodeWithSignature("log(string)", text));
    }

    function log(string memory text, uint256 value) internal view {
        _send(abi.encodeWithSignature("log(string,uint256)", text, value));
    }

    /// @dev forge intercepts the call; nothing runs at that address.
    function _send(bytes memory payload) private view {
        address target = _CONSOLE;
        assembly ("memory-safe") {
            pop(staticcall(gas(), target, add(payload, 32), mload(payload), 0, 0))
        }
    }
}
