// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ShareTree} from "./ShareTree.sol";

/// @title EntryScan
/// @notice The one pass a proposal makes over its packed entries (`ShareEntries`): checks each
/// entry's form, order and share, hashes it for the EIP-712 typed data the parties sign, folds
/// each account's entries into its share-tree leaf (`ShareTree.leaf`'s encoding), and walks the
/// active version's parties beside the new ones. It reads no storage: what needs the chain
/// (the registry, departure notices, who may be left out) the EMC does with what it returns.
/// @dev Written in assembly: a 200-entry proposal runs the loop 200 times, and Solidity's
/// checked, bounds-checked version of it cost about 2,500 gas an entry; this one costs a few
/// hundred. Problems stop the scan and are reported, not reverted, so that the EMC's errors
/// stay in one place. Memory structs are one word a member, in order: the assembly addresses
/// `Result`'s members by those offsets (`_R_*`).
library EntryScan {
    /// @notice What stopped the scan at `Result.index`.
    enum Problem {
        None,
        Malformed, // reserved bits set, or an unknown class
        OutOfOrder, // its key (account, class) is not above the previous entry's
        ZeroShare,
        DevFundAccount, // a development-fund entry naming an account
        ZeroAccount, // a partner, operating or value-added entry for account zero
        PartnerBounds // a partner share outside the terms' bounds
    }

    /// @notice What the scan checks the entries against.
    /// @param partnerMask The active version's partner mask (`PartyRoles`), or zero.
    /// @param meMask Its ME mask, or zero.
    /// @param standingsUnchanged Whether nobody's standing changed since the active version was
    /// proposed: only then is a role it shows for a staying party known.
    struct Terms {
        uint256 partnerMinBps;
        uint256 partnerMaxBps;
        uint256 partnerMask;
        uint256 meMask;
        bool standingsUnchanged;
    }

    /// @notice What the scan found. The arrays' lengths are what they hold.
    /// @param leaves The share tree's leaves, one per party, the tree's full width long.
    /// @param newMes Parties whose ME role the registry must confirm (not known from the active version).
    /// @param newPartners Parties whose partner role it must confirm.
    /// @param leftOut Indexes, in `currentParties`, of the active version's parties the entries
    /// do not name, ascending.
    struct Result {
        Problem problem;
        uint256 index;
        uint256 total;
        uint256 valueAddedBps;
        uint256 devFundBps;
        uint256 partnerMask;
        uint256 meMask;
        bytes32[] entryHashes;
        bytes32[] leaves;
        address[] parties;
        address[] newMes;
        address[] newPartners;
        uint256[] leftOut;
    }

    // Byte offsets of `Result`'s and `Terms`' members.
    uint256 private constant _R_PROBLEM = 0x00;
    uint256 private constant _R_INDEX = 0x20;
    uint256 private constant _R_TOTAL = 0x40;
    uint256 private constant _R_VALUE_ADDED = 0x60;
    uint256 private constant _R_DEV_FUND = 0x80;
    uint256 private constant _R_PARTNER_MASK = 0xa0;
    uint256 private constant _R_ME_MASK = 0xc0;
    uint256 private constant _R_HASHES = 0xe0;
    uint256 private constant _R_LEAVES = 0x100;
    uint256 private constant _R_PARTIES = 0x120;
    uint256 private constant _R_NEW_MES = 0x140;
    uint256 private constant _R_NEW_PARTNERS = 0x160;
    uint256 private constant _R_LEFT_OUT = 0x180;
    uint256 private constant _T_MIN = 0x00;
    uint256 private constant _T_MAX = 0x20;
    uint256 private constant _T_PARTNER_MASK = 0x40;
    uint256 private constant _T_ME_MASK = 0x60;
    uint256 private constant _T_UNCHANGED = 0x80;

    /// @dev The bits of an entry that must be zero (`ShareEntries.RESERVED`).
    uint256 private constant _RESERVED = 0xffffffffffffffffff000000;
    // The folded party's word: its partner, operating and value-added basis points in bits
    // 0-47 (16 each, by class code), then flags, then its index in the active version.
    uint256 private constant _ME_QUEUED = 0x1000000000000; // bit 48: its ME role is known or queued
    uint256 private constant _KNOWN = 0x2000000000000; // bit 49: it stays on, its roles there known
    uint256 private constant _KNOWN_INDEX_SHIFT = 56;

    /// @notice Scans `entries` (sorted, packed) against `currentParties` (the active version's
    /// parties, sorted, already checked against its commitment) and `terms`; `entryTypehash` is
    /// the typed data's `ShareEntry` type hash. `entries` must not be empty.
    function scan(
        uint256[] calldata entries,
        address[] calldata currentParties,
        Terms memory terms,
        bytes32 entryTypehash
    ) internal pure returns (Result memory r) {
        r = _allocate(entries.length, currentParties.length);
        // The entry hashes' preimage, past the free memory pointer: the type hash stays put.
        assembly ("memory-safe") {
            mstore(mload(0x40), entryTypehash)
        }
        _fill(r, entries, currentParties, terms);
    }

    function _allocate(uint256 count, uint256 currentCount) private pure returns (Result memory r) {
        r.entryHashes = new bytes32[](count);
        // At most one leaf per entry; the tree's unused leaves stay zero.
        r.leaves = new bytes32[](uint256(1) << ShareTree.depth(count));
        r.parties = _buffer(count);
        r.newMes = _buffer(count);
        r.newPartners = _buffer(count);
        uint256[] memory leftOut = new uint256[](currentCount);
        assembly ("memory-safe") {
            mstore(leftOut, 0)
        }
        r.leftOut = leftOut;
    }

    /// @dev The scan proper. The folded party is one word, `state`: its account in bits
    /// 96-255, its partner, operating and value-added basis points in bits 0-47 (16 each, by
    /// class code), flags (`_ME_QUEUED`, `_KNOWN`) and its index in the active version
    /// (`_KNOWN_INDEX_SHIFT`).
    function _fill(
        Result memory r,
        uint256[] calldata entries,
        address[] calldata currentParties,
        Terms memory terms
    ) private pure {
        assembly ("memory-safe") {
            function push(array, value) {
                let n := add(mload(array), 1)
                mstore(add(array, shl(5, n)), value)
                mstore(array, n)
            }
            // Whether the folded party stays on with the role of `mask` known there.
            function known(state, mask) -> yes {
                yes := and(iszero(iszero(and(state, _KNOWN))), and(shr(and(shr(_KNOWN_INDEX_SHIFT, state), 0xff), mask), 1))
            }
            // Adds the folded party to the result (the development fund, account zero, has no
            // leaf); hashes its leaf at `m`.
            function close(res, state, m) {
                let account := shr(96, state)
                if account {
                    let parties := mload(add(res, _R_PARTIES))
                    let index := mload(parties)
                    push(parties, account)
                    let p := and(state, 0xffff)
                    let o := and(shr(16, state), 0xffff)
                    let va := and(shr(32, state), 0xffff)
                    mstore(m, account)
                    mstore(add(m, 0x20), p)
                    mstore(add(m, 0x40), o)
                    mstore(add(m, 0x60), va)
                    mstore(add(mload(add(res, _R_LEAVES)), shl(5, add(index, 1))), keccak256(m, 0x80))
                    if p { mstore(add(res, _R_PARTNER_MASK), or(mload(add(res, _R_PARTNER_MASK)), shl(index, 1))) }
                    if or(o, va) { mstore(add(res, _R_ME_MASK), or(mload(add(res, _R_ME_MASK)), shl(index, 1))) }
                    if va { mstore(add(res, _R_VALUE_ADDED), add(mload(add(res, _R_VALUE_ADDED)), va)) }
                }
            }
            // Stops the scan at entry `i`.
            function halt(res, problem, i) {
                mstore(add(res, _R_PROBLEM), problem)
                mstore(add(res, _R_INDEX), i)
            }

            // At the free memory pointer: the entry hash preimage (its type hash in place), then
            // a leaf's.
            let state := 0
            let next := 0 // the next of the active version's parties to walk past
            let total := 0
            let hashes := add(mload(add(r, _R_HASHES)), 0x20)
            for { let i := 0 } lt(i, entries.length) { i := add(i, 1) } {
                let entry := calldataload(add(entries.offset, shl(5, i)))
                if or(and(entry, _RESERVED), gt(and(shr(16, entry), 0xff), 3)) {
                    halt(r, 1, i)
                    break
                }
                // Strictly increasing keys (account, class): sorted, and no repeats.
                if i {
                    if iszero(gt(shr(16, entry), shr(16, calldataload(add(entries.offset, shl(5, sub(i, 1))))))) {
                        halt(r, 2, i)
                        break
                    }
                }
                if iszero(and(entry, 0xffff)) {
                    halt(r, 3, i)
                    break
                }
                {
                    let m := mload(0x40)
                    mstore(add(m, 0x20), shr(96, entry))
                    mstore(add(m, 0x40), and(shr(16, entry), 0xff))
                    mstore(add(m, 0x60), and(entry, 0xffff))
                    mstore(add(hashes, shl(5, i)), keccak256(m, 0x80))
                }
                total := add(total, and(entry, 0xffff))
                if iszero(eq(shr(96, entry), shr(96, state))) {
                    close(r, state, add(mload(0x40), 0x80))
                    state := shl(96, shr(96, entry))
                    // Past the active version's parties below it: each one is left out.
                    for {} lt(next, currentParties.length) { next := add(next, 1) } {
                        let current := calldataload(add(currentParties.offset, shl(5, next)))
                        if iszero(lt(current, shr(96, entry))) {
                            if eq(current, shr(96, entry)) {
                                if mload(add(terms, _T_UNCHANGED)) { state := or(state, or(_KNOWN, shl(_KNOWN_INDEX_SHIFT, next))) }
                                next := add(next, 1)
                            }
                            break
                        }
                        push(mload(add(r, _R_LEFT_OUT)), next)
                    }
                }
                switch and(shr(16, entry), 0xff)
                case 3 {
                    if shr(96, entry) {
                        halt(r, 4, i)
                        break
                    }
                    mstore(add(r, _R_DEV_FUND), and(entry, 0xffff))
                }
                case 0 {
                    if iszero(shr(96, entry)) {
                        halt(r, 5, i)
                        break
                    }
                    if or(lt(and(entry, 0xffff), mload(add(terms, _T_MIN))), gt(and(entry, 0xffff), mload(add(terms, _T_MAX)))) {
                        halt(r, 6, i)
                        break
                    }
                    state := or(state, and(entry, 0xffff))
                    if iszero(known(state, mload(add(terms, _T_PARTNER_MASK)))) {
                        push(mload(add(r, _R_NEW_PARTNERS)), shr(96, entry))
                    }
                }
                default {
                    if iszero(shr(96, entry)) {
                        halt(r, 5, i)
                        break
                    }
                    // Operating basis points at bit 16, value-added at 32.
                    state := or(state, shl(and(shr(12, entry), 0xff0), and(entry, 0xffff)))
                    if iszero(and(state, _ME_QUEUED)) {
                        state := or(state, _ME_QUEUED)
                        if iszero(known(state, mload(add(terms, _T_ME_MASK)))) {
                            push(mload(add(r, _R_NEW_MES)), shr(96, entry))
                        }
                    }
                }
            }
            if iszero(mload(add(r, _R_PROBLEM))) {
                close(r, state, add(mload(0x40), 0x80))
                mstore(add(r, _R_TOTAL), total)
                // The active version's parties above the last new one are all left out.
                for {} lt(next, currentParties.length) { next := add(next, 1) } { push(mload(add(r, _R_LEFT_OUT)), next) }
            }
        }
    }

    /// @dev An empty address array with room for `capacity`: the scan pushes onto it.
    function _buffer(uint256 capacity) private pure returns (address[] memory buffer) {
        buffer = new address[](capacity);
        assembly ("memory-safe") {
            mstore(buffer, 0)
        }
    }
}
