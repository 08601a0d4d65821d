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
/// hundred. An entry that breaks a rule stops the scan and is reported, not reverted, so
/// that the EMC's errors stay in one place. Memory structs are one word a member, in order: the assembly addresses
/// `Result`'s members by those offsets (`_R_*`).
library EntryScan {
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
        bool invalid; // entry `index` is the first that breaks a rule (the EMC names which)
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
    uint256 private constant _R_INVALID = 0x00;
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

    /// @dev The bits of an entry that must be zero (`ShareEntries.RESERVED`), and those of a
    /// class code above 3 (`ShareClass.DevFund`): one test finds a malformed entry.
    uint256 private constant _MALFORMED = 0xfffffffffffffffffffc0000;
    uint256 private constant _ME_QUEUED = 0x1000000000000; // bit 48: its ME role is known or queued
    uint256 private constant _KNOWN = 0x2000000000000; // bit 49: it stays on, its roles there known
    uint256 private constant _KNOWN_INDEX_SHIFT = 56;
    uint256 private constant _FIRST_SHIFT = 64; // bits 64-79: the index of its first entry
    uint256 private constant _COUNT_SHIFT = 80; // bits 80-87: how many entries it has
    uint256 private constant _ONE_ENTRY = 0x100000000000000000000; // 1 << _COUNT_SHIFT

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

    /// @dev The scan proper, in two passes that each keep few values at hand: the entries
    /// (form, order, share, hashes, total), then the parties (accounts, classes, leaves,
    /// queues, the walk). The folded party is one word, `state`: its account in bits 96-255,
    /// its partner, operating and value-added basis points in bits 0-47 (16 each, by class
    /// code), flags (`_ME_QUEUED`, `_KNOWN`), its index in the active version
    /// (`_KNOWN_INDEX_SHIFT`), and where its entries' hashes are (`_FIRST_SHIFT`, `_COUNT_SHIFT`).
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
            // Adds the folded party to the result (the development fund, account zero, has no
            // leaf): its leaf (`ShareTree.leaf`) from its entries' hashes, the three words of a
            // party with several built at `m`.
            function close(res, state, m) {
                let account := shr(96, state)
                if account {
                    let parties := mload(add(res, _R_PARTIES))
                    let index := mload(parties)
                    push(parties, account)
                    let hashes := add(add(mload(add(res, _R_HASHES)), 0x20), shl(5, and(shr(_FIRST_SHIFT, state), 0xffff)))
                    let leaf := mload(hashes)
                    if gt(and(shr(_COUNT_SHIFT, state), 0xff), 1) {
                        for { let class := 0 } lt(class, 3) { class := add(class, 1) } {
                            let word := 0
                            if and(shr(shl(4, class), state), 0xffff) {
                                word := mload(hashes)
                                hashes := add(hashes, 0x20)
                            }
                            mstore(add(m, shl(5, class)), word)
                        }
                        leaf := keccak256(m, 0x60)
                    }
                    mstore(add(mload(add(res, _R_LEAVES)), shl(5, add(index, 1))), leaf)
                    if and(state, 0xffff) { mstore(add(res, _R_PARTNER_MASK), or(mload(add(res, _R_PARTNER_MASK)), shl(index, 1))) }
                    if and(state, 0xffffffff0000) { mstore(add(res, _R_ME_MASK), or(mload(add(res, _R_ME_MASK)), shl(index, 1))) }
                    let va := and(shr(32, state), 0xffff)
                    if va { mstore(add(res, _R_VALUE_ADDED), add(mload(add(res, _R_VALUE_ADDED)), va)) }
                }
            }

            // Pass 1, the entries. At the free memory pointer: an entry hash's preimage, its
            // type hash in place (`scan`). Keys (account, class) strictly increase: sorted, no
            // repeats; the first entry's key is above zero (zero is a partner share of account
            // zero, which the EMC names).
            {
                let m := mload(0x40)
                let hashes := add(mload(add(r, _R_HASHES)), 0x20)
                let previousKey := 0
                let total := 0
                let end := add(entries.offset, shl(5, entries.length))
                for { let at := entries.offset } lt(at, end) { at := add(at, 0x20) } {
                    let entry := calldataload(at)
                    if or(or(and(entry, _MALFORMED), iszero(and(entry, 0xffff))), iszero(gt(shr(16, entry), previousKey))) {
                        mstore(add(r, _R_INVALID), 1)
                        mstore(add(r, _R_INDEX), shr(5, sub(at, entries.offset)))
                        break
                    }
                    previousKey := shr(16, entry)
                    mstore(add(m, 0x20), shr(96, entry))
                    mstore(add(m, 0x40), and(previousKey, 0xff))
                    mstore(add(m, 0x60), and(entry, 0xffff))
                    mstore(hashes, keccak256(m, 0x80))
                    hashes := add(hashes, 0x20)
                    total := add(total, and(entry, 0xffff))
                }
                mstore(add(r, _R_TOTAL), total)
            }

            // Pass 2, the parties: each account's entries are adjacent.
            if iszero(mload(add(r, _R_INVALID))) {
                let state := 0 // the development fund, if it comes first, folds into nothing
                let next := 0 // the next of the active version's parties to walk past
                for { let i := 0 } lt(i, entries.length) { i := add(i, 1) } {
                    let entry := calldataload(add(entries.offset, shl(5, i)))
                    if iszero(eq(shr(96, entry), shr(96, state))) {
                        close(r, state, add(mload(0x40), 0x80))
                        state := or(shl(96, shr(96, entry)), shl(_FIRST_SHIFT, i))
                        // Past the active version's parties below it: each one is left out.
                        for {} lt(next, currentParties.length) { next := add(next, 1) } {
                            let current := calldataload(add(currentParties.offset, shl(5, next)))
                            if iszero(lt(current, shr(96, entry))) {
                                if eq(current, shr(96, entry)) {
                                    if mload(add(terms, _T_UNCHANGED)) {
                                        state := or(state, or(_KNOWN, shl(_KNOWN_INDEX_SHIFT, next)))
                                    }
                                    next := add(next, 1)
                                }
                                break
                            }
                            push(mload(add(r, _R_LEFT_OUT)), next)
                        }
                    }
                    state := add(state, _ONE_ENTRY)
                    let class := and(shr(16, entry), 0xff)
                    // A fund entry names account zero, and only a fund entry does.
                    if iszero(eq(eq(class, 3), iszero(shr(96, entry)))) {
                        mstore(add(r, _R_INVALID), 1)
                        mstore(add(r, _R_INDEX), i)
                        break
                    }
                    switch class
                    case 3 { mstore(add(r, _R_DEV_FUND), and(entry, 0xffff)) }
                    case 0 {
                        if or(lt(and(entry, 0xffff), mload(add(terms, _T_MIN))), gt(and(entry, 0xffff), mload(add(terms, _T_MAX)))) {
                            mstore(add(r, _R_INVALID), 1)
                            mstore(add(r, _R_INDEX), i)
                            break
                        }
                        state := or(state, and(entry, 0xffff))
                        // The registry must confirm the role, unless the party held it.
                        let ask := 1
                        if and(state, _KNOWN) { ask := iszero(and(shr(and(shr(_KNOWN_INDEX_SHIFT, state), 0xff), mload(add(terms, _T_PARTNER_MASK))), 1)) }
                        if ask { push(mload(add(r, _R_NEW_PARTNERS)), shr(96, entry)) }
                    }
                    default {
                        // Operating basis points at bit 16, value-added at 32.
                        state := or(state, shl(shl(4, class), and(entry, 0xffff)))
                        if iszero(and(state, _ME_QUEUED)) {
                            state := or(state, _ME_QUEUED)
                            let ask := 1
                            if and(state, _KNOWN) { ask := iszero(and(shr(and(shr(_KNOWN_INDEX_SHIFT, state), 0xff), mload(add(terms, _T_ME_MASK))), 1)) }
                            if ask { push(mload(add(r, _R_NEW_MES)), shr(96, entry)) }
                        }
                    }
                }
                if iszero(mload(add(r, _R_INVALID))) {
                    close(r, state, add(mload(0x40), 0x80))
                    // The active version's parties above the last new one are all left out.
                    for {} lt(next, currentParties.length) { next := add(next, 1) } { push(mload(add(r, _R_LEFT_OUT)), next) }
                }
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
