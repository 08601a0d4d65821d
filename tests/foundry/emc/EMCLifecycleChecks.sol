// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCBidding} from "../../../contracts/interfaces/IEMCBidding.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {BidRound} from "../../../contracts/types/Bids.sol";
import {Departure} from "../../../contracts/types/Capital.sol";
import {
    EmcStatus, PartyRoles, PeriodReport, ReportAttestation, ShareClass, ShareEntry
} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {EMCInvariantBase} from "./EMCInvariantBase.sol";

/// @notice The lifecycle checks: notices, bid rounds, a dissolved EMC accepts nothing new, and
/// liveness, both without the admin (the owner and the parties in good standing can always
/// agree a version) and of the registry (the admin can always recover it).
abstract contract EMCLifecycleChecks is EMCInvariantBase {
    /// @notice Each notice is the handler's (given, and the period it runs out after).
    function _checkNotices() internal view {
        uint256 periods = emc.totals().periods;
        for (uint256 i = 1; i < accounts.length; ++i) {
            Departure memory d = module.departureOf(accounts[i]);
            bool noticed = handler.ghostNoticed(accounts[i]);
            if ((d.noticedAt != 0) != noticed) _fail("notice: given", i, d.noticedAt, noticed ? 1 : 0);
            uint256 effective = handler.ghostNoticeEffective(accounts[i]);
            if (d.effectivePeriod != effective) _fail("notice: period", i, d.effectivePeriod, effective);
            if (noticed) {
                assertLe(d.effectivePeriod, periods + terms.maxNoticePeriods, "notice: too long");
            }
        }
    }

    /// @notice Bid rounds as the handler drove them (the latest: earlier ones are checked
    /// while they are the latest, and nothing changes a round once a later one is open but
    /// the calls that name it, which the handler checks).
    function _checkBidRounds() internal view {
        IEMCBidding bidding = IEMCBidding(address(emc));
        uint256 rounds = handler.roundCount();
        assertEq(bidding.lastBidRound(), rounds, "bids: round count");
        if (rounds == 0) return;
        BidRound memory r = bidding.bidRound(rounds);
        (uint256 bidders, uint256 revealed, uint256 invited, bool decided) = handler.round(rounds);
        assertEq(r.bidderCount, bidders, "bids: bidders");
        assertEq(r.revealedCount, revealed, "bids: revealed");
        assertEq(r.invitedCount, invited, "bids: invited");
        assertEq(r.decidedAt != 0, decided, "bids: decided");
    }

    // ================================================================== dissolution

    /// @notice A dissolved EMC accepts nothing new: with the registry recovered (so that every
    /// caller is entitled), every entry point that starts something is refused with
    /// `EmcWrongStatus(Dissolved, Active)`, an attested report too.
    function _checkDissolvedAcceptsNothingNew() internal atHandlerTime {
        if (emc.status() != EmcStatus.Dissolved) return;
        uint256 snapshot = vm.snapshotState();
        _recoverRegistry();
        address owner = handler.owner();
        address member = _firstMemberOtherThan(owner);
        bytes memory refused =
            abi.encodeWithSelector(IEMCErrors.EmcWrongStatus.selector, EmcStatus.Dissolved, EmcStatus.Active);

        ShareEntry[] memory entries = new ShareEntry[](1);
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, uint16(BPS));
        _refused(
            owner,
            abi.encodeCall(
                IEMC.proposeVersion,
                (
                    Entries.pack(entries),
                    bytes32("new"),
                    uint48(block.timestamp + 1 days),
                    _activeParties(),
                    _activeRoles()
                )
            ),
            refused,
            "proposeVersion"
        );
        _refused(
            member,
            abi.encodeCall(IEMC.activateVersion, (module.versionCount(), bytes(""), PartyRoles(0, 0))),
            refused,
            "activateVersion"
        );

        PeriodReport memory profit = PeriodReport(1, 1, 1_000, 0, 1_000, bytes32("p"));
        _fund(owner, 10_000);
        _refused(owner, abi.encodeCall(IEMC.settle, (profit)), refused, "settle (profit)");
        PeriodReport memory loss = PeriodReport(1, 1, 0, 1_000, 0, bytes32("l"));
        _refused(owner, abi.encodeCall(IEMC.settle, (loss)), refused, "settle (loss)");
        _refused(
            owner, abi.encodeCall(IEMC.settleAttested, (loss, _attestation(loss))), refused, "settleAttested (loss)"
        );
        _fund(member, 10_000);
        _refused(member, abi.encodeCall(IEMC.invest, (10_000, handler.activePath(member))), refused, "invest");
        _refused(
            owner,
            abi.encodeCall(IEMCModule.terminate, (member, 1, bytes32("t"), handler.activePath(member))),
            refused,
            "terminate"
        );
        _refused(
            member, abi.encodeCall(IEMCModule.resign, (1, bytes32("r"), handler.activePath(member))), refused, "resign"
        );

        uint48 t = uint48(block.timestamp);
        _refused(
            owner,
            abi.encodeCall(IEMCBidding.openBidRound, (t + 1 hours, t + 2 hours, bytes32("d"))),
            refused,
            "openBidRound"
        );
        _refused(member, abi.encodeCall(IEMCBidding.commitBid, (1, bytes32("c"))), refused, "commitBid");
        _refused(
            member, abi.encodeCall(IEMCBidding.revealBid, (1, 0, 0, 0, bytes32(0), bytes32(0))), refused, "revealBid"
        );
        _refused(owner, abi.encodeCall(IEMCBidding.inviteBids, (1, new address[](0))), refused, "inviteBids");
        vm.revertToStateAndDelete(snapshot);
    }

    /// @dev The auditor's valid attestation of `report` as the next period.
    function _attestation(PeriodReport memory report) internal view returns (ReportAttestation memory a) {
        a.auditor = handler.auditor();
        a.deadline = block.timestamp + 1 hours;
        bytes32 digest = emc.reportDigest(report, emc.totals().periods + 1, a.deadline);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(handler.keyOf(a.auditor), digest);
        a.signature = abi.encodePacked(r, s, v);
    }

    // ================================================================== liveness

    /// @notice Liveness without the admin: whenever the EMC is active and its owner is, the
    /// owner can propose the active version less every member whose notice ran out and every
    /// member that is suspended or lost the role of a class it holds (their bps to the fund),
    /// and the remaining parties, all in good standing, sign and activate it.
    function _checkLivenessWithoutAdmin() internal atHandlerTime {
        if (emc.status() != EmcStatus.Active || !registry.isActive(handler.owner(), Roles.ME)) return;
        uint256 snapshot = vm.snapshotState();
        _agreeContinuation(true, "liveness without the admin");
        vm.revertToStateAndDelete(snapshot);
    }

    /// @notice Liveness of the registry: after any sequence the admin can recover it (reinstate
    /// the suspended, give back revoked and renounced roles), after which the owner and every
    /// party of the active version (less departed members) can agree a new version.
    function _checkRegistryRecoverable() internal atHandlerTime {
        if (emc.status() != EmcStatus.Active) return;
        uint256 snapshot = vm.snapshotState();
        _recoverRegistry();
        _agreeContinuation(false, "liveness after registry recovery");
        vm.revertToStateAndDelete(snapshot);
    }

    /// @dev The admin reinstates every suspended member and gives back every lost role.
    function _recoverRegistry() internal {
        address admin = handler.admin();
        for (uint256 i = 1; i < accounts.length; ++i) {
            address m = accounts[i];
            if (registry.statusOf(m) == IMemberRegistry.MemberStatus.Suspended) {
                vm.prank(admin);
                (bool ok, bytes memory ret) =
                    address(registry).call(abi.encodeCall(IMemberRegistry.reinstateMember, (m, bytes32("recover"))));
                assertTrue(ok, string.concat("registry recovery: reinstating failed: ", vm.toString(ret)));
            }
            bytes32 role = _roleOf[m];
            if (!registry.isActive(m, role)) {
                vm.prank(admin);
                (bool ok, bytes memory ret) =
                    address(registry).call(abi.encodeCall(IMemberRegistry.addMember, (m, role, bytes32("recover"))));
                assertTrue(ok, string.concat("registry recovery: restoring a role failed: ", vm.toString(ret)));
            }
        }
    }

    /// @dev The owner proposes the active version less the members that must or (with
    /// `leaveOutRestricted`) may go, their bps to the fund; every remaining party signs; the
    /// version must activate.
    function _agreeContinuation(bool leaveOutRestricted, string memory rule) internal {
        (ShareEntry[] memory entries, address[] memory parties) = _continuation(leaveOutRestricted);
        address owner = handler.owner();
        bytes memory proposal = abi.encodeCall(
            IEMC.proposeVersion,
            (
                Entries.pack(entries),
                bytes32("liveness"),
                uint48(block.timestamp + 1 days),
                _activeParties(),
                _activeRoles()
            )
        );
        vm.prank(owner);
        (bool ok, bytes memory ret) = address(emc).call(proposal);
        assertTrue(ok, string.concat(rule, ": the owner cannot propose a version: ", _describe(ret)));
        uint256 id = abi.decode(ret, (uint256));
        (ok, ret) = address(emc).call(
            abi.encodeCall(IEMC.activateVersion, (id, _packedSignatures(id, parties), _rolesOf(entries)))
        );
        assertTrue(ok, string.concat(rule, ": the parties cannot activate the version: ", _describe(ret)));
        assertEq(module.activeVersionId(), id, string.concat(rule, ": not active"));
    }

    function _continuation(bool leaveOutRestricted)
        internal
        view
        returns (ShareEntry[] memory entries, address[] memory parties)
    {
        uint256 active = module.activeVersionId();
        if (active == 0) {
            entries = new ShareEntry[](2);
            entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 1_000);
            entries[1] = ShareEntry(handler.owner(), ShareClass.Operating, 9_000);
            parties = new address[](1);
            parties[0] = handler.owner();
            return (entries, parties);
        }
        ShareEntry[] memory current = handler.versionEntries(active);
        entries = new ShareEntry[](current.length + 1);
        parties = new address[](current.length);
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, 0);
        uint256 n = 1;
        uint256 p;
        uint256 periods = emc.totals().periods;
        address previous = DEV_FUND;
        bool goes; // whether `previous` leaves (entries are sorted by account)
        for (uint256 i; i < current.length; ++i) {
            ShareEntry memory e = current[i];
            if (e.account != previous) {
                previous = e.account;
                goes = _departed(e.account, periods) || (leaveOutRestricted && _restricted(e.account));
            }
            if (e.account == DEV_FUND || goes) {
                entries[0].bps += e.bps;
            } else {
                entries[n++] = e;
                if (p == 0 || parties[p - 1] != e.account) parties[p++] = e.account;
            }
        }
        uint256 skip = entries[0].bps == 0 ? 1 : 0; // no fund entry without bps
        ShareEntry[] memory trimmed = new ShareEntry[](n - skip);
        for (uint256 i; i < trimmed.length; ++i) {
            trimmed[i] = entries[i + skip];
        }
        entries = trimmed;
        assembly ("memory-safe") {
            mstore(parties, p)
        }
    }

    /// @dev The signatures of version `id` by `signers` (members: ECDSA, or the wallet's
    /// contract signature), sorted by signer and packed as `activateVersion` takes them.
    function _packedSignatures(uint256 id, address[] memory signers) internal view returns (bytes memory) {
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory sigs = new PackedSignatures.Signature[](signers.length);
        for (uint256 i; i < signers.length; ++i) {
            sigs[i] = _partySig(signers[i], digest);
        }
        return PackedSignatures.sortAndPack(sigs);
    }

    /// @dev `account`'s signature of `digest`: a wallet's contract signature, else ECDSA.
    function _partySig(address account, bytes32 digest) internal view returns (PackedSignatures.Signature memory) {
        return PackedSignatures.partySig(account, _keyOf[account], _isWallet[account], digest);
    }

    /// @dev The active version's parties' roles, as the handler built them (zeros before the
    /// first activation): what `proposeVersion` must be given with its parties.
    function _activeRoles() internal view returns (PartyRoles memory) {
        return handler.versionRoles(module.activeVersionId());
    }

    /// @dev The roles of the parties of `entries` (what activating them must be given).
    function _rolesOf(ShareEntry[] memory entries) internal pure returns (PartyRoles memory) {
        return ShareTrees.roles(ShareTrees.build(entries));
    }

    /// @dev The active version's parties, sorted, as the handler proposed them (none before
    /// the first activation): what `proposeVersion` must be given.
    function _activeParties() internal view returns (address[] memory) {
        return handler.versionParties(module.activeVersionId());
    }

    function _departed(address account, uint256 periods) internal view returns (bool) {
        Departure memory d = module.departureOf(account);
        return d.noticedAt != 0 && periods >= d.effectivePeriod;
    }

    /// @dev Suspended, or without the role its shares need.
    function _restricted(address account) internal view returns (bool) {
        return !registry.isActive(account, _roleOf[account]);
    }

    // ================================================================== helpers

    function _refused(address from, bytes memory data, bytes memory expected, string memory what) internal {
        vm.prank(from);
        (bool ok, bytes memory ret) = address(emc).call(data);
        assertTrue(!ok, string.concat("dissolved: ", what, " was accepted"));
        assertTrue(
            keccak256(ret) == keccak256(expected),
            string.concat("dissolved: ", what, " refused with ", vm.toString(ret), " not EmcWrongStatus")
        );
    }

    /// @dev Mints `amount` to `account` and approves the EMC for it. (A prank applies to the
    /// next call, so every address is read before it.)
    function _fund(address account, uint256 amount) internal {
        address treasury = handler.treasury();
        vm.prank(treasury);
        token.mint(account, amount, bytes32("fiat"));
        vm.prank(account);
        token.approve(address(emc), amount);
    }

    function _firstMemberOtherThan(address account) internal view returns (address) {
        for (uint256 i = 1; i < accounts.length; ++i) {
            if (accounts[i] != account) return accounts[i];
        }
        revert("no member");
    }

    /// @dev The revert data, named where it is one of the errors a liveness probe may meet.
    function _describe(bytes memory ret) internal pure returns (string memory) {
        if (ret.length < 4) return vm.toString(ret);
        bytes4 selector = bytes4(ret);
        bytes memory args = new bytes(ret.length - 4);
        for (uint256 i; i < args.length; ++i) {
            args[i] = ret[i + 4];
        }
        if (selector == IEMCErrors.EmcMemberLeftOut.selector) {
            (address account, uint256 period) = abi.decode(args, (address, uint256));
            return string.concat("EmcMemberLeftOut(", vm.toString(account), ", ", vm.toString(period), ")");
        }
        if (selector == IEMCErrors.EmcIneligibleMember.selector) {
            (address account, uint8 class) = abi.decode(args, (address, uint8));
            return string.concat("EmcIneligibleMember(", vm.toString(account), ", ", vm.toString(uint256(class)), ")");
        }
        if (selector == IEMCErrors.EmcPartyNotActive.selector) {
            (uint256 id, address account) = abi.decode(args, (uint256, address));
            return string.concat("EmcPartyNotActive(", vm.toString(id), ", ", vm.toString(account), ")");
        }
        if (selector == IEMCErrors.EmcMemberDeparted.selector) {
            (address account, uint256 period) = abi.decode(args, (address, uint256));
            return string.concat("EmcMemberDeparted(", vm.toString(account), ", ", vm.toString(period), ")");
        }
        if (selector == IEMCErrors.EmcCallerNotActive.selector) {
            return string.concat("EmcCallerNotActive(", vm.toString(abi.decode(args, (address))), ")");
        }
        return vm.toString(ret);
    }
}
