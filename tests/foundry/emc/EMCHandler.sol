// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {ISettlementToken} from "../../../contracts/interfaces/ISettlementToken.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {
    EmcStatus, PeriodReport, ReportAttestation, SharePath, ShareProof
} from "../../../contracts/types/Shares.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {EMCHandlerMembers} from "./EMCHandlerMembers.sol";

/// @notice Drives one EMC through every entry point, one handler function per entry point,
/// choosing valid inputs from the fuzzer's numbers most of the time and predicting the exact
/// error where it does not. A call whose outcome differs from the prediction reverts the
/// handler with both (the suites run with `fail_on_revert`), so the handler is itself a
/// model check; the ghost books (`EMCGhost`, `EMCGhostCapital`) are what the invariants
/// compare with the EMC.
/// @dev Every wallet is an EOA with a key (`EMCFixture`) but one ME, an ERC-1271 contract
/// wallet whose owner key signs for it, so parties sign versions (the wallet as a contract
/// signature) and the auditor signs reports with `vm.sign`. Versions are in `EMCHandlerSplits`
/// and `EMCHandlerProposals` (proposals), `EMCHandlerProofs` (share trees and proofs) and
/// `EMCHandlerVersions` (activation), bids in `EMCHandlerBids`, notices and the registry in
/// `EMCHandlerMembers`, the clock and the checks in `EMCHandlerBase`.
contract EMCHandler is EMCHandlerMembers {
    uint256 internal constant MAX_PROFIT = 3_000_000; // fen per period
    uint256 internal constant MAX_REVENUE = 16_000_000;
    uint256 internal constant MAX_USERS = 800;
    uint256 internal constant MAX_INVESTMENT = 2_000_000;
    /// @dev Registered nowhere: the fund may not pay it.
    address internal constant OUTSIDER = address(0xBEEF);

    /// @dev The run's first call agrees the first version (see `EMCHandlerBase.clock`), so
    /// that the calls after it already settle, claim and invest.
    constructor() {
        _deploy();
        _terms = module.terms();
        _now = 1_700_000_000;
        vm.warp(_now);
    }

    // ================================================================== versions

    /// @notice `proposeVersion`: the owner proposes a random split, kept for `activateVersion`.
    function proposeVersion(uint256 seed) external clock {
        _propose(seed);
    }

    /// @notice `activateVersion`: every party signs one proposal (mostly the latest, whose
    /// outcome is then most often a success; sometimes an older, stale or expired one), and
    /// the handler submits them packed (one time in 32 each: cut inside the last one, one
    /// signed with another key, a non-party's in a party's place, two swapped, one with high
    /// s, bytes after them, roles that are not the version's). With no live proposal the owner
    /// proposes one first.
    function activateVersion(uint256 seed) external clock {
        uint256 versionId = ghostVersionCount;
        if (seed % 4 == 0 && versionId > 1) {
            versionId = bound(seed >> 8, 1, versionId);
        } else if (versionId == 0 || !_live(versionId)) {
            versionId = _propose(seed);
            if (versionId == 0) return;
        }
        uint256 tamper = uint256(keccak256(abi.encode(seed, "tamper"))) % 32;
        _activate(versionId, tamper < 8 ? tamper : 0);
    }

    // ================================================================== settlement

    /// @notice `settle`: the owner or its reporter reports a period without attestation: a
    /// profit (credit minted to it and approved) or, one time in three, a loss, which is
    /// refused (`EmcAttestationRequired`) while there is capital to pay it.
    function settle(uint256 seed, uint256 amount, uint256 users, uint256 revenue) external clock {
        uint256 mode = uint256(keccak256(abi.encode(seed, "settle")));
        address caller = _reporterFor(mode);
        (PeriodReport memory report, uint256 loss, bytes memory invalid) = _report(mode, amount, users, revenue, 3);
        bytes memory expected = _callerError(caller);
        if (expected.length == 0) expected = _settlementError(invalid);
        if (expected.length == 0 && loss != 0 && ghostCapital != 0) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcAttestationRequired.selector, loss, ghostCapital);
        }
        _settle(caller, report, loss, abi.encodeCall(IEMC.settle, (report)), expected, "settle");
    }

    /// @notice `settleAttested`: likewise with the auditor's EIP-712 signature of
    /// `reportDigest(report, next period, deadline)`, two times in three a loss, which the
    /// capital pays as far as it goes. One attestation in five is bad: by a member or a
    /// suspended auditor (`EmcNotAuditor`), expired (`EmcDeadlinePassed`), for another period
    /// or signed with another key (`EmcInvalidAttestation`).
    function settleAttested(uint256 seed, uint256 amount, uint256 users, uint256 revenue) external clock {
        uint256 mode = uint256(keccak256(abi.encode(seed, "attested")));
        address caller = _reporterFor(mode);
        (PeriodReport memory report, uint256 loss, bytes memory invalid) = _report(mode, amount, users, revenue, 2);
        (ReportAttestation memory attestation, bytes memory attestationError) = _attest(mode, report);
        bytes memory expected = _callerError(caller);
        if (expected.length == 0) expected = attestationError;
        if (expected.length == 0) expected = _settlementError(invalid);
        _settle(
            caller, report, loss, abi.encodeCall(IEMC.settleAttested, (report, attestation)), expected, "settleAttested"
        );
    }

    /// @dev The owner, or one time in two the reporter if there is one.
    function _reporterFor(uint256 mode) private view returns (address) {
        return (reporter != address(0) && mode % 2 == 0) ? reporter : owner;
    }

    /// @dev A period's report: one time in `lossOdds` a loss (mostly small, sometimes one that
    /// reaches the threshold at once: one time in four), else a profit within the revenue; one time in 32 a
    /// profit above the margin (`invalid`: the error it must be refused with).
    function _report(uint256 mode, uint256 amount, uint256 users, uint256 revenue, uint256 lossOdds)
        private
        view
        returns (PeriodReport memory report, uint256 loss, bytes memory invalid)
    {
        report.users = uint64(bound(users, 0, MAX_USERS));
        report.units = uint64(mode >> 200);
        report.documentHash = keccak256(abi.encode("period", ghostPeriods + 1));
        if ((mode >> 1) % lossOdds == 0) {
            uint256 threshold = _lossThreshold();
            loss = (mode >> 8) % 4 == 0 ? bound(amount, threshold / 2, threshold * 2) : bound(amount, 1, threshold / 4);
            report.revenue = uint128(bound(revenue, 0, MAX_REVENUE / 4));
            report.cost = uint128(uint256(report.revenue) + loss);
            return (report, loss, "");
        }
        report.revenue = uint128(bound(revenue, 0, MAX_REVENUE));
        uint256 profit = bound(amount, 0, report.revenue < MAX_PROFIT ? report.revenue : MAX_PROFIT);
        report.cost = uint128(bound(mode >> 16, 0, report.revenue - profit));
        if ((mode >> 24) % 32 == 0) {
            uint256 margin = report.revenue - report.cost;
            profit = margin + 1;
            invalid = abi.encodeWithSelector(IEMCErrors.EmcProfitAboveMargin.selector, profit, margin);
        }
        report.profit = uint128(profit);
    }

    /// @dev The auditor's attestation of `report` as the next period, or a bad one and the
    /// error it must be refused with.
    function _attest(uint256 mode, PeriodReport memory report)
        private
        view
        returns (ReportAttestation memory a, bytes memory expected)
    {
        uint256 kind = (mode >> 32) % 25;
        a.auditor = auditor;
        a.deadline = _now + bound(mode >> 40, 0, 3 days);
        uint256 period = ghostPeriods + 1;
        uint256 key = _keyOf[auditor];
        if (kind == 0) {
            a.auditor = _member(mode >> 48);
            key = _keyOf[a.auditor];
            expected = _err(IEMCErrors.EmcNotAuditor.selector, a.auditor);
        } else if (kind == 1) {
            a.auditor = suspendedAuditor;
            key = _keyOf[a.auditor];
            expected = _err(IEMCErrors.EmcNotAuditor.selector, a.auditor);
        } else if (kind == 2) {
            a.deadline = _now - bound(mode >> 40, 1, 3 days);
            expected = abi.encodeWithSelector(IEMCErrors.EmcDeadlinePassed.selector, a.deadline, _now);
        } else if (kind == 3) {
            period = (mode >> 48) % 2 == 0 ? period + 1 : period - 1; // a stale or a future period
        } else if (kind == 4) {
            key = _keyOf[owner];
        }
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _reportDigest(report, period, a.deadline));
        a.signature = abi.encodePacked(r, s, v);
        bytes32 due = _reportDigest(report, ghostPeriods + 1, a.deadline);
        assertTrue(
            emc.reportDigest(report, ghostPeriods + 1, a.deadline) == due,
            "reportDigest: not the documented PeriodReport typed data"
        );
        if (kind == 3 || kind == 4) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcInvalidAttestation.selector, auditor, due);
        }
    }

    /// @dev `onlyReporter`: the caller (the owner or its reporter) must be an active ME.
    function _callerError(address caller) private view returns (bytes memory) {
        if (!registry.isActive(caller, Roles.ME)) return _err(IEMCErrors.EmcCallerNotActive.selector, caller);
        return "";
    }

    /// @dev `_settle`'s checks before the attestation rule: status, a version, the report.
    function _settlementError(bytes memory invalid) private view returns (bytes memory) {
        if (ghostDissolved) return _activeError();
        if (ghostActiveVersion == 0) return abi.encodeWithSelector(IEMCErrors.EmcNoActiveVersion.selector);
        return invalid;
    }

    function _settle(
        address caller,
        PeriodReport memory report,
        uint256 loss,
        bytes memory data,
        bytes memory expected,
        string memory what
    ) private {
        if (report.profit != 0) _mint(caller, report.profit);
        vm.prank(caller);
        token.approve(address(emc), report.profit);
        uint256 before = token.balanceOf(caller);
        bool wasFull = ghostPoolFull;
        (bool ok, bytes memory ret) = _call(caller, data);
        _check(ok, ret, expected, what);
        if (!ok) return;
        uint256 covered = _recordPeriod(report.users, report.revenue, report.profit, loss);
        assertEq(abi.decode(ret, (uint256)), ghostPeriods, string.concat(what, ": period number"));
        assertEq(token.balanceOf(caller) + report.profit, before + covered, string.concat(what, ": reporter's balance"));
        if (loss == 0) _stat(string.concat(what, ": profit"));
        else _stat(string.concat(what, covered != 0 ? ": loss, covered" : ": loss, no capital to cover it"));
        if (ghostPoolFull && !wasFull) _stat("settle: filled the sharing space");
        if (ghostDissolved) _stat(ghostForfeited ? "settle: dissolved, pool forfeited" : "settle: dissolved");
    }

    /// @notice `setReporter`: the owner appoints an ME (possibly one no longer active, which
    /// is refused) or removes the reporter.
    function setReporter(uint256 seed) external clock {
        address candidate = seed % 4 == 0 ? address(0) : _mes[bound(seed >> 2, 1, ME_COUNT - 1)];
        bytes memory expected;
        if (!registry.isActive(owner, Roles.ME)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        } else if (candidate != address(0) && !registry.isActive(candidate, Roles.ME)) {
            expected = _err(IEMCErrors.EmcIneligibleReporter.selector, candidate);
        }
        (bool ok, bytes memory ret) = _call(owner, abi.encodeCall(IEMCModule.setReporter, (candidate)));
        _check(ok, ret, expected, "setReporter");
        if (ok) reporter = candidate;
    }

    // ================================================================== payouts

    /// @notice `claim`: a member pulls what it can, showing its share in each version it was
    /// not brought up to date with (proofs built from the handler's entries); with nothing to
    /// claim it is refused. One time in eight the proofs are bad, and the claim (and
    /// `accountOf` with them) refused: one too many or too few (`EmcShareProofCount`), or one
    /// epoch's wrong (`EmcInvalidShareProof`): other bps, another index, an absence proof for a
    /// party, a proof against another version's tree.
    function claim(uint256 seed) external clock {
        address account = _member(seed);
        (uint256 from, uint256 to) = module.unsyncedEpochs(account);
        (uint256 ghostFrom, uint256 ghostTo) = ghostUnsynced(account);
        assertEq(from, ghostFrom, "unsyncedEpochs: from");
        assertEq(to, ghostTo, "unsyncedEpochs: to");
        ShareProof[] memory proofs = proofsFor(account);
        uint256 claimable = module.accountOf(account, proofs).claimable;
        uint256 before = token.balanceOf(account);
        uint256 mode = uint256(keccak256(abi.encode(seed, "claim")));
        if (mode % 8 == 0) return _claimWithBadProofs(account, proofs, from, claimable, mode >> 3);
        bytes memory expected = claimable == 0 ? _err(IEMCErrors.EmcNothingToClaim.selector, account) : bytes("");
        (bool ok, bytes memory ret) = _call(account, abi.encodeCall(IEMC.claim, (proofs)));
        _check(ok, ret, expected, "claim");
        if (!ok) return;
        assertEq(abi.decode(ret, (uint256)), claimable, "claim: amount");
        assertEq(token.balanceOf(account), before + claimable, "claim: balance");
        _recordClaim(account, claimable);
        ghostSyncedTo[account] = to;
        (from,) = module.unsyncedEpochs(account);
        assertEq(from, to, "claim: not brought up to date");
        _stat(proofs.length != 0 ? "claim: paid, with share proofs" : "claim: paid, no proof needed");
    }

    /// @dev A claim (and `accountOf`) with `proofs` spoilt: refused with the error predicted,
    /// and nothing changed.
    function _claimWithBadProofs(
        address account,
        ShareProof[] memory proofs,
        uint256 from,
        uint256 claimable,
        uint256 seed
    ) private {
        uint256 before = token.balanceOf(account);
        (ShareProof[] memory bad, bytes memory refusal) = _badProofs(account, proofs, from, seed);
        (bool ok, bytes memory ret) = address(module).staticcall(abi.encodeCall(IEMCModule.accountOf, (account, bad)));
        _check(ok, ret, refusal, "accountOf (bad proofs)");
        (ok, ret) = _call(account, abi.encodeCall(IEMC.claim, (bad)));
        _check(ok, ret, refusal, "claim (bad proofs)");
        assertEq(token.balanceOf(account), before, "claim (bad proofs): balance changed");
        assertEq(module.accountOf(account, proofs).claimable, claimable, "claim (bad proofs): claimable changed");
        (uint256 fromAfter,) = module.unsyncedEpochs(account);
        assertEq(fromAfter, from, "claim (bad proofs): position changed");
    }

    /// @dev `proofs` spoilt in one way, and the error the EMC must refuse them with.
    function _badProofs(address account, ShareProof[] memory proofs, uint256 from, uint256 seed)
        private
        view
        returns (ShareProof[] memory bad, bytes memory refusal)
    {
        uint256 n = proofs.length;
        uint256 kind = seed % 5;
        uint256 j = n == 0 ? 0 : (seed >> 3) % n; // the epoch spoilt: from + j
        ShareTrees.Tree memory tree;
        bool found;
        uint256 index;
        if (n != 0) {
            tree = _tree(_epochVersions[from + j]);
            (found, index) = ShareTrees.find(tree, account);
            // A version without parties leaves nothing to spoil but the count.
            if (tree.leaves.length == 0) kind = 0;
        }
        if (kind == 0 || n == 0) {
            uint256 given = n != 0 && (seed >> 16) % 2 == 0 ? n - 1 : n + 1;
            bad = new ShareProof[](given);
            for (uint256 i; i < given && i < n; ++i) {
                bad[i] = proofs[i];
            }
            if (given > n) bad[n] = n != 0 ? proofs[n - 1] : ShareTrees.proof(_tree(ghostActiveVersion), account);
            return (bad, abi.encodeWithSelector(IEMCErrors.EmcShareProofCount.selector, account, n, given));
        }
        bad = new ShareProof[](n);
        for (uint256 i; i < n; ++i) {
            bad[i] = proofs[i];
        }
        ShareProof memory spoilt = ShareTrees.copy(proofs[j]);
        if (kind == 4) {
            uint256 other = _otherVersion(tree.root, seed >> 16);
            if (other != 0) spoilt = ShareTrees.proof(_tree(other), account);
            else kind = 1;
        }
        if (kind == 3 && found) {
            spoilt = ShareTrees.skippingProof(tree, account); // hides the party's own leaf
        } else if (kind == 2) {
            // Another index: the party's own, or the neighbour's of an absence proof.
            if (found || spoilt.next.account == address(0)) spoilt.path.index ^= 1 + (seed >> 16) % 3;
            else spoilt.next.index += 1 + (seed >> 16) % 3;
            if (!found && spoilt.path.account == address(0) && spoilt.next.account == address(0)) kind = 1;
        }
        if (kind == 1 || (kind == 3 && !found)) {
            // Other basis points: the party's own, or a leaf forged for a non-party.
            spoilt.path.account = account;
            if ((seed >> 16) % 3 == 0) ++spoilt.path.partnerBps;
            else if ((seed >> 16) % 3 == 1) ++spoilt.path.operatingBps;
            else ++spoilt.path.valueAddedBps;
        }
        bad[j] = spoilt;
        refusal = abi.encodeWithSelector(IEMCErrors.EmcInvalidShareProof.selector, account, from + j);
    }

    /// @dev A proposed version whose tree is not `root`'s (0 if none).
    function _otherVersion(bytes32 root, uint256 seed) private view returns (uint256) {
        uint256 count = ghostVersionCount;
        for (uint256 i; i < count; ++i) {
            uint256 id = 1 + (seed + i) % count;
            if (_proposals[id].sharesRoot != root) return id;
        }
        return 0;
    }

    /// @notice `withdrawDevFund`: the owner pays part of the fund to a member or the treasury
    /// (sometimes more than the fund holds, nothing, or to account zero, the factory, the EMC
    /// itself or an unregistered address, which are refused).
    function withdrawDevFund(uint256 seed, uint256 amount) external clock {
        address to = _recipient(seed);
        uint256 available = module.accountOf(DEV_FUND, new ShareProof[](0)).claimable;
        _checkFundTakesNoProofs();
        amount = bound(amount, 0, available + 1);
        if (seed % 7 != 0 && (amount > available || amount == 0) && available != 0) amount = available;
        bytes memory expected;
        if (!registry.isActive(owner, Roles.ME)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, owner);
        } else if (to == address(0)) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcZeroAddress.selector);
        } else if (amount == 0) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcZeroAmount.selector);
        } else if (
            to == address(factory) || to == address(emc) || registry.statusOf(to) == IMemberRegistry.MemberStatus.None
        ) {
            expected = _err(IEMCErrors.EmcRecipientNotAllowed.selector, to);
        } else if (amount > available) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcDevFundInsufficient.selector, amount, available);
        }
        uint256 before = token.balanceOf(to);
        (bool ok, bytes memory ret) =
            _call(owner, abi.encodeCall(IEMCModule.withdrawDevFund, (to, amount, bytes32("purpose"))));
        _check(ok, ret, expected, "withdrawDevFund");
        if (!ok) return;
        assertEq(token.balanceOf(to), before + amount, "withdrawDevFund: balance");
        _recordWithdrawal(amount);
        _stat("withdrawDevFund: paid");
    }

    /// @dev The fund's share is in each header: `accountOf` refuses a proof for it.
    function _checkFundTakesNoProofs() private view {
        ShareProof[] memory one = new ShareProof[](1);
        one[0] = ShareTrees.proof(_tree(ghostActiveVersion), DEV_FUND);
        (bool ok, bytes memory ret) = address(module).staticcall(abi.encodeCall(IEMCModule.accountOf, (DEV_FUND, one)));
        assertTrue(
            !ok && keccak256(ret) == keccak256(abi.encodeWithSelector(IEMCErrors.EmcShareProofCount.selector, DEV_FUND, 0, 1)),
            "accountOf: a proof for the fund not refused with EmcShareProofCount"
        );
    }

    function _recipient(uint256 seed) private view returns (address) {
        uint256 kind = (seed >> 128) % 16;
        if (kind == 0) return treasury;
        if (kind == 1) return address(0);
        if (kind == 2) return address(factory);
        if (kind == 3) return address(emc);
        if (kind == 4) return OUTSIDER;
        return _member(seed >> 3);
    }

    /// @notice `sweep`: the owner or the treasury (or, to be refused, another member) moves the
    /// credit the EMC holds above what it owes into the fund: exactly the stray credit not yet
    /// swept, since every other fen that entered is owed to somebody.
    function sweep(uint256 seed) external clock {
        uint256 kind = seed % 5;
        address caller = kind < 2 ? owner : kind < 4 ? treasury : _member(seed >> 3);
        uint256 amount = ghostStray - ghostSwept;
        assertEq(module.sweepable(), amount, "sweepable: EMC != stray credit not swept");
        bytes memory expected;
        bool ownerMay = caller == owner && registry.isActive(owner, Roles.ME);
        if (!ownerMay && !registry.isActive(caller, Roles.TREASURY)) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcNotSweeper.selector, caller, owner);
        } else if (amount == 0) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcNothingToSweep.selector);
        }
        uint256 fundBefore = module.accountOf(DEV_FUND, new ShareProof[](0)).claimable;
        (bool ok, bytes memory ret) = _call(caller, abi.encodeCall(IEMCModule.sweep, ()));
        _check(ok, ret, expected, "sweep");
        if (!ok) return;
        assertEq(abi.decode(ret, (uint256)), amount, "sweep: amount");
        assertEq(module.accountOf(DEV_FUND, new ShareProof[](0)).claimable, fundBefore + amount, "sweep: fund's balance");
        _recordSweep(amount);
        _stat(caller == owner ? "sweep: swept by the owner" : "sweep: swept by the treasury");
    }

    // ================================================================== capital

    /// @notice `invest`: a party of the active version mostly (or someone refused: inactive,
    /// not a party, departed, or, one time in eight, showing a path that is not its leaf in the
    /// active version) invests credit minted to it for the purpose.
    function invest(uint256 seed, uint256 amount) external clock {
        address account = _firstMember(seed, ghostHolds);
        amount = bound(amount, 0, MAX_INVESTMENT);
        (bool fits, uint256 units) = _previewInvestment(account, amount);
        SharePath memory party = activePath(account);
        uint256 mode = uint256(keccak256(abi.encode(seed, "invest")));
        if (mode % 8 == 0) party = _tamperPath(account, party, mode >> 3);
        bytes memory pathError = _pathError(account, party);
        bytes memory expected;
        bool overflow;
        if (ghostDissolved) {
            expected = _activeError();
        } else if (!registry.isActive(account, Roles.ME) && !registry.isActive(account, Roles.PARTNER)) {
            expected = _err(IEMCErrors.EmcCallerNotActive.selector, account);
        } else if (pathError.length != 0) {
            expected = pathError;
        } else if (ghostDeparted(account)) {
            expected =
                abi.encodeWithSelector(IEMCErrors.EmcMemberDeparted.selector, account, ghostNoticeEffective[account]);
        } else if (amount == 0) {
            expected = abi.encodeWithSelector(IEMCErrors.EmcZeroAmount.selector);
        } else if (!fits) {
            overflow = true; // SafeCast's error, whose value we need not restate
        }
        if (amount != 0) _mint(account, amount);
        vm.prank(account);
        token.approve(address(emc), amount);
        (bool ok, bytes memory ret) = _call(account, abi.encodeCall(IEMC.invest, (amount, party)));
        if (overflow) {
            assertTrue(
                !ok && bytes4(ret) == SafeCast.SafeCastOverflowedUintDowncast.selector, "invest: overflow expected"
            );
            _stat("invest: refused, units overflow");
            return;
        }
        _check(ok, ret, expected, "invest");
        if (!ok) return;
        _recordInvestment(account, amount, units);
        _stat(ghostEra != 0 ? "invest: invested (after a wipe-out)" : "invest: invested");
    }

    /// @notice `claimCapital`: an investor takes, once, its units' part of a dissolved EMC's
    /// capital and its share of a released pool (pro rata to the losses it bore; the last
    /// investor to claim takes the remainder).
    function claimCapital(uint256 seed) external clock {
        address account = _firstMember(seed, _holdsUnclaimedCapital);
        (Holding memory h, uint256 returned, uint256 poolShare) = _previewCapitalReturn(account);
        bytes memory expected;
        if (!ghostDissolved) expected = _wrongStatus(EmcStatus.Active, EmcStatus.Dissolved);
        else if (h.invested == 0 || h.claimed) expected = _err(IEMCErrors.EmcNothingToClaim.selector, account);
        uint256 before = token.balanceOf(account);
        (bool ok, bytes memory ret) = _call(account, abi.encodeCall(IEMCModule.claimCapital, ()));
        _check(ok, ret, expected, "claimCapital");
        if (!ok) return;
        assertEq(abi.decode(ret, (uint256)), returned + poolShare, "claimCapital: amount");
        assertEq(token.balanceOf(account), before + returned + poolShare, "claimCapital: balance");
        // Nobody gains by a dissolution beyond rounding: at most what it invested (every
        // rounding is under a fen, and there are fewer than the bound's).
        uint256 rounding = 2 * (ghostBorneRoundings + ghostInvestorCount);
        assertLe(returned + poolShare, h.invested + rounding, "claimCapital: paid more than invested");
        assertLe(poolShare, h.lossBorne + rounding, "claimCapital: pool share above the losses borne");
        _recordCapitalReturn(account, h, returned, poolShare);
        _stat(poolShare != 0 ? "claimCapital: returned with a pool share" : "claimCapital: returned");
    }

    // ================================================================== the rest

    /// @notice A member sends credit straight to the EMC (stray credit the EMC does not owe);
    /// a suspended member, or one without a role, may only pay the treasury: refused.
    function transferToEmc(uint256 seed, uint256 amount) external clock {
        address from = _member(seed);
        amount = bound(amount, 1, 500_000);
        _mint(from, amount);
        bytes memory expected = _maySend(from)
            ? bytes("")
            : abi.encodeWithSelector(ISettlementToken.TokenTransferNotAllowed.selector, from, address(emc));
        (bool ok, bytes memory ret) =
            _callAt(address(token), from, abi.encodeCall(token.transfer, (address(emc), amount)));
        _check(ok, ret, expected, "transfer to the EMC");
        if (!ok) return;
        _recordStray(amount);
        _stat("transferToEmc: stray credit");
    }

    /// @notice Time passes: deadlines of proposals, attestations and bid rounds run out.
    function warp(uint256 seconds_) external {
        // Mostly under a day, so bid rounds' commit and reveal windows are met.
        _now += bound(seconds_, 1 minutes, seconds_ % 4 == 0 ? 10 days : 1 days);
        vm.warp(_now);
    }

    /// @notice The selectors an invariant suite targets: every entry point above.
    function entryPoints() external pure returns (bytes4[] memory s) {
        s = new bytes4[](22);
        s[0] = this.proposeVersion.selector;
        s[1] = this.activateVersion.selector;
        s[2] = this.settle.selector;
        s[3] = this.settleAttested.selector;
        s[4] = this.setReporter.selector;
        s[5] = this.claim.selector;
        s[6] = this.withdrawDevFund.selector;
        s[7] = this.sweep.selector;
        s[8] = this.invest.selector;
        s[9] = this.claimCapital.selector;
        s[10] = this.terminate.selector;
        s[11] = this.resign.selector;
        s[12] = this.suspendMember.selector;
        s[13] = this.reinstateMember.selector;
        s[14] = this.revokeRole.selector;
        s[15] = this.restoreRole.selector;
        s[16] = this.openBidRound.selector;
        s[17] = this.commitBid.selector;
        s[18] = this.revealBid.selector;
        s[19] = this.inviteBids.selector;
        s[20] = this.transferToEmc.selector;
        s[21] = this.warp.selector;
    }
}
