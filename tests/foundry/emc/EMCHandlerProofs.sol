// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IEMCErrors} from "../../../contracts/interfaces/IEMCErrors.sol";
import {PartyRoles, ShareEntry, SharePath, ShareProof} from "../../../contracts/types/Shares.sol";
import {ShareTrees} from "../utils/ShareTrees.sol";
import {EMCHandlerProposals} from "./EMCHandlerProposals.sol";

/// @notice The handler's share trees and what is shown against them: each version's tree built
/// from the entries it proposed (`ShareTrees`), the proofs claims and `accountOf` show (one
/// per epoch an account was not brought up to date with), the paths an investment or a notice
/// shows, good and tampered, and the versions' commitments the invariants read.
abstract contract EMCHandlerProofs is EMCHandlerProposals {
    /// @notice The version each activation epoch opened with, as the handler activated them.
    uint256[] internal _epochVersions;
    /// @notice The first epoch each account has not been brought up to date with (claims
    /// write an account's position; the fund needs no proofs).
    mapping(address account => uint256) public ghostSyncedTo;

    /// @notice The tree of version `versionId`, built from the entries the handler proposed.
    function _tree(uint256 versionId) internal view returns (ShareTrees.Tree memory) {
        return ShareTrees.build(_proposals[versionId].entries);
    }

    /// @notice The epochs `[from, to)` in which `account` must show its share, as the handler's
    /// claims leave them.
    function ghostUnsynced(address account) public view returns (uint256 from, uint256 to) {
        if (account == DEV_FUND) return (0, 0);
        return (ghostSyncedTo[account], _epochVersions.length);
    }

    /// @notice `account`'s share proofs for `claim` and `accountOf`: one per unsynced epoch,
    /// from each epoch's version's tree.
    function proofsFor(address account) public view returns (ShareProof[] memory proofs) {
        (uint256 from, uint256 to) = ghostUnsynced(account);
        proofs = new ShareProof[](to - from);
        for (uint256 e = from; e < to; ++e) {
            proofs[e - from] = ShareTrees.proof(_tree(_epochVersions[e]), account);
        }
    }

    /// @notice `proofsFor` of each of `accounts`, each epoch's tree built once: account `i`'s
    /// proofs are `counts[i]` of `proofs`, after those of the accounts before it.
    function proofsForAll(address[] calldata accounts)
        external
        view
        returns (ShareProof[] memory proofs, uint256[] memory counts)
    {
        uint256 epochs = _epochVersions.length;
        counts = new uint256[](accounts.length);
        uint256[] memory from = new uint256[](accounts.length);
        uint256[] memory offset = new uint256[](accounts.length);
        uint256 total;
        uint256 first = epochs;
        for (uint256 i; i < accounts.length; ++i) {
            (uint256 f, uint256 to) = ghostUnsynced(accounts[i]);
            from[i] = f;
            counts[i] = to - f;
            offset[i] = total;
            total += to - f;
            if (to > f && f < first) first = f;
        }
        proofs = new ShareProof[](total);
        for (uint256 e = first; e < epochs; ++e) {
            ShareTrees.Tree memory tree = _tree(_epochVersions[e]);
            for (uint256 i; i < accounts.length; ++i) {
                if (e >= from[i] && e - from[i] < counts[i]) {
                    proofs[offset[i] + e - from[i]] = ShareTrees.proof(tree, accounts[i]);
                }
            }
        }
    }

    /// @notice `account`'s path in the active version (the empty path if it holds no share).
    function activePath(address account) public view returns (SharePath memory) {
        return ShareTrees.partyPath(_tree(ghostActiveVersion), account);
    }

    /// @dev What `_checkParty` refuses `path` for `account` with: `EmcNotAMember` unless the
    /// path names the account in an active version, `EmcInvalidShareProof` unless it is the
    /// account's leaf in the active version's tree.
    function _pathError(address account, SharePath memory path) internal view returns (bytes memory) {
        uint256 active = ghostActiveVersion;
        if (active == 0 || path.account != account) return _err(IEMCErrors.EmcNotAMember.selector, account);
        Proposal storage p = _proposals[active];
        if (!ShareTrees.verify(p.sharesRoot, p.parties.length, path)) {
            return abi.encodeWithSelector(IEMCErrors.EmcInvalidShareProof.selector, account, ghostActivations - 1);
        }
        return "";
    }

    /// @dev A path that is not `account`'s leaf: another basis point, another index, a sibling
    /// changed, another party's path (`EmcNotAMember` then), or for a non-party a forged leaf.
    function _tamperPath(address account, SharePath memory path, uint256 seed)
        internal
        view
        returns (SharePath memory t)
    {
        t = ShareTrees.copy(path);
        uint256 kind = seed % 4;
        if (kind == 3 && _proposals[ghostActiveVersion].parties.length > 1) {
            ShareTrees.Tree memory tree = _tree(ghostActiveVersion);
            (bool found, uint256 index) = ShareTrees.find(tree, account);
            uint256 other = (seed >> 2) % tree.leaves.length;
            if (found && other == index) other = (other + 1) % tree.leaves.length;
            return ShareTrees.path(tree, other);
        }
        t.account = account;
        if (kind == 1) t.index = t.index ^ (1 + (seed >> 2) % 3);
        else if (kind == 2 && t.siblings.length != 0) t.siblings[(seed >> 2) % t.siblings.length] ^= bytes32(uint256(1));
        else if ((seed >> 4) % 3 == 0) ++t.partnerBps;
        else if ((seed >> 4) % 3 == 1) ++t.operatingBps;
        else ++t.valueAddedBps;
    }

    /// @notice The ghost's entries, parties, root and party-list hash of version `versionId`.
    function versionEntries(uint256 versionId) external view returns (ShareEntry[] memory) {
        return _proposals[versionId].entries;
    }

    function versionParties(uint256 versionId) external view returns (address[] memory) {
        return _proposals[versionId].parties;
    }

    /// @notice Which of version `versionId`'s parties hold which kinds of share, as built here.
    function versionRoles(uint256 versionId) external view returns (PartyRoles memory) {
        return _proposals[versionId].roles;
    }

    /// @notice The struct hash version `versionId` must keep if its entries hash `entriesHash`.
    function structHashOf(uint256 versionId, bytes32 entriesHash) external view returns (bytes32) {
        Proposal storage p = _proposals[versionId];
        return _versionStructHash(versionId, entriesHash, DOCUMENT, p.nonce, p.deadline);
    }

    function ghostSharesRoot(uint256 versionId) external view returns (bytes32) {
        return _proposals[versionId].sharesRoot;
    }

    function ghostPartiesHash(uint256 versionId) external view returns (bytes32) {
        return _proposals[versionId].partiesHash;
    }

    function ghostEpochVersion(uint256 epoch) external view returns (uint256) {
        return _epochVersions[epoch];
    }

    /// @notice Every version's root, party-list hash and status as the handler has them (index
    /// `id - 1`), and every epoch's version: one read for the invariants.
    function versionCommitments()
        external
        view
        returns (
            bytes32[] memory roots,
            bytes32[] memory partiesHashes,
            uint256[] memory statuses,
            uint256[] memory epochs
        )
    {
        uint256 count = ghostVersionCount;
        roots = new bytes32[](count);
        partiesHashes = new bytes32[](count);
        statuses = new uint256[](count);
        for (uint256 id = 1; id <= count; ++id) {
            roots[id - 1] = _proposals[id].sharesRoot;
            partiesHashes[id - 1] = _proposals[id].partiesHash;
            statuses[id - 1] = uint256(ghostVersionStatus[id]);
        }
        epochs = _epochVersions;
    }
}
