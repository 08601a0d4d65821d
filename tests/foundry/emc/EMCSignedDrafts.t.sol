// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {PartyRoles, Version} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {TestWallet} from "../utils/TestWallet.sol";
import {TypedData} from "../utils/TypedData.sol";
import {Vm} from "../utils/Vm.sol";
import {EMCSignaturesBase} from "./EMCSignaturesBase.sol";

/// @notice `proposeAndActivateVersion` with the parties' signatures of a draft (the typed data
/// of the id it will get at the current nonce, built from README's type strings) is
/// `proposeVersion` then `activateVersion` with the same inputs: same id, headers, active
/// version, count, events and digest, first version or renegotiation, EOAs and ERC-1271
/// wallets anywhere among the parties. A draft overtaken by another proposal (its id) or
/// activation (its nonce) recovers to strangers and nothing is recorded; only the owner may
/// call it, refused as `proposeVersion` refuses.
contract EMCSignedDraftsTest is EMCSignaturesBase {
    using PackedSignatures for PackedSignatures.Signature[];

    uint256 internal constant MAX_NEW_PARTIES = 40;
    bytes4 internal constant ERC1271_MAGIC = 0x1626ba7e;

    /// @notice What a path left behind, read the same way after each.
    struct Outcome {
        uint256 id;
        uint256 versionCount;
        uint256 activeVersionId;
        bytes32 digest;
        Version[] headers; // every version's, from 1: the superseded one changes too
        Vm.Log[] logs;
    }

    // ================================================================== equivalence

    /// @notice From the same state, one call and the two it stands for leave the same id,
    /// headers, active version, count, events (`VersionProposed`, `VersionActivated`, nothing
    /// else) and digest, the draft's.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_proposeAndActivateVersion_equalsProposeThenActivate(
        uint256 seed,
        uint256 count,
        uint256 walletMask,
        bool renegotiate,
        bytes32 documentHash,
        uint256 lifetime
    ) public {
        Draft memory d = _started(renegotiate, count, walletMask, seed);
        d.documentHash = documentHash;
        d.deadline = uint48(block.timestamp + bound(lifetime, 1, 365 days));
        bytes32 digest = _draftDigest(d);
        bytes memory packed = _sigs(d.parties, digest).pack();
        uint256 before = module.versionCount();
        address owner = handler.owner();

        uint256 snapshot = vm.snapshotState();
        vm.recordLogs();
        vm.prank(owner);
        uint256 id = emc.proposeVersion(d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles);
        emc.activateVersion(id, packed, d.roles);
        Outcome memory apart = _outcome(id);
        vm.revertToStateAndDelete(snapshot);

        vm.recordLogs();
        vm.prank(owner);
        id = emc.proposeAndActivateVersion(
            d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles, packed, d.roles
        );
        Outcome memory together = _outcome(id);

        assertEq(together.id, before + 1, "id");
        assertEq(together.activeVersionId, together.id, "not active");
        assertEq(together.digest, digest, "versionDigest != the draft's");
        assertEq(together.logs.length, 2, "log count");
        assertEq(together.logs[0].topics[0], IEMC.VersionProposed.selector, "first log");
        assertEq(together.logs[1].topics[0], IEMC.VersionActivated.selector, "second log");
        _assertSame(apart, together);
    }

    // ================================================================== stale drafts

    /// @notice A draft signed for id N, after another version took N: the signatures, checked
    /// against id N + 1's typed data, are refused as the contract refuses a stranger's, and
    /// no proposal is recorded; signed again for N + 1, the same draft goes through.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_proposeAndActivateVersion_refusesADraftOvertakenByAProposal(
        uint256 seed,
        uint256 count,
        uint256 walletMask,
        bool renegotiate
    ) public {
        Draft memory d = _started(renegotiate, count, walletMask, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(d.parties, _draftDigest(d));
        address owner = handler.owner();
        vm.prank(owner);
        uint256 other = emc.proposeVersion(d.words, bytes32("first"), d.deadline, d.currentParties, d.currentRoles);
        assertEq(other, module.versionCount(), "the other proposal");
        _assertStale(d, sigs, "overtaken by a proposal");
    }

    /// @notice A draft signed at nonce K (one activation so far), after another version was
    /// activated: its id is still the next, but the signatures, checked at nonce K + 1, are
    /// refused and nothing is recorded; signed again, the same draft goes through.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_proposeAndActivateVersion_refusesADraftOvertakenByAnActivation(
        uint256 seed,
        uint256 count,
        uint256 walletMask
    ) public {
        handler.start(true);
        vm.warp(handler.now_());
        // The active version again, pending: its parties and roles stay what the draft names.
        address owner = handler.owner();
        address[] memory current = _activeParties();
        PartyRoles memory roles = _activeRoles(); // read before the prank
        uint256[] memory words = Entries.pack(handler.versionEntries(1));
        vm.prank(owner);
        uint256 other = emc.proposeVersion(words, bytes32("other"), uint48(block.timestamp + 1 days), current, roles);
        Draft memory d = _draftPlus(bound(count, 1, MAX_NEW_PARTIES), walletMask, seed);
        PackedSignatures.Signature[] memory sigs = _sigs(d.parties, _draftDigest(d));
        emc.activateVersion(other, _packedSignatures(other, current), roles);
        assertEq(module.activeVersionId(), other, "the other version is not active");
        _assertStale(d, sigs, "overtaken by an activation");
    }

    // ================================================================== the owner only

    /// @notice Anyone but the owner is refused with `EmcNotOwner(caller, owner)`, as
    /// `proposeVersion` refuses it, a draft signed by every party notwithstanding.
    /// forge-config: ci.fuzz.runs = 1000
    function testFuzz_proposeAndActivateVersion_refusesAnyoneButTheOwner(
        address caller,
        uint256 seed,
        uint256 count,
        uint256 walletMask,
        bool renegotiate
    ) public {
        Draft memory d = _started(renegotiate, bound(count, 1, 4), walletMask, seed);
        address owner = handler.owner();
        vm.assume(caller != owner && caller != address(vm));
        bytes memory packed = _sigs(d.parties, _draftDigest(d)).pack();
        uint256 before = module.versionCount();
        bytes memory expected = abi.encodeWithSelector(IEMCErrors.EmcNotOwner.selector, caller, owner);
        vm.prank(caller);
        (bool ok, bytes memory ret) = address(emc)
            .call(
                abi.encodeCall(
                    IEMC.proposeAndActivateVersion,
                    (d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles, packed, d.roles)
                )
            );
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("refused with ", vm.toString(ret)));
        vm.prank(caller);
        (ok, ret) = address(emc)
            .call(
                abi.encodeCall(
                    IEMC.proposeVersion, (d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles)
                )
            );
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("proposeVersion: ", vm.toString(ret)));
        assertEq(module.versionCount(), before, "a proposal was recorded");
    }

    // ================================================================== helpers

    /// @dev The first version agreed (`renegotiate`) or none, then a draft of it plus 1 to
    /// `MAX_NEW_PARTIES` new parties.
    function _started(bool renegotiate, uint256 count, uint256 walletMask, uint256 seed)
        internal
        returns (Draft memory)
    {
        if (renegotiate) handler.start(true);
        vm.warp(handler.now_());
        return _draftPlus(bound(count, 1, MAX_NEW_PARTIES), walletMask, seed);
    }

    /// @dev The digest `d`'s parties sign now: the typed data of the next id at the number of
    /// activations so far (the active version's epoch, plus one).
    function _draftDigest(Draft memory d) internal view returns (bytes32) {
        uint256 active = module.activeVersionId();
        uint256 nonce = active == 0 ? 0 : module.version(active).epoch + 1;
        bytes32 structHash = TypedData.versionStructHash(
            module.versionCount() + 1, Entries.hash(Entries.unpack(d.words)), d.documentHash, nonce, d.deadline
        );
        return TypedData.digest(address(emc), structHash);
    }

    /// @dev `d` signed as `sigs` is refused now, with the error the signatures meet against
    /// the digest it would be checked against, leaving the count and the active version as
    /// they were; signed again now, it goes through.
    function _assertStale(Draft memory d, PackedSignatures.Signature[] memory sigs, string memory what) internal {
        uint256 count = module.versionCount();
        uint256 activeBefore = module.activeVersionId();
        bytes32 digest = _draftDigest(d);
        bytes memory expected = _refusal(count + 1, digest, sigs);
        (bool ok, bytes memory ret) = _proposeAndActivate(d, sigs.pack());
        assertTrue(!ok, string.concat(what, ": activated"));
        assertTrue(
            keccak256(ret) == keccak256(expected),
            string.concat(what, ": refused with ", vm.toString(ret), ", expected ", vm.toString(expected))
        );
        assertEq(module.versionCount(), count, string.concat(what, ": a proposal was recorded"));
        assertEq(module.activeVersionId(), activeBefore, string.concat(what, ": active version changed"));

        (ok, ret) = _proposeAndActivate(d, _sigs(d.parties, digest).pack());
        assertTrue(ok, string.concat(what, ": signed again: ", vm.toString(ret)));
        assertEq(module.activeVersionId(), count + 1, string.concat(what, ": signed again: not active"));
    }

    function _proposeAndActivate(Draft memory d, bytes memory packed) internal returns (bool ok, bytes memory ret) {
        address owner = handler.owner();
        vm.prank(owner);
        (ok, ret) = address(emc)
            .call(
                abi.encodeCall(
                    IEMC.proposeAndActivateVersion,
                    (d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles, packed, d.roles)
                )
            );
    }

    /// @dev What the contract's signature check raises for `sigs` (in the parties' order)
    /// against `digest`, restated: a wallet that refuses is `EmcInvalidSignature` naming it,
    /// a signer not above the one before `EmcSignersNotSorted`, sorted strangers
    /// `EmcSignersNotParties`.
    function _refusal(uint256 id, bytes32 digest, PackedSignatures.Signature[] memory sigs)
        internal
        view
        returns (bytes memory)
    {
        address previous;
        for (uint256 i; i < sigs.length; ++i) {
            PackedSignatures.Signature memory sig = sigs[i];
            address signer = sig.signer;
            if (sig.v == 0) {
                if (TestWallet(signer).isValidSignature(digest, sig.data) != ERC1271_MAGIC) {
                    return _invalid(id, i, signer);
                }
            } else {
                signer = ecrecover(digest, sig.v, sig.r, sig.s);
                if (signer == address(0)) return _invalid(id, i, address(0));
            }
            if (i != 0 && signer <= previous) {
                return abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, i);
            }
            previous = signer;
        }
        return abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, id);
    }

    /// @dev What the path that made version `id` left (its logs recorded since `recordLogs`).
    function _outcome(uint256 id) internal returns (Outcome memory o) {
        o.logs = vm.getRecordedLogs();
        o.id = id;
        o.versionCount = module.versionCount();
        o.activeVersionId = module.activeVersionId();
        o.digest = emc.versionDigest(id);
        o.headers = new Version[](o.versionCount);
        for (uint256 i; i < o.versionCount; ++i) {
            o.headers[i] = module.version(i + 1);
        }
    }

    function _assertSame(Outcome memory a, Outcome memory b) internal pure {
        assertEq(b.id, a.id, "id");
        assertEq(b.versionCount, a.versionCount, "versionCount");
        assertEq(b.activeVersionId, a.activeVersionId, "activeVersionId");
        assertEq(b.digest, a.digest, "versionDigest");
        for (uint256 i; i < a.headers.length; ++i) {
            _assertSameHeader(a.headers[i], b.headers[i], string.concat("version ", vm.toString(i + 1), ": "));
        }
        assertEq(b.logs.length, a.logs.length, "log count");
        for (uint256 i; i < a.logs.length; ++i) {
            string memory where = string.concat("log ", vm.toString(i), ": ");
            assertEq(b.logs[i].emitter, a.logs[i].emitter, string.concat(where, "emitter"));
            assertEq(b.logs[i].topics.length, a.logs[i].topics.length, string.concat(where, "topic count"));
            for (uint256 t; t < a.logs[i].topics.length; ++t) {
                assertEq(b.logs[i].topics[t], a.logs[i].topics[t], string.concat(where, "topic ", vm.toString(t)));
            }
            assertEq(keccak256(b.logs[i].data), keccak256(a.logs[i].data), string.concat(where, "data"));
        }
    }

    function _assertSameHeader(Version memory a, Version memory b, string memory where) internal pure {
        assertEq(uint256(b.status), uint256(a.status), string.concat(where, "status"));
        assertEq(b.epoch, a.epoch, string.concat(where, "epoch"));
        assertEq(b.fromPeriod, a.fromPeriod, string.concat(where, "fromPeriod"));
        assertEq(b.entryCount, a.entryCount, string.concat(where, "entryCount"));
        assertEq(b.partyCount, a.partyCount, string.concat(where, "partyCount"));
        assertEq(b.nonce, a.nonce, string.concat(where, "nonce"));
        assertEq(b.proposedAt, a.proposedAt, string.concat(where, "proposedAt"));
        assertEq(b.activatedAt, a.activatedAt, string.concat(where, "activatedAt"));
        assertEq(b.deadline, a.deadline, string.concat(where, "deadline"));
        assertEq(b.proposedBlock, a.proposedBlock, string.concat(where, "proposedBlock"));
        assertEq(b.valueAddedBps, a.valueAddedBps, string.concat(where, "valueAddedBps"));
        assertEq(b.devFundBps, a.devFundBps, string.concat(where, "devFundBps"));
        assertEq(b.noticesAtProposal, a.noticesAtProposal, string.concat(where, "noticesAtProposal"));
        assertEq(b.namesMemberUnderNotice, a.namesMemberUnderNotice, string.concat(where, "namesMemberUnderNotice"));
        assertEq(b.restrictionsAtProposal, a.restrictionsAtProposal, string.concat(where, "restrictionsAtProposal"));
        assertEq(b.structHash, a.structHash, string.concat(where, "structHash"));
        assertEq(b.sharesRoot, a.sharesRoot, string.concat(where, "sharesRoot"));
        assertEq(b.partiesHash, a.partiesHash, string.concat(where, "partiesHash"));
    }
}
