// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IEMCModule} from "../../../contracts/interfaces/IEMCModule.sol";
import {
    PartyRoles,
    PeriodReport,
    ShareClass,
    ShareEntry,
    SharePath,
    ShareProof,
    Version
} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {EMCLifecycleChecks} from "./EMCLifecycleChecks.sol";
import {Sort} from "../utils/Sort.sol";

/// @notice The share-version rules one case at a time (the handler meets them at random): a
/// claim shows its share in every epoch it was not brought up to date with, by proofs against
/// each version's tree, and every wrong proof or count is refused with nothing changed; the
/// signers are exactly the parties; a proposal names the active version's parties; an
/// investment or a notice shows the member's leaf in the active version.
contract EMCShareVersionsTest is EMCLifecycleChecks {
    address internal member; // an ME other than the owner, a party of the first version

    /// @dev The first version (with the fund), and one profit settled under it.
    function _started() internal {
        handler.start(true);
        vm.warp(handler.now_());
        member = _firstMemberOtherThan(handler.owner());
        _settleProfit(1_000_000);
    }

    function _settleProfit(uint256 profit) internal {
        address owner = handler.owner();
        _fund(owner, profit);
        PeriodReport memory report = PeriodReport(10, 1, uint128(profit), 0, uint128(profit), bytes32("p"));
        vm.prank(owner);
        emc.settle(report);
    }

    function _tree(uint256 versionId) internal view returns (ShareTrees.Tree memory) {
        return ShareTrees.build(handler.versionEntries(versionId));
    }

    function _one(ShareProof memory proof) internal pure returns (ShareProof[] memory proofs) {
        proofs = new ShareProof[](1);
        proofs[0] = proof;
    }

    /// @dev `claim(proofs)` by `account` is refused with `expected`, and so is `accountOf`;
    /// the account's balance, claimable credit and unsynced epochs are as they were.
    function _claimRefused(address account, ShareProof[] memory proofs, bytes memory expected, string memory what)
        internal
    {
        _claimRefused(account, proofs, handler.proofsFor(account), expected, what);
    }

    function _claimRefused(
        address account,
        ShareProof[] memory proofs,
        ShareProof[] memory good,
        bytes memory expected,
        string memory what
    ) internal {
        uint256 balance = token.balanceOf(account);
        uint256 claimable = module.accountOf(account, good).claimable;
        (uint256 from, uint256 to) = module.unsyncedEpochs(account);
        (bool ok, bytes memory ret) =
            address(module).staticcall(abi.encodeCall(IEMCModule.accountOf, (account, proofs)));
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat(what, ": accountOf ", vm.toString(ret)));
        vm.prank(account);
        (ok, ret) = address(emc).call(abi.encodeCall(IEMC.claim, (proofs)));
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat(what, ": claim ", vm.toString(ret)));
        assertEq(token.balanceOf(account), balance, string.concat(what, ": balance changed"));
        assertEq(module.accountOf(account, good).claimable, claimable, string.concat(what, ": claimable changed"));
        (uint256 fromAfter, uint256 toAfter) = module.unsyncedEpochs(account);
        assertEq(fromAfter, from, string.concat(what, ": unsynced from changed"));
        assertEq(toAfter, to, string.concat(what, ": unsynced to changed"));
    }

    function _invalid(address account, uint256 epoch) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcInvalidShareProof.selector, account, epoch);
    }

    /// @dev The active version's entries with one basis point moved from the fund to the
    /// owner's operating share: the same parties, another tree.
    function _shifted() internal view returns (ShareEntry[] memory entries) {
        entries = handler.versionEntries(module.activeVersionId());
        address owner = handler.owner();
        for (uint256 i; i < entries.length; ++i) {
            if (entries[i].class == ShareClass.DevFund) --entries[i].bps;
            if (entries[i].account == owner && entries[i].class == ShareClass.Operating) ++entries[i].bps;
        }
    }

    function _propose(ShareEntry[] memory entries, address[] memory current) internal returns (uint256 id) {
        uint48 deadline = uint48(block.timestamp + 1 days);
        address owner = handler.owner();
        PartyRoles memory roles = _activeRoles(); // read before the prank, which the next call takes
        vm.prank(owner);
        id = emc.proposeVersion(Entries.pack(entries), bytes32("unit"), deadline, current, roles);
    }

    /// @dev The signatures of version `id` by `signers`, packed in the order given.
    function _signatures(uint256 id, address[] memory signers) internal view returns (bytes memory) {
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory s = new PackedSignatures.Signature[](signers.length);
        for (uint256 i; i < signers.length; ++i) {
            s[i] = _partySig(signers[i], digest);
        }
        return PackedSignatures.pack(s);
    }

    // ================================================================== claims

    function test_claim_paysWithTheProofOfEachUnsyncedEpoch() public {
        _started();
        (uint256 from, uint256 to) = module.unsyncedEpochs(member);
        assertEq(from, 0, "unsynced from");
        assertEq(to, 1, "unsynced to");
        ShareProof[] memory proofs = handler.proofsFor(member);
        uint256 claimable = module.accountOf(member, proofs).claimable;
        assertTrue(claimable != 0, "nothing to claim");
        vm.prank(member);
        assertEq(emc.claim(proofs), claimable, "claim: amount");
        (from, to) = module.unsyncedEpochs(member);
        assertEq(from, 1, "brought up to date: from");
        assertEq(to, 1, "brought up to date: to");
        // Up to date: the next claim needs no proof, and one is refused.
        _settleProfit(100_000);
        _claimRefused(
            member,
            _one(proofs[0]),
            new ShareProof[](0),
            abi.encodeWithSelector(IEMCErrors.EmcShareProofCount.selector, member, 0, 1),
            "a proof too many when up to date"
        );
        vm.prank(member);
        assertTrue(emc.claim(new ShareProof[](0)) != 0, "claim without proofs");
    }

    function test_claim_revertsWhenTheProofCountIsWrong() public {
        _started();
        ShareProof[] memory proofs = handler.proofsFor(member);
        _claimRefused(
            member,
            new ShareProof[](0),
            abi.encodeWithSelector(IEMCErrors.EmcShareProofCount.selector, member, 1, 0),
            "no proof"
        );
        ShareProof[] memory two = new ShareProof[](2);
        two[0] = proofs[0];
        two[1] = proofs[0];
        _claimRefused(
            member, two, abi.encodeWithSelector(IEMCErrors.EmcShareProofCount.selector, member, 1, 2), "two proofs"
        );
    }

    function test_claim_revertsWhenTheProofIsWrong() public {
        _started();
        ShareTrees.Tree memory tree = _tree(1);
        (bool found, uint256 index) = ShareTrees.find(tree, member);
        assertTrue(found, "the member is a party");
        ShareProof memory good = ShareTrees.proof(tree, member);

        ShareProof memory p = ShareTrees.copy(good);
        ++p.path.operatingBps;
        _claimRefused(member, _one(p), _invalid(member, 0), "wrong bps");

        p = ShareTrees.copy(good);
        p.path.index = index ^ 1;
        _claimRefused(member, _one(p), _invalid(member, 0), "wrong index");

        p = ShareTrees.copy(good);
        p.path.siblings[0] ^= bytes32(uint256(1));
        _claimRefused(member, _one(p), _invalid(member, 0), "wrong sibling");

        _claimRefused(member, _one(ShareTrees.skippingProof(tree, member)), _invalid(member, 0), "absence for a party");

        // A proof against another version's tree (proposed, not active): refused.
        uint256 other = _propose(_shifted(), _activeParties());
        assertTrue(module.version(other).sharesRoot != tree.root, "the other version has the same root");
        _claimRefused(member, _one(ShareTrees.proof(_tree(other), member)), _invalid(member, 0), "another version");
    }

    /// @notice After a second version leaving a member out, the member shows its leaf in the
    /// first and its absence from the second; its leaf shown for the second is refused, and
    /// so is its absence from the first.
    function test_claim_walksEveryEpochWithPresenceAndAbsenceProofs() public {
        _started();
        // The member goes (suspended: it may be left out at once); the others agree.
        vm.prank(handler.admin());
        registry.suspendMember(member, bytes32("suspended"));
        (ShareEntry[] memory entries, address[] memory parties) = _continuation(true);
        uint256 second = _propose(entries, _activeParties());
        (bool ok, bytes memory ret) = address(emc)
            .call(abi.encodeCall(IEMC.activateVersion, (second, _signatures(second, parties), _rolesOf(entries))));
        assertTrue(ok, string.concat("second version: ", vm.toString(ret)));
        assertEq(module.epochVersion(1), second, "epoch 1's version");
        _settleProfit(500_000);

        ShareTrees.Tree memory first = _tree(1);
        ShareTrees.Tree memory tree = ShareTrees.build(entries);
        assertTrue(module.version(second).sharesRoot == tree.root, "second version's root");
        (bool inSecond,) = ShareTrees.find(tree, member);
        assertTrue(!inSecond, "the member is still a party");
        ShareProof[] memory proofs = new ShareProof[](2);
        proofs[0] = ShareTrees.proof(first, member);
        proofs[1] = ShareTrees.proof(tree, member);
        assertTrue(proofs[0].path.account == member, "epoch 0: presence");
        assertTrue(proofs[1].path.account != member, "epoch 1: absence");

        ShareProof[] memory bad = new ShareProof[](2);
        bad[0] = proofs[0];
        bad[1] = proofs[0]; // its first version's leaf where it holds nothing
        _claimRefused(member, bad, proofs, _invalid(member, 1), "the first version's leaf in the second");
        bad[0] = ShareTrees.skippingProof(first, member); // absence where it held a share
        bad[1] = proofs[1];
        _claimRefused(member, bad, proofs, _invalid(member, 0), "absence from the first version");
        bad[0] = proofs[0];
        bad[1] = ShareTrees.copy(proofs[1]);
        if (bad[1].next.account != address(0)) ++bad[1].next.index;
        else ++bad[1].path.index;
        _claimRefused(member, bad, proofs, _invalid(member, 1), "absence with a neighbour's index wrong");

        // Suspended members may claim: what it earned in both epochs (nothing in the second).
        uint256 claimable = module.accountOf(member, proofs).claimable;
        assertTrue(claimable != 0, "nothing to claim");
        vm.prank(member);
        assertEq(emc.claim(proofs), claimable, "claim: amount");
    }

    // ================================================================== signatures and parties

    function test_activateVersion_revertsWhenSignersAreNotTheParties() public {
        _started();
        address[] memory parties = _activeParties();
        PartyRoles memory roles = _rolesOf(_shifted());
        uint256 id = _propose(_shifted(), parties);
        // A non-party (the treasury) in a party's place, sorted again.
        address[] memory signers = new address[](parties.length);
        address treasury = handler.treasury();
        _keyOf[treasury] = handler.keyOf(treasury);
        uint256 n;
        for (uint256 i; i < parties.length; ++i) {
            if (parties[i] != member) signers[n++] = parties[i];
        }
        signers[n] = treasury;
        Sort.addresses(signers);
        bytes memory expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, id);
        (bool ok, bytes memory ret) =
            address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, _signatures(id, signers), roles)));
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("non-party: ", vm.toString(ret)));
        // A party twice in place of another: not sorted strictly.
        for (uint256 i; i < parties.length; ++i) {
            signers[i] = parties[i];
        }
        signers[1] = signers[0];
        (ok, ret) = address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, _signatures(id, signers), roles)));
        expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, 1);
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("duplicate: ", vm.toString(ret)));
        // The parties with roles that are not theirs (a role bit flipped): not the parties.
        expected = abi.encodeWithSelector(IEMCErrors.EmcSignersNotParties.selector, id);
        PartyRoles[2] memory wrongRoles =
            [PartyRoles(roles.partnerMask ^ 1, roles.meMask), PartyRoles(roles.partnerMask, roles.meMask ^ 2)];
        for (uint256 k; k < 2; ++k) {
            (ok, ret) =
                address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, _signatures(id, parties), wrongRoles[k])));
            assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("wrong roles: ", vm.toString(ret)));
        }
        // The parties themselves: activated.
        (ok, ret) = address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, _signatures(id, parties), roles)));
        assertTrue(ok, string.concat("the parties: ", vm.toString(ret)));
    }

    function test_proposeVersion_revertsWhenCurrentPartiesAreWrong() public {
        ShareEntry[] memory entries = new ShareEntry[](1);
        entries[0] = ShareEntry(DEV_FUND, ShareClass.DevFund, uint16(BPS));
        address owner = handler.owner();
        address[] memory one = new address[](1);
        one[0] = owner;
        uint48 deadline = uint48(handler.now_() + 1 days);
        vm.warp(handler.now_());
        // Before the first activation: none.
        bytes memory expected = abi.encodeWithSelector(IEMCErrors.EmcCurrentPartiesMismatch.selector, 0);
        vm.prank(owner);
        (bool ok, bytes memory ret) = address(emc)
            .call(
                abi.encodeCall(
                    IEMC.proposeVersion, (Entries.pack(entries), bytes32("x"), deadline, one, PartyRoles(0, 0))
                )
            );
        assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat("before: ", vm.toString(ret)));

        _started();
        address[] memory parties = _activeParties();
        expected = abi.encodeWithSelector(IEMCErrors.EmcCurrentPartiesMismatch.selector, 1);
        deadline = uint48(block.timestamp + 1 days);
        entries = _shifted();
        address[][] memory wrong = new address[][](4);
        wrong[0] = new address[](0); // none
        wrong[1] = new address[](parties.length - 1); // one short
        wrong[2] = new address[](parties.length); // unsorted
        wrong[3] = new address[](parties.length + 1); // one repeated
        for (uint256 i; i < parties.length; ++i) {
            if (i + 1 < parties.length) wrong[1][i] = parties[i + 1];
            wrong[2][i] = parties[parties.length - 1 - i];
            wrong[3][i] = parties[i];
        }
        wrong[3][parties.length] = parties[parties.length - 1];
        PartyRoles memory current = _activeRoles();
        for (uint256 k; k < wrong.length; ++k) {
            vm.prank(owner);
            (ok, ret) = address(emc)
                .call(
                    abi.encodeCall(
                        IEMC.proposeVersion, (Entries.pack(entries), bytes32("x"), deadline, wrong[k], current)
                    )
                );
            assertTrue(
                !ok && keccak256(ret) == keccak256(expected),
                string.concat("wrong list ", vm.toString(k), ": ", vm.toString(ret))
            );
        }
        // The right list with its roles wrong: a partner bit, an ME bit, none.
        PartyRoles[3] memory wrongRoles = [
            PartyRoles(current.partnerMask ^ 1, current.meMask),
            PartyRoles(current.partnerMask, current.meMask ^ 4),
            PartyRoles(0, 0)
        ];
        for (uint256 k; k < wrongRoles.length; ++k) {
            vm.prank(owner);
            (ok, ret) = address(emc)
                .call(
                    abi.encodeCall(
                        IEMC.proposeVersion, (Entries.pack(entries), bytes32("x"), deadline, parties, wrongRoles[k])
                    )
                );
            assertTrue(
                !ok && keccak256(ret) == keccak256(expected),
                string.concat("wrong roles ", vm.toString(k), ": ", vm.toString(ret))
            );
        }
        assertEq(_propose(entries, parties), 2, "the right list: proposed");
        Version memory v = module.version(2);
        ShareTrees.Tree memory tree = ShareTrees.build(entries);
        assertTrue(v.sharesRoot == tree.root, "shares root");
        assertTrue(v.partiesHash == ShareTrees.partiesHash(tree), "parties hash");
    }

    // ================================================================== invest and notices

    function test_investAndNotices_revertWithoutTheMembersLeaf() public {
        _started();
        address owner = handler.owner();
        SharePath memory own = handler.activePath(member);
        SharePath memory others = handler.activePath(owner);
        SharePath memory tampered = ShareTrees.copy(own);
        ++tampered.valueAddedBps;
        bytes memory notAMember = _err(IEMCErrors.EmcNotAMember.selector, member);
        bytes memory invalid = _invalid(member, 0);
        _fund(member, 1_000);
        _expect(member, abi.encodeCall(IEMC.invest, (1_000, others)), notAMember, "invest, another's leaf");
        _expect(member, abi.encodeCall(IEMC.invest, (1_000, tampered)), invalid, "invest, tampered leaf");
        _expect(
            member, abi.encodeCall(IEMCModule.resign, (1, bytes32("r"), others)), notAMember, "resign, another's leaf"
        );
        _expect(member, abi.encodeCall(IEMCModule.resign, (1, bytes32("r"), tampered)), invalid, "resign, tampered");
        _expect(
            owner,
            abi.encodeCall(IEMCModule.terminate, (member, 1, bytes32("t"), others)),
            notAMember,
            "terminate, another's leaf"
        );
        _expect(
            owner,
            abi.encodeCall(IEMCModule.terminate, (member, 1, bytes32("t"), tampered)),
            invalid,
            "terminate, tampered"
        );
        _expect(member, abi.encodeCall(IEMC.invest, (1_000, own)), "", "invest, own leaf");
        _expect(owner, abi.encodeCall(IEMCModule.terminate, (member, 2, bytes32("t"), own)), "", "terminate, own leaf");
    }

    function _expect(address from, bytes memory data, bytes memory expected, string memory what) internal {
        vm.prank(from);
        (bool ok, bytes memory ret) = address(emc).call(data);
        if (expected.length == 0) assertTrue(ok, string.concat(what, ": ", vm.toString(ret)));
        else assertTrue(!ok && keccak256(ret) == keccak256(expected), string.concat(what, ": ", vm.toString(ret)));
    }

    function _err(bytes4 selector, address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, account);
    }
}
