// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice Ascending in-place sorts for the tests' short lists (parties, packed entries):
/// insertion sort, for the lists are a few hundred long at most.
library Sort {
    function words(uint256[] memory list) internal pure {
        for (uint256 i = 1; i < list.length; ++i) {
            uint256 current = list[i];
            uint256 j = i;
            while (j > 0 && list[j - 1] > current) {
                list[j] = list[j - 1];
                --j;
            }
            list[j] = current;
        }
    }

    /// @dev By address, as the contracts order parties: the same order as their words.
    function addresses(address[] memory list) internal pure {
        uint256[] memory asWords;
        assembly ("memory-safe") {
            asWords := list
        }
        words(asWords);
    }
}
