"""One Python exception per Solidity custom error of the rdh-chain contracts.

:mod:`rdh_chain.reverts` decodes revert data into these classes; each carries
the error's arguments (``exc.args_by_name``) and a message that says what to do.
The test suite checks that every error in the compiled ABIs has a class here.
"""

from __future__ import annotations

from rdh_chain.exceptions import (
    AccessDeniedError,
    BadInputRevertError,
    ContractRevertError,
    NotFoundError,
    StateRevertError,
)

# -- MemberRegistry --------------------------------------------------------------------


class RegistryZeroAddress(BadInputRevertError):
    hint = "The zero address cannot be a member; pass the member's wallet address."


class RegistryRoleAlreadyHeld(BadInputRevertError):
    hint = "The account already holds this role; nothing to add."


class RegistryNotMember(BadInputRevertError, NotFoundError):
    hint = "The account is not registered; add it with `rdh member add` first."


class RegistryMemberNotActive(StateRevertError):
    hint = "The member is not active (suspended or unknown); reinstate it first."


class RegistryMemberNotSuspended(StateRevertError):
    hint = "Only a suspended member can be reinstated."


class RegistrySelfSuspension(BadInputRevertError):
    hint = (
        "Nobody can suspend itself; ask an operator, or an admin if the account holds the"
        " operator, treasury, registrar or admin role."
    )


class RegistryPrivilegedMember(AccessDeniedError):
    hint = (
        "The account holds the operator, treasury, registrar or admin role: only an active"
        " registry admin may suspend or reinstate it; sign with an admin wallet."
    )


class RegistryAdminSelfRemoval(BadInputRevertError):
    hint = (
        "An admin cannot give up its own admin role, so an active admin always remains;"
        " another active admin must revoke it."
    )


class RegistryUnauthorized(AccessDeniedError):
    hint = "The sending wallet lacks the active role this call needs; use a wallet that has it."


class RegistryUseAddMember(BadInputRevertError):
    hint = "Grant roles with addMember (`rdh member add`), which records the member."


class RegistryCannotSuspendContract(BadInputRevertError):
    hint = "rdh-chain contracts cannot be suspended; their members' earnings must stay claimable."


class AccessControlUnauthorizedAccount(AccessDeniedError):
    hint = "Only the registry admin may grant this role; sign with the admin wallet."


class AccessControlBadConfirmation(BadInputRevertError):
    hint = "renounceRole must be called by the account renouncing its own role."


# -- SettlementToken -------------------------------------------------------------------


class TokenNotTreasury(AccessDeniedError):
    hint = "Only an active treasurer may mint or burn settlement credit."


class TokenTransferNotAllowed(AccessDeniedError):
    hint = (
        "Settlement credit moves only to registered members, from active members that hold a"
        " role; a suspended or role-less member can only redeem with an active treasurer."
    )


class TokenZeroAmount(BadInputRevertError):
    hint = "Mint or burn a positive amount."


class TokenNotRegistrar(AccessDeniedError):
    hint = "Only an active registrar (the EMC factory) may trust a contract."


class TokenNotContract(BadInputRevertError):
    hint = "Only contracts registered with role `contract` can be trusted."


class ERC20InsufficientBalance(StateRevertError):
    hint = "The sender holds less settlement credit than the amount; ask the treasury to mint."


class ERC20InsufficientAllowance(StateRevertError):
    hint = "The EMC may not pull this much; approve it for the amount first."


class ERC20InvalidSender(BadInputRevertError):
    hint = "The zero address cannot send settlement credit."


class ERC20InvalidReceiver(BadInputRevertError):
    hint = "The zero address cannot receive settlement credit."


class ERC20InvalidApprover(BadInputRevertError):
    hint = "The zero address cannot approve."


class ERC20InvalidSpender(BadInputRevertError):
    hint = "The zero address cannot be approved."


# -- EMCFactory ------------------------------------------------------------------------


class FactoryNotOperator(AccessDeniedError):
    hint = "Only an active platform operator may register an EMC."


class FactoryOwnerNotMe(BadInputRevertError):
    hint = "An EMC's owner must be an active ME; register it with role `me` first."


class FactoryInvalidTerms(BadInputRevertError):
    hint = "Target users, target revenue and sharing space must all be positive."


class FactoryInvalidPartnerBounds(BadInputRevertError):
    hint = (
        "Partner bounds need 0 < min <= max <= 10,000 bps; fix --partner-min-bps and "
        "--partner-max-bps (Smart Cooking uses 200 and 600)."
    )


class FactoryOverrideWithoutReason(BadInputRevertError):
    hint = "Terms set by hand need a reason: pass the hash of the written justification."


class FactoryIndexOutOfRange(BadInputRevertError, NotFoundError):
    hint = "No EMC has this index; list them with `rdh emc list`."


class FailedDeployment(StateRevertError):
    hint = "The clone could not be deployed; check the node's gas limit."


class ShareTreeTooNarrow(StateRevertError):
    hint = (
        "The EMC built a share tree narrower than its parties; this is a contract bug: report it."
    )


class InsufficientBalance(StateRevertError):
    hint = "The factory lacks the balance a clone deployment needs."


# -- TargetGuidelines ------------------------------------------------------------------


class GuidelinesNotSteward(AccessDeniedError):
    hint = "Only an active template steward may publish a formula."


class GuidelinesWeightsNot100(BadInputRevertError):
    hint = "The four criteria weights must add up to exactly 10,000 basis points."


class GuidelinesInvalidFormula(BadInputRevertError):
    hint = "Full-score targets must be positive and the sharing space at most 10,000 bps."


class GuidelinesInvalidPartnerBounds(BadInputRevertError):
    hint = "Partner bounds must satisfy 0 < min <= max <= 10,000 basis points."


class GuidelinesInvalidMinScore(BadInputRevertError):
    hint = "The minimum score runs from 0 to 1,000,000 (100 on every criterion)."


class GuidelinesCriterionOutOfRange(BadInputRevertError):
    hint = "Each criterion is scored from 0 to 100."


class GuidelinesNoFormula(StateRevertError, NotFoundError):
    hint = "No formula is published for this guideline yet; a steward must publish one."


class GuidelinesScoreTooLow(StateRevertError):
    hint = "The scenario scores below the guideline's minimum; it cannot be registered as is."


# -- EMC -------------------------------------------------------------------------------


class EmcOnlyFactory(AccessDeniedError):
    hint = "Only the EMC factory initializes an EMC."


class EmcNotOwner(AccessDeniedError):
    hint = "Only the EMC's owner may do this; sign with the owner's wallet."


class EmcNotReporter(AccessDeniedError):
    hint = "Only the EMC's owner or the reporter it appointed may settle; sign with one of them."


class EmcIneligibleReporter(BadInputRevertError):
    hint = "A reporter must be an active ME; register or reinstate it first."


class EmcCallerNotActive(AccessDeniedError):
    hint = (
        "The caller is not an active member with the role this needs: the owner and its "
        "reporter must be active MEs, bidders and investors active MEs or partners. An "
        "operator registers (`rdh member add`) or reinstates it."
    )


class EmcWrongStatus(StateRevertError):
    hint = "The EMC's lifecycle status does not allow this call now."


class EmcShareTotalNot100(BadInputRevertError):
    hint = "A share version's basis points must add up to exactly 10,000 (100%)."


class EmcEntryCount(BadInputRevertError):
    hint = "A version needs at least one entry and at most the template's maximum."


class EmcMalformedEntry(BadInputRevertError):
    hint = (
        "Entry `index` is not a packed share entry (bits between its account and its class "
        "set, or an unknown class); pack entries with the SDK (`ShareEntry.as_abi`), which "
        "`rdh shares propose` uses."
    )


class EmcZeroShare(BadInputRevertError):
    hint = "Every entry needs a positive number of basis points; drop zero entries."


class EmcDuplicateEntry(BadInputRevertError):
    hint = "An account may appear once per share class in a version; merge the entries."


class EmcEntriesNotSorted(BadInputRevertError):
    hint = (
        "Entries must be sorted by account, then class; the SDK and `rdh shares propose` "
        "sort them for you, so pass them through those."
    )


class EmcShareOutOfBounds(BadInputRevertError):
    hint = (
        "A partner's share must lie within the EMC's partner bounds [min, max] "
        "(`rdh emc show`); change the partner's basis points."
    )


class EmcDeadlinePassed(StateRevertError):
    hint = (
        "The signing deadline has passed (or, when proposing, is not in the future): "
        "propose the version again with a later deadline (`rdh shares propose "
        "--deadline-days N`) and collect new signatures."
    )


class EmcVersionStale(StateRevertError):
    hint = (
        "Another version was activated after this one was proposed, so its signatures "
        "are void: propose it again (`rdh shares propose`) and collect new signatures."
    )


class EmcSignatureCount(BadInputRevertError):
    hint = (
        "Submit exactly one signature per party the version names "
        "(`rdh shares show --version N` lists them); collect the missing ones."
    )


class EmcSignersNotSorted(BadInputRevertError):
    # The EMC recovers each signer, so a valid signature of other typed data (another
    # version, EMC or chain) recovers to a stranger and lands here or at NotParties.
    hint = (
        "Signatures must be sorted by ascending signer address, one per signer; "
        "`rdh shares activate` and the SDK sort them, so drop any duplicate. If none is "
        "duplicated, a signature is of other typed data (another version, EMC or chain): "
        "check each against the version's typed data (`rdh shares typed-data`) and have "
        "that party sign again (`rdh shares sign`)."
    )


class EmcSignersNotParties(BadInputRevertError):
    hint = (
        "Activation needs the signature of every party the version names and of nobody "
        "else; `rdh shares parties` lists them. The EMC recovers each signer from its "
        "signature, so one of other typed data (another version, EMC or chain) names a "
        "stranger: check each signature against the version's typed data (`rdh shares "
        "typed-data`) and have that party sign again (`rdh shares sign`)."
    )


class EmcCurrentPartiesMismatch(BadInputRevertError):
    hint = (
        "A proposal passes the active version's parties, sorted by address; the SDK reads "
        "them from the active version's entries (`EmcClient.current_parties`)."
    )


class EmcShareProofCount(BadInputRevertError):
    hint = (
        "Pass one share proof per version activated since the account's last claim "
        "(`unsyncedEpochs`); the SDK builds them (`EmcClient.share_proofs`)."
    )


class EmcInvalidShareProof(BadInputRevertError):
    hint = (
        "The share proof does not match the version's share root; build it from the "
        "version's entries with the SDK (`EmcClient.share_proofs`, `rdh_chain.share_tree`)."
    )


class EmcUnknownEpoch(BadInputRevertError, NotFoundError):
    hint = "No version was activated as that epoch yet; epochs count activations from 0."


class EmcPartyNotActive(StateRevertError):
    hint = (
        "A party was suspended, or lost the role its share needs, after the version was "
        "proposed; propose a version without it (it may be left out at once)."
    )


class EmcInvalidSignature(BadInputRevertError):
    hint = (
        "Signature `index` (in signer order) does not verify for this version, EMC and "
        "chain: it recovers to nobody (signer zero: malformed, or high-s), or `signer` "
        "refuses it as a contract wallet (ERC-1271); the SDK sends a signature that does "
        "not recover to its party that way, and a plain key has no code to accept it. Have "
        "the party sign again (`rdh shares sign`, or the typed data of `rdh shares "
        "typed-data`)."
    )


class EmcSignatureEncoding(BadInputRevertError):
    hint = (
        "Signature `index` is a contract wallet's (v = 0) but its wallet address or data "
        "offset does not follow the packed layout; pack the signatures with the SDK "
        "(`rdh_chain.agreements.pack_signatures`, which `rdh shares activate` uses)."
    )


class EmcSignaturesLength(BadInputRevertError):
    hint = (
        "Bytes follow the packed signatures' fixed parts and contract data: an extra "
        "signature or stray data. Submit exactly one signature per party (`rdh shares "
        "parties`), packed by the SDK (`rdh_chain.agreements.pack_signatures`)."
    )


class EmcIneligibleMember(BadInputRevertError):
    hint = "Partner shares need an active partner, ME shares an active ME; check the registry."


class EmcDevFundAccount(BadInputRevertError):
    hint = "The development fund entry names no wallet: use the zero address."


class EmcUnknownVersion(BadInputRevertError, NotFoundError):
    hint = "No share version has this id; list them with `rdh shares show`."


class EmcVersionNotProposed(StateRevertError):
    hint = "Only a proposed version can be activated; propose a new one."


class EmcNoActiveVersion(StateRevertError):
    hint = "Activate a share version (`rdh shares set`) before settling a period."


class EmcZeroAmount(BadInputRevertError):
    hint = "The amount must be positive."


class EmcAmountTooLarge(BadInputRevertError):
    hint = "The amount exceeds what the ledger can store; check its units (fen)."


class EmcNothingToClaim(StateRevertError):
    hint = (
        "Nothing is claimable yet: wait for a settlement (value-added shares wait for the "
        "target). Capital is paid back once, after dissolution, for the units an account "
        "holds (see `rdh capital show`)."
    )


class EmcDevFundInsufficient(StateRevertError):
    hint = "The development fund holds less than requested; withdraw at most what it holds."


class EmcZeroAddress(BadInputRevertError):
    hint = "Pass a recipient address."


class EmcRecipientNotAllowed(BadInputRevertError):
    hint = "Development-fund payments go to registered members only; register the recipient."


class EmcBidDeadlines(BadInputRevertError):
    hint = (
        "A bid round needs now < commit deadline < reveal deadline; pick a commit deadline "
        "in the future and a later reveal deadline."
    )


class EmcUnknownBidRound(BadInputRevertError, NotFoundError):
    hint = "No bid round has this id; list the EMC's rounds with `rdh bid list`."


class EmcCommitClosed(StateRevertError):
    hint = "The round's commit deadline has passed: no bid can be committed or changed now."


class EmcZeroCommitment(BadInputRevertError):
    hint = "Commit the hash of a bid (`rdh bid commit` computes it), not zero."


class EmcRevealNotOpen(StateRevertError):
    hint = "Reveals open only after the round's commit deadline; wait for it and reveal then."


class EmcRevealClosed(StateRevertError):
    hint = "The round's reveal deadline has passed: the unrevealed bid lapsed."


class EmcNoBid(StateRevertError, NotFoundError):
    hint = "This wallet committed no bid in the round; reveal with the wallet that committed."


class EmcBidAlreadyRevealed(StateRevertError):
    hint = "The bid is already revealed; a bid is revealed once."


class EmcBidMismatch(BadInputRevertError):
    hint = (
        "The revealed values (users, revenue, ask, proposal, salt) do not hash to the "
        "wallet's commitment; reveal the exact bid saved when committing, from the same wallet."
    )


class EmcBidAskTooHigh(BadInputRevertError):
    hint = "A bid may ask at most 10,000 bps (100%); this bid can never be revealed."


class EmcRevealNotOver(StateRevertError):
    hint = "Winners can be invited only after the round's reveal deadline; wait for it."


class EmcRoundDecided(StateRevertError):
    hint = "The round was already decided; its invitations are final."


class EmcBidNotRevealed(BadInputRevertError):
    hint = (
        "Only revealed bids can be invited (and each once); drop the bidder from the list "
        "(`rdh bid list` shows each bid's outcome)."
    )


# -- OpenZeppelin internals ------------------------------------------------------------


class EmcProfitWithLoss(BadInputRevertError):
    hint = (
        "The period's cost exceeds its revenue, so it made a loss and deposits no profit: "
        "report it with profit 0."
    )


class EmcProfitAboveMargin(BadInputRevertError):
    hint = "The profit cannot exceed revenue minus cost; check the period's figures."


class EmcNotAMember(StateRevertError):
    hint = (
        "The account is not a party to this EMC's active version: notice is given to, and "
        "investments are taken from, the parties to the agreement in force."
    )


class EmcOwnerCannotDepart(BadInputRevertError):
    hint = "The owner leads the EMC and cannot be given notice."


class EmcNoticeOutOfBounds(BadInputRevertError):
    hint = (
        "Give a notice between the template's minimum and the EMC's terms' longest notice "
        "(`min` and `max` in the error), in periods."
    )


class EmcAlreadyDeparting(StateRevertError):
    hint = "The member was already given notice; see `rdh emc show` for when it takes effect."


class EmcMemberLeftOut(StateRevertError):
    hint = (
        "A member of the active version in good standing keeps its share until it signs a "
        "new one: keep it in the version, or give it notice (`rdh emc terminate`) and propose "
        "the version once the notice has run out. A suspended member may be left out at once."
    )


class EmcMemberDeparted(BadInputRevertError):
    hint = "The member left this EMC after its notice ran out; it cannot be named again."


class EmcNotAuditor(AccessDeniedError):
    hint = "Only an active member with the auditor role can attest a report (`rdh report sign`)."


class EmcInvalidAttestation(BadInputRevertError):
    hint = (
        "The attestation is not the auditor's signature of this report as the EMC's next "
        "period: have the auditor sign `rdh report typed-data` of exactly these figures again."
    )


class EmcAttestationRequired(StateRevertError):
    hint = (
        "This report needs an auditor's attestation: the EMC's terms ask for one, or its loss "
        "would be paid from the members' capital. Have an auditor sign it (`rdh report "
        "typed-data`, `rdh report sign`) and settle with `--attestation FILE`."
    )


class EmcNotSweeper(AccessDeniedError):
    hint = "Only the EMC's owner or an active treasurer may sweep it."


class EmcNothingToSweep(StateRevertError):
    hint = "The EMC holds nothing above what it owes; there is nothing to sweep."


class FactoryZeroNoticeBound(BadInputRevertError):
    hint = "Allow a departure notice of at least one period (`max_notice_periods`)."


class GuidelinesZeroNoticeBound(BadInputRevertError):
    hint = "Set the formula's longest departure notice to at least one period."


class FactoryZeroLossThreshold(BadInputRevertError):
    hint = "Set a loss threshold above zero: the cumulative losses at which the EMC dissolves."


class GuidelinesZeroLossThreshold(BadInputRevertError):
    hint = "Set the formula's loss threshold above 0 bps of the revenue target."


class ReentrancyGuardReentrantCall(StateRevertError):
    hint = "A reentrant call was blocked."


class SafeERC20FailedOperation(StateRevertError):
    hint = "The settlement token refused the transfer."


class SafeCastOverflowedUintDowncast(BadInputRevertError):
    hint = "A figure exceeds what the ledger can store; check its units."


class InvalidShortString(StateRevertError):
    hint = "A short string (the EIP-712 domain name) is malformed; this is a contract bug."


class StringTooLong(StateRevertError):
    hint = "A short string (the EIP-712 domain name) is too long; this is a contract bug."


def all_error_classes() -> dict[str, type[ContractRevertError]]:
    """Every class above by Solidity error name."""
    return {
        name: obj
        for name, obj in globals().items()
        if isinstance(obj, type)
        and issubclass(obj, ContractRevertError)
        and obj.__module__ == __name__
    }
