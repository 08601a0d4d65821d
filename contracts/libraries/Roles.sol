// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title The roles of the member registry
/// @dev Shared by every contract so that role checks need no call to read a constant.
library Roles {
    /// @notice Platform operators register members and EMCs.
    bytes32 internal constant OPERATOR = keccak256("rdh.role.operator");
    /// @notice Template stewards own the EMC templates and target guidelines.
    bytes32 internal constant STEWARD = keccak256("rdh.role.steward");
    /// @notice Micro-enterprises: own EMCs, bid, and hold operating and value-added shares.
    bytes32 internal constant ME = keccak256("rdh.role.me");
    /// @notice External partners and resource providers: hold partner shares.
    bytes32 internal constant PARTNER = keccak256("rdh.role.partner");
    /// @notice Auditors read and verify the history.
    bytes32 internal constant AUDITOR = keccak256("rdh.role.auditor");
    /// @notice The platform treasury mints and burns the settlement credit.
    bytes32 internal constant TREASURY = keccak256("rdh.role.treasury");
    /// @notice Registrars (the EMC factory) register the contracts they create.
    bytes32 internal constant REGISTRAR = keccak256("rdh.role.registrar");
    /// @notice rdh-chain contracts (EMCs) that may hold the settlement credit.
    bytes32 internal constant CONTRACT = keccak256("rdh.role.contract");
}
