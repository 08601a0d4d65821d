// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EMCInvariantBase} from "./EMCInvariantBase.sol";

/// @notice The EMC's money rules, checked after every handler call (see `EMCHandler` for the
/// calls and `EMCInvariantBase` for each rule). One campaign checks them all from one read
/// of the EMC's views, so that each handler call is paid for once; this is the campaign that
/// makes the 100,000 calls in CI.
contract EMCMoneyInvariants is EMCInvariantBase {
    function invariant_moneyRules() public view {
        State memory s = _read();
        _checkConservation(s);
        _checkEntitlements(s);
        _checkTotalsAndCapital(s);
        _checkActiveVersion(s);
    }

    function afterInvariant() public {
        _logStats("money");
    }
}

/// @notice The lifecycle rules, checked after every handler call: holdings and notices,
/// bid rounds, a dissolved EMC accepts nothing new, and liveness (the admin can recover the
/// registry, after which the owner and the active parties can agree a new version). The
/// probes propose, sign and activate inside a snapshot, so a call costs several times a
/// money check: this campaign makes fewer calls.
contract EMCLifecycleInvariants is EMCInvariantBase {
    /// forge-config: default.invariant.runs = 8
    /// forge-config: ci.invariant.runs = 100
    function invariant_lifecycleRules() public {
        _checkHoldingsAndNotices();
        _checkBidRounds();
        _checkDissolvedAcceptsNothingNew();
        _checkRecoverable();
    }

    function afterInvariant() public {
        _logStats("lifecycle");
    }
}
