// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {EmcStatus, ShareClass, VersionStatus} from "../types/Shares.sol";

/// @title The errors of an EMC
/// @notice Every revert of the EMC template, with the figures that explain it; the SDK maps
/// each one to an exception with a hint. Shared by `IEMC` and the `IEMCBidding` module.
interface IEMCErrors {
    /// @notice Only the factory may initialize a clone.
    error EmcOnlyFactory(address caller);
    /// @notice `caller` is not the EMC's owner.
    error EmcNotOwner(address caller, address owner);
    /// @notice `caller` is neither the owner nor the appointed reporter (zero if none).
    error EmcNotReporter(address caller, address owner, address reporter);
    /// @notice `account` is not an active ME, so it cannot report for the EMC.
    error EmcIneligibleReporter(address account);
    /// @notice `caller` is not an active member with the role the call needs.
    error EmcCallerNotActive(address caller);
    /// @notice The call needs status `expected`; the EMC is `actual`.
    error EmcWrongStatus(EmcStatus actual, EmcStatus expected);
    /// @notice A version's basis points add up to `totalBps`, not 10,000.
    error EmcShareTotalNot100(uint256 totalBps);
    /// @notice A version must name at least one entry and at most `max`.
    error EmcEntryCount(uint256 count, uint256 max);
    /// @notice Entry `index` (`entry`) is not a packed share entry: a bit between the account
    /// and the class is set, or the class is unknown (see `ShareEntries`).
    error EmcMalformedEntry(uint256 index, uint256 entry);
    /// @notice Entry `index` has zero basis points.
    error EmcZeroShare(uint256 index);
    /// @notice `account` appears twice in `class`.
    error EmcDuplicateEntry(address account, ShareClass class);
    /// @notice Entries must be sorted by account, then class; entry `index` is out of order.
    error EmcEntriesNotSorted(uint256 index);
    /// @notice A partner's `bps` in `class` lies outside the template's bounds [`min`, `max`].
    error EmcShareOutOfBounds(address account, ShareClass class, uint256 bps, uint256 min, uint256 max);
    /// @notice The version's signing deadline `deadline` is not after `nowTime`.
    error EmcDeadlinePassed(uint256 deadline, uint256 nowTime);
    /// @notice Version `versionId` was proposed against `nonce` activations; there are now
    /// `current`: propose it again and collect new signatures.
    error EmcVersionStale(uint256 versionId, uint256 nonce, uint256 current);
    /// @notice `given` signatures were submitted; the version names `needed` parties.
    error EmcSignatureCount(uint256 given, uint256 needed);
    /// @notice Signatures must be sorted by signer address; entry `index` is out of order.
    error EmcSignersNotSorted(uint256 index);
    /// @notice The signers are not exactly the parties version `versionId` names (its
    /// `VersionProposed` event lists them): collect every party's signature, and only theirs.
    error EmcSignersNotParties(uint256 versionId);
    /// @notice The parties given for the active version `versionId` are not its parties: pass
    /// every account its entries name (the development fund aside), sorted by address.
    error EmcCurrentPartiesMismatch(uint256 versionId);
    /// @notice `account` must show its share in `needed` versions it has not been brought up
    /// to date with (`unsyncedEpochs`); `given` share proofs were passed.
    error EmcShareProofCount(address account, uint256 needed, uint256 given);
    /// @notice The share proof for `account` in activation epoch `epoch` does not match the
    /// version's share tree: build it from the version's entries.
    error EmcInvalidShareProof(address account, uint256 epoch);
    /// @notice `signer`, a party of version `versionId`, was suspended or lost the role its
    /// share needs after the proposal: propose a version without it.
    error EmcPartyNotActive(uint256 versionId, address signer);
    /// @notice Signature `index` of version `versionId` does not verify: an ECDSA signature
    /// that recovers to nobody (`signer` zero), or one the wallet `signer` (ERC-1271) refuses.
    error EmcInvalidSignature(uint256 versionId, uint256 index, address signer);
    /// @notice Signature `index` has `v` 0 (a contract wallet's) but its wallet address or its
    /// data offset is not what the packed layout needs: data in signer order after the fixed parts.
    error EmcSignatureEncoding(uint256 index);
    /// @notice The packed signatures are `length` bytes; their fixed parts and the contract
    /// signatures' data take `expected`: nothing may follow them.
    error EmcSignaturesLength(uint256 length, uint256 expected);
    /// @notice `account` is not an active member with the role `class` needs.
    error EmcIneligibleMember(address account, ShareClass class);
    /// @notice A development-fund entry must name account zero; `account` was given.
    error EmcDevFundAccount(address account);
    /// @notice Activation epoch `epoch` does not exist; there have been `count`.
    error EmcUnknownEpoch(uint256 epoch, uint256 count);
    /// @notice Version `versionId` does not exist.
    error EmcUnknownVersion(uint256 versionId);
    /// @notice Version `versionId` is `status`, not proposed.
    error EmcVersionNotProposed(uint256 versionId, VersionStatus status);
    /// @notice No share version is active yet; activate one before settling.
    error EmcNoActiveVersion();
    /// @notice An amount of zero was given.
    error EmcZeroAmount();
    /// @notice `value` exceeds the largest amount the ledger stores, `max`.
    error EmcAmountTooLarge(uint256 value, uint256 max);
    /// @notice `account` has nothing to claim.
    error EmcNothingToClaim(address account);
    /// @notice The development fund holds `available`; `requested` was asked.
    error EmcDevFundInsufficient(uint256 requested, uint256 available);
    /// @notice The recipient of a withdrawal cannot be the zero address.
    error EmcZeroAddress();
    /// @notice `to` is not a registered member, so it cannot be paid.
    error EmcRecipientNotAllowed(address to);
    /// @notice A report with a loss of `loss` (cost above revenue) deposits no profit; `profit` was given.
    error EmcProfitWithLoss(uint256 profit, uint256 loss);
    /// @notice A report's profit `profit` exceeds its revenue minus its cost, `margin`.
    error EmcProfitAboveMargin(uint256 profit, uint256 margin);
    /// @notice `account` is not a member of the EMC (named in its active version, or in any
    /// version to invest).
    error EmcNotAMember(address account);
    /// @notice The owner, `account`, leads the EMC and cannot be given notice.
    error EmcOwnerCannotDepart(address account);
    /// @notice A notice of `noticePeriods` periods lies outside [`min`, `max`] (the terms'
    /// longest notice).
    error EmcNoticeOutOfBounds(uint256 noticePeriods, uint256 min, uint256 max);
    /// @notice `account` was already given notice, effective after period `effectivePeriod`.
    error EmcAlreadyDeparting(address account, uint256 effectivePeriod);
    /// @notice `account`, a member of the active version, is left out of the proposal, but it
    /// has not signed it away: give it notice and wait until period `effectivePeriod` is
    /// settled (0: no notice given), or keep it in the version.
    error EmcMemberLeftOut(address account, uint256 effectivePeriod);
    /// @notice `account` left the EMC after period `effectivePeriod`; it cannot be named again
    /// nor invest.
    error EmcMemberDeparted(address account, uint256 effectivePeriod);
    /// @notice `account` is not an active auditor, so it cannot attest a report.
    error EmcNotAuditor(address account);
    /// @notice The attestation does not verify as `auditor`'s signature of `digest` (the report
    /// as the next period, with the attestation's deadline).
    error EmcInvalidAttestation(address auditor, bytes32 digest);
    /// @notice The report needs an auditor's attestation (`settleAttested`): the terms ask for
    /// it, or its loss `loss` would be paid from `capital` invested by the members.
    error EmcAttestationRequired(uint256 loss, uint256 capital);
    /// @notice Only the owner or an active treasurer may sweep; `caller` is neither (`owner` is
    /// the owner).
    error EmcNotSweeper(address caller, address owner);
    /// @notice The EMC holds nothing above what it owes.
    error EmcNothingToSweep();
}
