// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../interfaces/IEMC.sol";
import {Departure} from "../types/Capital.sol";
import {EmcStatus} from "../types/Shares.sol";
import {EMCStorage} from "./EMCStorage.sol";

/// @title EMCDepartures
/// @notice Open contracting: the owner terminates a member, or a member leaves, with notice.
/// @dev A notice changes no share. Until it runs out (its effective period is settled) no
/// version may leave the member out, and one naming it needs its signature; after that the
/// owner may propose a version without it, which the remaining parties sign, and none may
/// name it again. Credit earned until that version takes effect stays the member's.
abstract contract EMCDepartures is EMCStorage, IEMC {
    using SafeCast for uint256;

    /// @notice The shortest notice, in periods (about a month each).
    uint256 public constant MIN_NOTICE_PERIODS = 1;

    /// @inheritdoc IEMC
    function terminate(address account, uint32 noticePeriods, bytes32 reasonHash) external onlyOwner {
        _giveNotice(account, noticePeriods, reasonHash, true);
    }

    /// @inheritdoc IEMC
    function resign(uint32 noticePeriods, bytes32 reasonHash) external {
        _giveNotice(msg.sender, noticePeriods, reasonHash, false);
    }

    /// @inheritdoc IEMC
    function departureOf(address account) external view returns (Departure memory) {
        return _departures[account];
    }

    function _giveNotice(address account, uint256 noticePeriods, bytes32 reasonHash, bool byOwner) private {
        _checkStatus(EmcStatus.Active);
        if (account == _owner) revert EmcOwnerCannotDepart(account);
        if (noticePeriods < MIN_NOTICE_PERIODS) revert EmcNoticeTooShort(noticePeriods, MIN_NOTICE_PERIODS);
        uint256 active = _activeVersionId;
        if (active == 0 || !_isParty(active, account)) revert EmcNotAMember(account);
        Departure storage d = _departures[account];
        if (d.noticedAt != 0) revert EmcAlreadyDeparting(account, d.effectivePeriod);
        uint256 effectivePeriod = _periodCount + noticePeriods;
        d.effectivePeriod = effectivePeriod.toUint32();
        d.noticedAt = uint48(block.timestamp);
        d.byOwner = byOwner;
        d.reasonHash = reasonHash;
        ++_noticeCount;
        emit DepartureNoticed(account, msg.sender, effectivePeriod, reasonHash);
    }
}
