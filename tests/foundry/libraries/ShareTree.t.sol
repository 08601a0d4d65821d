// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {EMCAccounting} from "../../../contracts/emc/EMCAccounting.sol";
import {EMCStorage} from "../../../contracts/emc/EMCStorage.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {IMemberRegistry} from "../../../contracts/interfaces/IMemberRegistry.sol";
import {ShareTree} from "../../../contracts/libraries/ShareTree.sol";
import {SharePath, ShareProof} from "../../../contracts/types/Shares.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {TestBase} from "../utils/Test.sol";

/// @notice `ShareTree` and the EMC's reading of share proofs (`EMCAccounting._earned`, which
/// takes an account's share in each epoch from its proof) over one version whose tree has
/// `count` parties: the header holds only the root and the party count.
contract ShareTreeHarness is EMCAccounting {
    constructor() EMCStorage(IMemberRegistry(address(0)), IERC20(address(0)), address(0)) {}

    /// @dev One version, active as epoch 0 from cumulative profit 0, and 10,000 units of
    /// profit since: an account's whole units earned are then its basis points.
    function setTree(bytes32 root, uint256 count) external {
        _versions[1].sharesRoot = root;
        _versions[1].partyCount = uint16(count);
        _terms.versionCount = 1;
        _activeVersionId = 1;
        _epochs[0] = Epoch({versionId: 1, startProfit: 0});
        _epochCount = 1;
        _cumProfit = 10_000;
    }

    /// @notice `account`'s partner and operating bps (`free`) and value-added bps (`locked`) in
    /// the version, as its proof shows them.
    function sharesOf(address account, ShareProof[] calldata proofs)
        external
        view
        returns (uint256 free, uint256 locked)
    {
        (, Earned memory e) = _earned(account, proofs);
        return (e.free, e.locked);
    }

    function verify(bytes32 root, uint256 count, SharePath calldata path) external pure returns (bool) {
        return ShareTree.verify(root, count, path);
    }

    function computeRoot(bytes32[] memory leaves, uint256 count) external pure returns (bytes32) {
        return ShareTree.computeRoot(leaves, count);
    }

    function leaf(SharePath calldata path) external pure returns (bytes32) {
        return ShareTree.leaf(path);
    }

    function depth(uint256 count) external pure returns (uint256) {
        return ShareTree.depth(count);
    }
}

/// @notice Fuzz tests of share trees over random sorted party sets of 1 to 256 parties: the
/// contract's root is the one the tests (and the SDK) build, every party's path verifies and
/// shows its shares, every account between, below and above the parties is shown to hold
/// nothing by its neighbours, and every tampered path or proof is refused.
contract ShareTreeTest is TestBase {
    ShareTreeHarness internal harness;

    function setUp() public {
        harness = new ShareTreeHarness();
    }

    /// @dev `count` parties, ascending with gaps of at least 2 from address 2 on (so there is
    /// an absent account below each, and above the last), with random basis points.
    function _parties(uint256 seed, uint256 count) internal pure returns (ShareTrees.Leaf[] memory leaves) {
        leaves = new ShareTrees.Leaf[](count);
        uint256 a = 2 + seed % (1 << 140);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            leaves[i] = ShareTrees.Leaf(
                address(uint160(a)), uint16(r % 10_001), uint16((r >> 16) % 10_001), uint16((r >> 32) % 10_001)
            );
            a += 2 + (r >> 64) % (1 << 150);
        }
    }

    function _tree(uint256 seed, uint256 count) internal returns (ShareTrees.Tree memory t) {
        t = ShareTrees.build(_parties(seed, count));
        harness.setTree(t.root, count);
    }

    function _one(ShareProof memory proof) internal pure returns (ShareProof[] memory proofs) {
        proofs = new ShareProof[](1);
        proofs[0] = proof;
    }

    function _refused(address account, ShareProof memory proof, string memory what) internal view {
        (bool ok, bytes memory ret) =
            address(harness).staticcall(abi.encodeCall(ShareTreeHarness.sharesOf, (account, _one(proof))));
        assertTrue(!ok, string.concat(what, ": accepted"));
        assertTrue(
            keccak256(ret) == keccak256(abi.encodeWithSelector(IEMCErrors.EmcInvalidShareProof.selector, account, 0)),
            string.concat(what, ": refused with ", vm.toString(ret), ", not EmcInvalidShareProof")
        );
    }

    /// @notice The contract's depth, leaves and root are the tree built here.
    function testFuzz_rootIsTheTreeOfTheParties(uint256 seed, uint256 count) public view {
        count = bound(count, 1, 256);
        ShareTrees.Tree memory t = ShareTrees.build(_parties(seed, count));
        uint256 d = ShareTrees.depth(count);
        assertEq(harness.depth(count), d, "depth");
        assertTrue((uint256(1) << d) >= count && (d == 0 || (uint256(1) << (d - 1)) < count), "depth: not the least");
        bytes32[] memory leaves = new bytes32[](uint256(1) << d);
        for (uint256 i; i < count; ++i) {
            leaves[i] = ShareTrees.leafHash(t.leaves[i]);
            assertTrue(harness.leaf(ShareTrees.path(t, i)) == leaves[i], "leaf");
        }
        assertTrue(harness.computeRoot(leaves, count) == t.root, "root: contract != tests");
    }

    /// @notice Every party's path verifies, and its proof shows exactly its basis points.
    /// @dev Each run checks every party (every gap) of a tree of up to 256: fewer runs in CI.
    /// forge-config: ci.fuzz.runs = 500
    function testFuzz_everyPartyVerifies(uint256 seed, uint256 count) public {
        count = bound(count, 1, 256);
        ShareTrees.Tree memory t = _tree(seed, count);
        for (uint256 i; i < count; ++i) {
            ShareTrees.Leaf memory l = t.leaves[i];
            SharePath memory p = ShareTrees.path(t, i);
            assertTrue(harness.verify(t.root, count, p), "a party's path does not verify");
            assertTrue(ShareTrees.verify(t.root, count, p), "a party's path does not verify (tests)");
            (uint256 free, uint256 locked) = harness.sharesOf(l.account, _one(ShareTrees.proof(t, l.account)));
            assertEq(free, uint256(l.partnerBps) + l.operatingBps, "a party's free bps");
            assertEq(locked, l.valueAddedBps, "a party's value-added bps");
        }
    }

    /// @notice Every account that is no party, below the first, between any two and above the
    /// last, is shown by its neighbours to hold nothing.
    /// @dev Each run checks every party (every gap) of a tree of up to 256: fewer runs in CI.
    /// forge-config: ci.fuzz.runs = 500
    function testFuzz_everyAbsentAccountIsProvenAbsent(uint256 seed, uint256 count) public {
        count = bound(count, 1, 256);
        ShareTrees.Tree memory t = _tree(seed, count);
        for (uint256 i; i <= count; ++i) {
            // Just below party i (or just above the last), and a random one in the gap.
            uint256 top = i < count ? uint160(t.leaves[i].account) : type(uint160).max;
            uint256 bottom = i == 0 ? 0 : uint160(t.leaves[i - 1].account);
            address below = address(uint160(top - 1));
            address inGap = address(uint160(bottom + 1 + uint256(keccak256(abi.encode(seed, "gap", i))) % (top - bottom - 1)));
            for (uint256 k; k < 2; ++k) {
                address a = k == 0 ? below : inGap;
                ShareProof memory proof = ShareTrees.proof(t, a);
                (uint256 free, uint256 locked) = harness.sharesOf(a, _one(proof));
                assertEq(free + locked, 0, "an absent account holds bps");
                assertEq(proof.path.account == address(0), i == 0, "absence: a lower neighbour below the first");
                assertEq(proof.next.account == address(0), i == count, "absence: an upper neighbour above the last");
            }
        }
    }

    /// @notice Tampered paths fail `verify`, and tampered proofs are refused with
    /// `EmcInvalidShareProof`: other basis points, account, index or sibling, a sibling short
    /// or too many, an absence proof that skips the party's leaf, neighbours not adjacent or
    /// the wrong way round, a forged leaf for an absent account.
    function testFuzz_tamperedProofsFail(uint256 seed, uint256 count, uint256 which) public {
        count = bound(count, 1, 256);
        ShareTrees.Tree memory t = _tree(seed, count);
        uint256 i = which % count;
        address party = t.leaves[i].account;
        SharePath memory good = ShareTrees.path(t, i);
        for (uint256 kind; kind < 7; ++kind) {
            SharePath memory p = ShareTrees.copy(good);
            if (kind == 0) ++p.partnerBps;
            else if (kind == 1) ++p.operatingBps;
            else if (kind == 2) ++p.valueAddedBps;
            else if (kind == 3) p.index = (p.index + 1 + (which >> 16) % count) % (uint256(1) << p.siblings.length);
            else if (kind == 4 && p.siblings.length != 0) p.siblings[(which >> 24) % p.siblings.length] ^= bytes32(uint256(1 + (which >> 32) % 255));
            else if (kind == 5) p.index += count; // beyond the parties, in the padding or past it
            else p.siblings = _resized(p.siblings, (which >> 40) % 2 == 0);
            if (kind == 3 && p.index == good.index) continue; // a one-leaf tree has no other index
            if (kind == 4 && good.siblings.length == 0) continue;
            assertTrue(!harness.verify(t.root, count, p), "a tampered path verifies");
            assertTrue(!ShareTrees.verify(t.root, count, p), "a tampered path verifies (tests)");
            _refused(party, ShareProof(p, _empty()), "tampered party path");
        }
        // The party's leaf shown for another account, the party hidden by its neighbours.
        // (For the last party that is the true absence proof of the account above it.)
        if (i + 1 < count) _refused(address(uint160(party) + 1), ShareProof(good, _empty()), "another account's leaf");
        _refused(party, ShareTrees.skippingProof(t, party), "absence proof for a party");

        address absent = address(uint160(party) - 1); // between party i - 1 and party i
        ShareProof memory proof = ShareTrees.proof(t, absent);
        if (i + 1 < count) {
            // Neighbours not adjacent: the party above the upper neighbour instead of it.
            ShareProof memory gap = ShareTrees.copy(proof);
            gap.next = ShareTrees.path(t, i + 1);
            _refused(absent, gap, "neighbours not adjacent");
        }
        if (i != 0) {
            // The wrong way round: the upper neighbour as the lower one.
            _refused(absent, ShareProof(proof.next, proof.path), "neighbours swapped");
            // Only the lower neighbour, though the upper one exists.
            _refused(absent, ShareProof(proof.path, _empty()), "upper neighbour left out");
        }
        // Only the upper neighbour, though a lower one exists (or none at all).
        if (i != 0) _refused(absent, ShareProof(_empty(), proof.next), "lower neighbour left out");
        _refused(absent, ShareProof(_empty(), _empty()), "no neighbours");
        // A leaf forged for the absent account, on the upper neighbour's siblings.
        SharePath memory forged = ShareTrees.copy(good);
        forged.account = absent;
        _refused(absent, ShareProof(forged, _empty()), "forged leaf");
    }

    function _empty() internal pure returns (SharePath memory p) {
        p.siblings = new bytes32[](0);
    }

    function _resized(bytes32[] memory siblings, bool longer) internal pure returns (bytes32[] memory r) {
        if (!longer && siblings.length == 0) longer = true;
        r = new bytes32[](longer ? siblings.length + 1 : siblings.length - 1);
        for (uint256 i; i < r.length && i < siblings.length; ++i) {
            r[i] = siblings[i];
        }
    }
}
