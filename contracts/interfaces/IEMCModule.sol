// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {CapitalAccount, CapitalTotals, Departure, PoolView} from "../types/Capital.sol";
import {EmcTerms, SharePath, ShareProof, Version} from "../types/Shares.sol";
import {IEMCBidding} from "./IEMCBidding.sol";

/// @title The rest of an EMC: bids, notices, the development fund, sweeps and capital returns
/// @notice Served by the `EMCModule` contract, which every EMC clone reaches through the
/// template's fallback (one contract would exceed the 24,576-byte code size limit); call it at
/// the EMC's address like `IEMC`. None of it runs on a settlement's or a claim's path.
interface IEMCModule is IEMCBidding {
    /// @notice Where an account stands; amounts in token units.
    /// @param claimable Payable now (partner, operating, unlocked value-added and fund credit).
    /// @param locked Value-added credit waiting for the target.
    /// @param paid Everything paid out to the account so far.
    /// @param dust Scaled remainder (in 1/10,000 of a unit) kept by the pool until it adds up.
    struct AccountView {
        uint256 claimable;
        uint256 locked;
        uint256 paid;
        uint256 dust;
    }

    /// @notice The owner appointed `reporter` (zero: none) in place of `previous`.
    event ReporterChanged(address indexed previous, address indexed reporter);
    /// @notice The owner paid `amount` from the development fund to `to` for `purpose`.
    event DevFundWithdrawn(address indexed to, uint256 amount, bytes32 indexed purpose, uint256 remaining);
    /// @notice `by` (the owner or the treasury) swept `amount` that the EMC held above everything
    /// it owes into the development fund, which now holds `devFundAvailable`.
    event Swept(address indexed by, uint256 amount, uint256 devFundAvailable);
    /// @notice `account` was paid back `amount` for its `units` of the dissolved EMC's capital,
    /// and `poolShare` of the released value-added pool for the losses its capital bore.
    event CapitalReturned(address indexed account, uint256 amount, uint256 units, uint256 poolShare);
    /// @notice `by` (the owner, or `account` itself) gave `account` notice: it may be left out
    /// of new versions once period `effectivePeriod` is settled. The owner may give a member
    /// already under notice a shorter one (the earlier end wins).
    event DepartureNoticed(
        address indexed account, address indexed by, uint256 effectivePeriod, bytes32 reasonHash
    );

    /// @notice Appoints `reporter_`, an active ME, to report and settle periods beside the
    /// owner (zero removes it); only the owner may.
    function setReporter(address reporter_) external;

    /// @notice The appointed reporter, or zero.
    function reporter() external view returns (address);

    /// @notice Pays `amount` of the development fund to `to`, a registered member that is not
    /// an rdh-chain contract, for `purpose`; only the owner may.
    function withdrawDevFund(address to, uint256 amount, bytes32 purpose) external;

    /// @notice Moves everything the EMC holds above what it owes (claimable, locked, dust,
    /// capital, the released pool and the development fund) into the development fund, such as
    /// credit sent straight to the EMC's address; the owner or an active treasurer may, also
    /// after dissolution. Returns the amount swept.
    function sweep() external returns (uint256 amount);

    /// @notice What `sweep` would move now.
    function sweepable() external view returns (uint256);

    /// @notice Pays the caller, once, its part of a dissolved EMC: its current units' part of
    /// the remaining capital, and its share of the released pool in proportion to the losses its
    /// capital bore. The last units out take the capital's rounding remainder, the last investor
    /// to claim the pool's. Suspended members may claim too.
    function claimCapital() external returns (uint256 amount);

    /// @notice The capital, losses and what dissolution released.
    function capitalTotals() external view returns (CapitalTotals memory);

    /// @notice `account`'s capital account (units zero if wiped out, losses borne up to now),
    /// what its units are worth now and its share of a released pool.
    function capitalOf(address account)
        external
        view
        returns (CapitalAccount memory held, uint256 value, uint256 poolShare);

    /// @notice The value-added pool against the sharing space.
    function pool() external view returns (PoolView memory);

    /// @notice The owner gives `account`, a member of the active version, notice of
    /// termination, effective once `noticePeriods` more periods are settled (at most the
    /// terms' `maxNoticePeriods`). A member already under a longer notice gets the shorter one.
    /// @param party `account`'s leaf in the active version's share tree.
    function terminate(address account, uint32 noticePeriods, bytes32 reasonHash, SharePath calldata party)
        external;

    /// @notice The caller, an active member of the active version, gives notice that it
    /// leaves, effective once `noticePeriods` more periods are settled (at most the terms'
    /// `maxNoticePeriods`).
    /// @param party The caller's leaf in the active version's share tree.
    function resign(uint32 noticePeriods, bytes32 reasonHash, SharePath calldata party) external;

    /// @notice `account`'s departure notice (all zero if none).
    function departureOf(address account) external view returns (Departure memory);

    /// @notice Where `account` stands now, as if it had just been brought up to date.
    /// Pass the zero address for the development fund.
    /// @param proofs As for `claim`: its share in each epoch of `unsyncedEpochs(account)`.
    function accountOf(address account, ShareProof[] calldata proofs) external view returns (AccountView memory);

    /// @notice The activation epochs `[from, to)` in which `account` must show its share (one
    /// `ShareProof` each) to be brought up to date: those since its last claim, or all of them
    /// for an account never brought up to date. The development fund needs none.
    function unsyncedEpochs(address account) external view returns (uint256 from, uint256 to);

    /// @notice The version activated as epoch `epoch`.
    function epochVersion(uint256 epoch) external view returns (uint256);

    /// @notice The header of version `versionId`.
    function version(uint256 versionId) external view returns (Version memory);

    /// @notice The terms set at registration.
    function terms() external view returns (EmcTerms memory);

    /// @notice The active version's id, or 0 before the first activation.
    function activeVersionId() external view returns (uint256);

    /// @notice How many versions were ever proposed (ids run from 1 to this).
    function versionCount() external view returns (uint256);

    /// @notice The member registry the EMC asks who may act.
    function registry() external view returns (address);

    /// @notice The settlement credit the EMC holds and pays.
    function token() external view returns (address);
}
