// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IMemberRegistry} from "./interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "./interfaces/ISettlementToken.sol";
import {Roles} from "./libraries/Roles.sol";

/// @title SettlementToken
/// @notice RMB credit in fen (2 decimals), backed one to one by the platform treasury's fiat.
contract SettlementToken is ISettlementToken, ERC20 {
    IMemberRegistry private immutable _registry;
    mapping(address account => bool) private _system;

    constructor(IMemberRegistry registry_) ERC20("rdh-chain Settlement Credit", "RDHC") {
        _registry = registry_;
    }

    /// @inheritdoc ISettlementToken
    function mint(address to, uint256 amount, bytes32 ref) external {
        _onlyTreasury();
        if (amount == 0) revert TokenZeroAmount();
        _mint(to, amount);
        emit Minted(to, amount, ref);
    }

    /// @inheritdoc ISettlementToken
    function burn(uint256 amount, bytes32 ref) external {
        _onlyTreasury();
        if (amount == 0) revert TokenZeroAmount();
        _burn(msg.sender, amount);
        emit Burned(msg.sender, amount, ref);
    }

    /// @inheritdoc ISettlementToken
    function registerSystemContract(address account) external {
        if (!_registry.isActive(msg.sender, Roles.REGISTRAR)) revert TokenNotRegistrar(msg.sender);
        if (!_registry.isActive(account, Roles.CONTRACT)) revert TokenNotContract(account);
        _system[account] = true;
        emit SystemContractRegistered(account, msg.sender);
    }

    /// @inheritdoc ISettlementToken
    function isSystemContract(address account) external view returns (bool) {
        return _system[account];
    }

    /// @inheritdoc ISettlementToken
    function registry() external view returns (address) {
        return address(_registry);
    }

    /// @notice Fen: the smallest RMB unit.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /// @dev Every movement, mints and burns included, goes through the registry's gate, but
    /// those made by trusted rdh-chain contracts (an EMC pulling a settlement from its owner,
    /// paying a claim), which vet the parties themselves: that saves a cross-contract call
    /// on every settlement and claim.
    function _update(address from, address to, uint256 value) internal override {
        if (!_system[_msgSender()] && !_registry.transferAllowed(from, to)) {
            revert TokenTransferNotAllowed(from, to);
        }
        super._update(from, to, value);
    }

    function _onlyTreasury() private view {
        if (!_registry.isActive(msg.sender, Roles.TREASURY)) revert TokenNotTreasury(msg.sender);
    }
}
