// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMC} from "../../../contracts/interfaces/IEMC.sol";
import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {Roles} from "../../../contracts/libraries/Roles.sol";
import {PartyRoles, ShareClass, ShareEntry} from "../../../contracts/types/Shares.sol";
import {Entries} from "../utils/Entries.sol";
import {PackedSignatures} from "../utils/PackedSignatures.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {TestWallet} from "../utils/TestWallet.sol";
import {EMCLifecycleChecks} from "./EMCLifecycleChecks.sol";
import {Sort} from "../utils/Sort.sol";

/// @notice What the packed-signature tests share: ERC-1271 test wallets registered as MEs, a
/// proposal of the first version plus wallets, each party's signature (a wallet's as a
/// contract signature of its owner key), and the refusals they expect.
abstract contract EMCSignaturesBase is EMCLifecycleChecks {
    uint256 internal constant WALLET_BPS = 10;

    /// @dev The owner key of each wallet made here (zero for the fixture's wallet and EOAs);
    /// every wallet's key is also `_keyOf` it, and `_isWallet` it.
    mapping(address wallet => uint256) internal _walletKey;
    /// @dev The roles of each version proposed here, built from its words.
    mapping(uint256 versionId => PartyRoles) internal _versionRoles;

    /// @notice A version to propose (its words and parties, sorted) and what proposing and
    /// activating it take besides the signatures.
    struct Draft {
        uint256[] words;
        bytes32 documentHash;
        uint48 deadline;
        address[] parties;
        address[] currentParties;
        PartyRoles currentRoles;
        PartyRoles roles;
    }

    /// @dev A wallet at an address drawn from `salt`, owned by a key drawn from it, registered
    /// as an ME.
    function _newWallet(uint256 salt) internal returns (address wallet) {
        uint256 key = 1 + uint256(keccak256(abi.encode("wallet owner", salt))) % (PackedSignatures.SECP256K1_N - 1);
        wallet = address(new TestWallet{salt: bytes32(salt)}(vm.addr(key)));
        _walletKey[wallet] = key;
        _keyOf[wallet] = key;
        _isWallet[wallet] = true;
        _registerMe(wallet, bytes32("wallet"));
    }

    /// @dev An EOA with a key drawn from `salt`, registered as an ME.
    function _newEoa(uint256 salt) internal returns (address eoa) {
        uint256 key = 1 + uint256(keccak256(abi.encode("eoa", salt))) % (PackedSignatures.SECP256K1_N - 1);
        eoa = vm.addr(key);
        _keyOf[eoa] = key;
        _registerMe(eoa, bytes32("eoa"));
    }

    function _registerMe(address account, bytes32 reason) private {
        address admin = handler.admin();
        vm.prank(admin);
        registry.addMember(account, Roles.ME, reason);
    }

    /// @dev The first version (with the fund), then a proposal of it plus `count` wallets (an
    /// operating share each, from the fund's): returns its id and parties, sorted.
    function _proposeWithWallets(uint256 count, uint256 seed) internal returns (uint256 id, address[] memory parties) {
        handler.start(true);
        vm.warp(handler.now_());
        Draft memory d = _draftPlus(count, type(uint256).max, seed);
        address owner = handler.owner();
        vm.prank(owner);
        id = emc.proposeVersion(d.words, d.documentHash, d.deadline, d.currentParties, d.currentRoles);
        _versionRoles[id] = d.roles;
        parties = d.parties;
    }

    /// @dev A draft of the active version (before the first: the fund alone) plus `count` new
    /// MEs, an operating share each from the fund's: new party `k` a wallet if bit `k` of
    /// `walletMask` is set, else an EOA.
    function _draftPlus(uint256 count, uint256 walletMask, uint256 seed) internal returns (Draft memory d) {
        uint256 active = module.activeVersionId();
        ShareEntry[] memory current =
            active == 0 ? _one(ShareEntry(DEV_FUND, ShareClass.DevFund, uint16(BPS))) : handler.versionEntries(active);
        d.currentParties = _activeParties();
        d.currentRoles = _activeRoles();
        d.words = new uint256[](current.length + count);
        d.parties = new address[](d.currentParties.length + count);
        for (uint256 i; i < current.length; ++i) {
            d.words[i] = Entries.pack(_one(current[i]))[0];
        }
        for (uint256 i; i < d.currentParties.length; ++i) {
            d.parties[i] = d.currentParties[i];
        }
        for (uint256 k; k < count; ++k) {
            uint256 salt = uint256(keccak256(abi.encode(seed, k)));
            address party = (walletMask >> k) & 1 == 1 ? _newWallet(salt) : _newEoa(salt);
            d.words[current.length + k] =
                uint256(uint160(party)) << 96 | uint256(ShareClass.Operating) << 16 | WALLET_BPS;
            d.parties[d.currentParties.length + k] = party;
        }
        d.words[0] -= count * WALLET_BPS; // the fund's entry, first
        Sort.words(d.words);
        Sort.addresses(d.parties);
        d.documentHash = bytes32("wallets");
        d.deadline = uint48(block.timestamp + 1 days);
        d.roles = ShareTrees.roles(ShareTrees.build(d.words));
    }

    function _one(ShareEntry memory e) internal pure returns (ShareEntry[] memory list) {
        list = new ShareEntry[](1);
        list[0] = e;
    }

    /// @dev Each party's signature of `digest`, in the parties' order: a wallet's as a
    /// contract signature of its owner key, an EOA's ECDSA.
    function _sigs(address[] memory parties, bytes32 digest)
        internal
        view
        returns (PackedSignatures.Signature[] memory sigs)
    {
        sigs = new PackedSignatures.Signature[](parties.length);
        for (uint256 i; i < parties.length; ++i) {
            address p = parties[i];
            sigs[i] = _partySig(p, digest);
        }
    }

    function _activate(uint256 id, bytes memory packed) internal returns (bool ok, bytes memory ret) {
        (ok, ret) = address(emc).call(abi.encodeCall(IEMC.activateVersion, (id, packed, _versionRoles[id])));
    }

    function _assertRefused(uint256 id, bytes memory packed, bytes memory expected, string memory what) internal {
        (bool ok, bytes memory ret) = _activate(id, packed);
        assertTrue(!ok, string.concat(what, ": activated"));
        assertTrue(
            keccak256(ret) == keccak256(expected),
            string.concat(what, ": refused with ", vm.toString(ret), ", expected ", vm.toString(expected))
        );
        assertEq(module.activeVersionId(), 1, string.concat(what, ": active version changed"));
    }

    /// @dev The index of the first wallet made here among `parties`.
    function _firstWallet(address[] memory parties) internal view returns (uint256) {
        for (uint256 i; i < parties.length; ++i) {
            if (_walletKey[parties[i]] != 0) return i;
        }
        revert("no wallet");
    }

    /// @dev Where wallet `w`'s data (its length word) starts: after the fixed parts and the
    /// data of the wallets before it.
    function _dataOffset(PackedSignatures.Signature[] memory sigs, uint256 w) internal pure returns (uint256 offset) {
        offset = sigs.length * PackedSignatures.FIXED;
        for (uint256 i; i < w; ++i) {
            if (sigs[i].v == 0) offset += 32 + sigs[i].data.length;
        }
    }

    /// @dev The number of wallets among `parties`.
    function _walletCount(address[] memory parties) internal view returns (uint256 count) {
        for (uint256 i; i < parties.length; ++i) {
            if (_isWallet[parties[i]]) ++count;
        }
    }

    /// @dev The index of the first contract signature whose data does not end by `length`.
    function _firstCutShort(PackedSignatures.Signature[] memory sigs, uint256 length) internal pure returns (uint256) {
        uint256 end = sigs.length * PackedSignatures.FIXED;
        for (uint256 i; i < sigs.length; ++i) {
            if (sigs[i].v != 0) continue;
            end += 32 + sigs[i].data.length;
            if (end > length) return i;
        }
        revert("nothing cut short");
    }

    function _encoding(uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcSignatureEncoding.selector, index);
    }

    function _invalid(uint256 id, uint256 index, address signer) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(IEMCErrors.EmcInvalidSignature.selector, id, index, signer);
    }
}
