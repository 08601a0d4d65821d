// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCModule} from "../interfaces/IEMCModule.sol";
import {IMemberRegistry} from "../interfaces/IMemberRegistry.sol";
import {Departure} from "../types/Capital.sol";
import {EmcStatus, SharePath} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCDepartures
/// @notice Open contracting: the owner terminates a member, or a member leaves, with notice.
/// @dev A notice changes no share. Until it runs out (its effective period is settled) no
/// version may leave a member in good standing out, and one naming it needs its signature;
/// after that the owner may propose a version without it, which the remaining parties sign,
/// and none may name it again. Notice is bounded by the terms, so nobody can hold versioning
/// hostage with an endless one. Credit earned until that version takes effect stays the
/// member's.
abstract contract EMCDepartures is EMCStorage, IEMCModule {
    /// @notice The shortest notice, in periods (about a month each).
    uint256 public constant MIN_NOTICE_PERIODS = 1;

    /// @inheritdoc IEMCModule
    function terminate(address account, uint32 noticePeriods, bytes32 reasonHash, SharePath calldata party)
        external
        onlyOwner
    {
        if (account == address(0)) revert EmcZeroAddress();
        _giveNotice(account, noticePeriods, reasonHash, true, party);
    }

    /// @inheritdoc IEMCModule
    /// @dev A suspended member cannot act, so it cannot resign either; the owner may leave it
    /// out of the next version at once.
    function resign(uint32 noticePeriods, bytes32 reasonHash, SharePath calldata party) external {
        if (_registry.statusOf(msg.sender) != IMemberRegistry.MemberStatus.Active) {
            revert EmcCallerNotActive(msg.sender);
        }
        _giveNotice(msg.sender, noticePeriods, reasonHash, false, party);
    }

    /// @inheritdoc IEMCModule
    function departureOf(address account) external view returns (Departure memory) {
        return _departures[account];
    }

    function _giveNotice(
        address account,
        uint256 noticePeriods,
        bytes32 reasonHash,
        bool byOwner,
        SharePath calldata party
    ) private {
        _checkStatus(EmcStatus.Active);
        if (account == _owner) revert EmcOwnerCannotDepart(account);
        uint256 max = _terms.maxNoticePeriods;
        if (noticePeriods < MIN_NOTICE_PERIODS || noticePeriods > max) {
            revert EmcNoticeOutOfBounds(noticePeriods, MIN_NOTICE_PERIODS, max);
        }
        _checkParty(account, party);
        uint256 effectivePeriod = _periodCount + noticePeriods;
        Departure storage d = _departures[account];
        // A running notice can only be shortened, and only by the owner: the earlier end wins.
        if (d.noticedAt != 0 && (!byOwner || effectivePeriod >= d.effectivePeriod)) {
            revert EmcAlreadyDeparting(account, d.effectivePeriod);
        }
        d.effectivePeriod = uint32(effectivePeriod);
        d.noticedAt = uint48(block.timestamp);
        d.byOwner = byOwner;
        d.reasonHash = reasonHash;
        ++_terms.noticeCount;
        emit DepartureNoticed(account, msg.sender, effectivePeriod, reasonHash);
    }
}
