// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EmcTerms} from "../types/Shares.sol";

/// @title The EMC factory
/// @notice Registers EMCs as cheap clones (EIP-1167) of one fixed template.
interface IEMCFactory {
    /// @notice `caller` is not an active platform operator.
    error FactoryNotOperator(address caller);
    /// @notice The owner `owner` is not an active ME.
    error FactoryOwnerNotMe(address owner);
    /// @notice The terms are incomplete: targets and sharing space must be positive.
    error FactoryInvalidTerms(uint256 targetUsers, uint256 targetRevenue, uint256 sharingSpace);
    /// @notice Partner bounds must satisfy 0 < `min` <= `max` <= 10,000 basis points.
    error FactoryInvalidPartnerBounds(uint256 min, uint256 max);
    /// @notice No EMC has index `index`; there are `count`.
    error FactoryIndexOutOfRange(uint256 index, uint256 count);

    /// @notice EMC number `id` was created at `emc` for `owner` by `operator`.
    event EmcCreated(
        uint256 indexed id, address indexed emc, address indexed owner, address operator, EmcTerms terms
    );

    /// @notice Creates an EMC owned by `owner` with `terms`; only active operators may.
    function createEmc(address owner, EmcTerms calldata terms) external returns (address emc);

    /// @notice The template every EMC clones.
    function implementation() external view returns (address);

    /// @notice How many EMCs were created.
    function emcCount() external view returns (uint256);

    /// @notice The EMC with index `index` (from 0), in order of creation.
    function emcAt(uint256 index) external view returns (address);

    /// @notice Whether `emc` was created by this factory.
    function isEmc(address emc) external view returns (bool);
}
