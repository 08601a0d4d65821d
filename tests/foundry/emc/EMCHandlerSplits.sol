// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";
import {EMCHandlerBase} from "./EMCHandlerBase.sol";

/// @notice The handler's random share splits, and who a split must or may name: a member of
/// the active version in good standing whose notice has not run out must stay; a member in
/// good standing whose notice has not run out may be named.
abstract contract EMCHandlerSplits is EMCHandlerBase {
    /// @dev A member of the active version in good standing whose notice has not run out: no
    /// version may leave it out.
    function _mustKeep(address account) internal view returns (bool) {
        return ghostHolds(account) && !ghostDeparted(account) && _inGoodStanding(account);
    }

    /// @dev Whether `account` may be named in a new version.
    function _eligible(address account) internal view returns (bool) {
        return !ghostDeparted(account) && _inGoodStanding(account);
    }

    function _ineligible(address account) internal view returns (bool) {
        return !_eligible(account);
    }

    /// @dev A random split summing to 10,000 bps, sorted (fund first, then by account and
    /// class): every member that must be kept, other eligible members two times in three,
    /// partners within the terms' bounds, MEs with an operating and/or value-added share, the
    /// fund most of the time. `leaveOut` is left out and `name` named whatever the rules say.
    function _randomEntries(uint256 seed, address leaveOut, address name)
        internal
        view
        returns (ShareEntry[] memory entries)
    {
        entries = new ShareEntry[](1 + ME_COUNT * 2 + PARTNER_COUNT);
        uint256 n;
        if (seed % 5 != 0) entries[n++] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
        uint256 partnerBps;
        for (uint256 i; i < _members.length; ++i) {
            address m = _members[i];
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            if (m == leaveOut) continue;
            if (m != name && !_mustKeep(m) && (!_eligible(m) || r % 3 == 0)) continue;
            if (_isPartner[m]) {
                uint256 bps = bound(r >> 8, _terms.partnerMinBps, _terms.partnerMaxBps);
                entries[n++] = ShareEntry(m, ShareClass.Partner, uint16(bps));
                partnerBps += bps;
            } else {
                uint256 kind = (r >> 8) % 3; // 0: operating, 1: value-added, 2: both
                if (kind != 1) entries[n++] = ShareEntry(m, ShareClass.Operating, 0);
                if (kind != 0) entries[n++] = ShareEntry(m, ShareClass.ValueAdded, 0);
            }
        }
        // Partners' bps are set; the rest goes to the other entries, at least 1 bps each.
        uint256 others;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class != ShareClass.Partner) ++others;
        }
        if (others == 0) {
            // Only partners (or nobody): the fund takes the rest (shift everything one place).
            for (uint256 i = n; i > 0; --i) {
                entries[i] = entries[i - 1];
            }
            entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
            ++n;
            others = 1;
        }
        uint256 rest = BPS - partnerBps;
        uint256[] memory weights = new uint256[](n);
        uint256 totalWeight;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class == ShareClass.Partner) continue;
            weights[i] = 1 + uint256(keccak256(abi.encode(seed, "w", i))) % 100;
            totalWeight += weights[i];
        }
        uint256 given;
        uint256 last;
        for (uint256 i; i < n; ++i) {
            if (entries[i].class == ShareClass.Partner) continue;
            uint256 bps = 1 + (rest - others) * weights[i] / totalWeight;
            entries[i].bps = uint16(bps);
            given += bps;
            last = i;
        }
        entries[last].bps += uint16(rest - given);
        assembly ("memory-safe") {
            mstore(entries, n)
        }
    }
}
