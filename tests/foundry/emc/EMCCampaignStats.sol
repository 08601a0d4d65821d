// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {InvariantTest} from "../utils/Test.sol";
import {console} from "../utils/Vm.sol";
import {EMCHandler} from "./EMCHandler.sol";

/// @notice The campaign's summary: the handler's outcome counts summed over every run.
abstract contract EMCCampaignStats is InvariantTest {
    /// @dev Adds this run's outcomes to the campaign's (kept in the process environment, the
    /// one thing that outlives a run) and logs the totals so far: forge prints the logs of
    /// the last run with -vv, so that is the whole campaign's summary.
    function _logStats(string memory suite, EMCHandler handler) internal {
        (string[] memory names, uint256[] memory counts) = handler.stats();
        console.log(string.concat(suite, ": handler outcomes over the campaign so far"));
        uint256 runs = _addStat(suite, "runs", 1);
        console.log("  runs", runs);
        _logTotal(suite, "runs that dissolved the EMC", handler.ghostDissolved() ? 1 : 0);
        _logTotal(suite, "runs that reached the target", handler.ghostTargetReached() ? 1 : 0);
        _logTotal(suite, "runs that forfeited the pool", handler.ghostForfeited() ? 1 : 0);
        _logTotal(suite, "runs that filled the sharing space", handler.ghostPoolFull() ? 1 : 0);
        _logTotal(suite, "periods settled", handler.ghostPeriods());
        // The outcomes any run has seen, in a fixed list, plus this run's.
        for (uint256 i; i < names.length; ++i) {
            _addStat(suite, names[i], counts[i]);
            _remember(suite, names[i]);
        }
        uint256 known = vm.envOr(string.concat("RDH_FORGE_", suite, "_names"), uint256(0));
        for (uint256 i; i < known; ++i) {
            string memory name = _nameAt(suite, i);
            console.log(string.concat("  ", name), vm.envOr(_key(suite, name), uint256(0)));
        }
    }

    function _logTotal(string memory suite, string memory name, uint256 count) private {
        console.log(string.concat("  ", name), _addStat(suite, name, count));
    }

    function _addStat(string memory suite, string memory name, uint256 count) private returns (uint256 total) {
        string memory key = _key(suite, name);
        total = vm.envOr(key, uint256(0)) + count;
        vm.setEnv(key, vm.toString(total));
    }

    function _remember(string memory suite, string memory name) private {
        string memory seen = string.concat(_key(suite, name), "_seen");
        if (vm.envOr(seen, uint256(0)) != 0) return;
        vm.setEnv(seen, "1");
        string memory countKey = string.concat("RDH_FORGE_", suite, "_names");
        uint256 n = vm.envOr(countKey, uint256(0));
        vm.setEnv(string.concat("RDH_FORGE_", suite, "_name_", vm.toString(n)), name);
        vm.setEnv(countKey, vm.toString(n + 1));
    }

    function _nameAt(string memory suite, uint256 i) private view returns (string memory) {
        return vm.envOr(string.concat("RDH_FORGE_", suite, "_name_", vm.toString(i)), string(""));
    }

    function _key(string memory suite, string memory name) private pure returns (string memory) {
        return string.concat("RDH_FORGE_", suite, "_", vm.toString(keccak256(bytes(name))));
    }
}
