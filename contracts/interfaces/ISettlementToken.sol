// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title The settlement credit of rdh-chain
/// @notice An ERC-20 credit for the fiat (RMB, in fen) that the platform treasury holds.
/// It moves only between registered members and rdh-chain contracts.
interface ISettlementToken is IERC20 {
    /// @notice `caller` is not an active treasurer.
    error TokenNotTreasury(address caller);
    /// @notice The registry does not allow a transfer from `from` to `to`: `to` is not a
    /// registered member, or `from` is not an active member holding a role and `to` is not an
    /// active treasurer (the one way out for a suspended or role-less member's credit).
    error TokenTransferNotAllowed(address from, address to);
    /// @notice Minting or burning zero is meaningless.
    error TokenZeroAmount();
    /// @notice `caller` is not an active registrar.
    error TokenNotRegistrar(address caller);
    /// @notice `account` is not an rdh-chain contract in the registry.
    error TokenNotContract(address account);

    /// @notice The treasury minted `amount` to `to` against the fiat deposit `ref`.
    event Minted(address indexed to, uint256 amount, bytes32 indexed ref);
    /// @notice The treasury burned `amount` it held against the fiat payout `ref`.
    event Burned(address indexed from, uint256 amount, bytes32 indexed ref);

    /// @notice `account`, an rdh-chain contract, was trusted by the registrar `by`.
    event SystemContractRegistered(address indexed account, address indexed by);

    /// @notice Trusts `account`, an rdh-chain contract the registry knows, to move credit
    /// without a registry check per transfer; only active registrars (the EMC factory) may.
    /// @dev The contract must vet the parties itself: an EMC pulls only from its owner (an
    /// active ME), pays only accounts a version named (members when named; records are never
    /// removed) and checks any other payee against the registry.
    function registerSystemContract(address account) external;

    /// @notice Whether `account` is a trusted rdh-chain contract.
    function isSystemContract(address account) external view returns (bool);

    /// @notice Mints `amount` to `to` for the fiat received under `ref`.
    function mint(address to, uint256 amount, bytes32 ref) external;

    /// @notice Burns `amount` of the caller's (the treasury's) balance for the fiat paid out under `ref`.
    function burn(uint256 amount, bytes32 ref) external;

    /// @notice The member registry the token asks.
    function registry() external view returns (address);
}
