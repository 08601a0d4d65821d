// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {PartyRoles, ShareClass} from "../../../contracts/types/Shares.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {EMCLifecycleChecks} from "./EMCLifecycleChecks.sol";

/// @notice A first version of 1 to 256 parties (the most a version may have), drawn from 256
/// registered MEs: its parties' signatures in any order but sorted are refused at the first
/// signer not above the one before (`EmcSignersNotSorted`); sorted, they activate it.
contract EMCManyPartiesTest is EMCLifecycleChecks {
    using PackedSignatures for PackedSignatures.Signature[];

    uint256 internal constant POOL = 256;

    uint256[] internal _poolKeys;

    function setUp() public override {
        super.setUp();
        address admin = handler.admin();
        vm.startPrank(admin);
        for (uint256 i; i < POOL; ++i) {
            uint256 key = 1 + uint256(keccak256(abi.encode("many parties", i))) % (PackedSignatures.SECP256K1_N - 1);
            _poolKeys.push(key);
            registry.addMember(vm.addr(key), Roles.ME, bytes32(i));
        }
        vm.stopPrank();
        vm.warp(handler.now_());
    }

    /// forge-config: default.fuzz.runs = 128
    /// forge-config: ci.fuzz.runs = 256
    function testFuzz_activateVersion_signersInAnyOrderButSortedAreRefused(uint256 seed, uint256 count) public {
        _check(seed, bound(count, 1, POOL));
    }

    /// @notice The bounds: one party, and the most (every entry a party).
    function test_activateVersion_oneAndTheMostParties() public {
        uint256 snapshot = vm.snapshotState();
        _check(1, 1);
        vm.revertToStateAndDelete(snapshot);
        _check(2, POOL);
    }

    function _check(uint256 seed, uint256 n) internal {
        // `n` of the pool from a random place on, sorted by address (as entries must be).
        uint256 first = seed % POOL;
        uint256[] memory keys = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            keys[i] = _poolKeys[(first + i) % POOL];
        }
        _sortKeysByAddress(keys);
        uint256[] memory words = new uint256[](n);
        uint256 each = BPS / n;
        for (uint256 i; i < n; ++i) {
            uint256 bps = i + 1 == n ? BPS - each * (n - 1) : each;
            words[i] = uint256(uint160(vm.addr(keys[i]))) << 96 | uint256(ShareClass.Operating) << 16 | bps;
        }
        address owner = handler.owner();
        vm.prank(owner);
        uint256 id = emc.proposeVersion(
            words, bytes32("many"), uint48(block.timestamp + 1 days), new address[](0), PartyRoles(0, 0)
        );
        // Every party an ME: bits 0 to n - 1 of the ME mask.
        PartyRoles memory roles = PartyRoles(0, n == 256 ? type(uint256).max : (uint256(1) << n) - 1);
        assertEq(module.version(id).partyCount, n, "party count");
        bytes32 digest = emc.versionDigest(id);
        PackedSignatures.Signature[] memory sigs = new PackedSignatures.Signature[](n);
        for (uint256 i; i < n; ++i) {
            sigs[i] = PackedSignatures.ecdsa(keys[i], digest);
        }
        // Shuffled (Fisher-Yates): refused at the first signer not above the one before.
        PackedSignatures.Signature[] memory shuffled = new PackedSignatures.Signature[](n);
        for (uint256 i; i < n; ++i) {
            shuffled[i] = sigs[i];
        }
        for (uint256 i = n; i > 1; --i) {
            uint256 j = uint256(keccak256(abi.encode(seed, "shuffle", i))) % i;
            (shuffled[i - 1], shuffled[j]) = (shuffled[j], shuffled[i - 1]);
        }
        uint256 firstUnsorted;
        for (uint256 i = 1; i < n && firstUnsorted == 0; ++i) {
            if (shuffled[i].signer < shuffled[i - 1].signer) firstUnsorted = i;
        }
        if (firstUnsorted != 0) {
            (bool refused, bytes memory why) =
                address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, shuffled.pack(), roles)));
            assertTrue(!refused, "activated with the signers out of order");
            assertTrue(
                keccak256(why)
                    == keccak256(abi.encodeWithSelector(IEMCErrors.EmcSignersNotSorted.selector, firstUnsorted)),
                string.concat("shuffled: refused with ", vm.toString(why))
            );
        }
        (bool ok, bytes memory ret) = address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, sigs.pack(), roles)));
        assertTrue(ok, string.concat("sorted: ", vm.toString(ret)));
        assertEq(module.activeVersionId(), id, "active version");
    }

    function _sortKeysByAddress(uint256[] memory keys) internal pure {
        address[] memory addrs = new address[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            addrs[i] = PackedSignatures.ecdsaAddress(keys[i]);
        }
        for (uint256 i = 1; i < keys.length; ++i) {
            (uint256 key, address a) = (keys[i], addrs[i]);
            uint256 j = i;
            while (j > 0 && addrs[j - 1] > a) {
                (keys[j], addrs[j]) = (keys[j - 1], addrs[j - 1]);
                --j;
            }
            (keys[j], addrs[j]) = (key, a);
        }
    }
}
