"""Client for one EMC (a clone of the EMC template)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_typing import ChecksumAddress

from rdh_chain.agreements import sort_signatures, typed_data_digest, version_typed_data
from rdh_chain.bids import SealedBid
from rdh_chain.contracts.base import ContractClient
from rdh_chain.exceptions import RdhChainError
from rdh_chain.reports import report_typed_data
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    Bid,
    BidOutcome,
    BidRound,
    CapitalHolding,
    CapitalTotals,
    Departure,
    EmcStatus,
    EmcTerms,
    PartySignature,
    PeriodReport,
    Pool,
    Position,
    ReportAttestation,
    Settlement,
    ShareClass,
    ShareEntry,
    Totals,
    Version,
    VersionStatus,
)

# How long parties have to sign a proposed version unless the proposer says otherwise.
DEFAULT_SIGNING_WINDOW = 30 * 24 * 3600


class EmcClient(ContractClient):
    artifact_name = "EMC"
    module_names = ("EMCModule",)

    # -- writes ----------------------------------------------------------------------

    def propose_version(
        self,
        entries: Sequence[ShareEntry],
        document_hash: bytes = bytes(32),
        *,
        deadline: int | None = None,
    ) -> tuple[int, TxResult]:
        """Propose a share version; returns its id and the receipt.

        Entries are put in the contract's canonical order. ``deadline`` (a Unix time) is
        the last moment the signed version can be activated; by default 30 days from
        the latest block.
        """
        if deadline is None:
            deadline = int(self.w3.eth.get_block("latest")["timestamp"]) + DEFAULT_SIGNING_WINDOW
        ordered = sorted(entries, key=lambda e: e.sort_key)
        result = self._transact(
            "proposeVersion", [e.as_abi() for e in ordered], document_hash, deadline
        )
        return int(self.event(result, "VersionProposed")["args"]["versionId"]), result

    def activate_version(self, version_id: int, signatures: Sequence[PartySignature]) -> TxResult:
        """Activate a version with every party's signature (any wallet may submit them)."""
        ordered = sort_signatures(signatures)
        return self._transact("activateVersion", version_id, [s.as_abi() for s in ordered])

    def settle(
        self, report: PeriodReport, attestation: ReportAttestation | None = None
    ) -> tuple[int, TxResult]:
        """Settle a period (the caller must have approved the profit), with an auditor's
        attestation where the terms or the capital need one; returns its number."""
        if attestation is None:
            result = self._transact("settle", report.as_abi())
        else:
            result = self._transact("settleAttested", report.as_abi(), attestation.as_abi())
        return int(self.event(result, "PeriodSettled")["args"]["period"]), result

    def report_typed_data(
        self, report: PeriodReport, *, deadline: int, period: int | None = None
    ) -> dict[str, Any]:
        """The EIP-712 typed data an auditor signs to attest ``report`` as the next period
        (or ``period``), checked against the contract's own digest."""
        if period is None:
            period = self.totals().periods + 1
        typed = report_typed_data(self.w3.eth.chain_id, self.address, report, period, deadline)
        digest = bytes(self._call("reportDigest", report.as_abi(), period, deadline))
        if typed_data_digest(typed) != digest:
            raise RdhChainError(
                "typed data of the report does not match the contract's digest; "
                "the SDK and the deployed contracts disagree (rebuild and redeploy)"
            )
        return typed

    def settlement(self, result: TxResult) -> Settlement:
        """What the settlement ``result`` did: its period, any loss, any dissolution, and the
        auditor who attested it (None if unattested)."""
        settled = self.event(result, "PeriodSettled")["args"]
        period = int(settled["period"])
        attested_by = ChecksumAddress(settled["auditor"])
        auditor = None if attested_by == ZERO_ADDRESS else attested_by
        losses = self.events(result, "LossAbsorbed")
        if not losses:
            return Settlement(period, auditor=auditor)
        loss = losses[0]["args"]
        dissolved = self.events(result, "EmcDissolved")
        end = dissolved[0]["args"] if dissolved else None
        return Settlement(
            period=period,
            loss=int(loss["loss"]),
            covered=int(loss["covered"]),
            cumulative_losses=int(loss["cumulativeLosses"]),
            dissolved=end is not None,
            capital=int(end["capital"]) if end else 0,
            pool_released=int(end["poolReleased"]) if end else 0,
            pool_to_investors=int(end["poolToInvestors"]) if end else 0,
            pool_to_dev_fund=int(end["poolToDevFund"]) if end else 0,
            auditor=auditor,
        )

    def set_reporter(self, reporter: ChecksumAddress) -> TxResult:
        """Appoint ``reporter`` (an active ME) to settle periods; the zero address removes it."""
        return self._transact("setReporter", reporter)

    def claim(self) -> tuple[int, TxResult]:
        """Claim everything claimable; returns the amount paid."""
        result = self._transact("claim")
        return int(self.event(result, "Claimed")["args"]["amount"]), result

    def withdraw_dev_fund(self, to: ChecksumAddress, amount: int, purpose: bytes) -> TxResult:
        return self._transact("withdrawDevFund", to, amount, purpose)

    def invest(self, amount: int) -> tuple[int, TxResult]:
        """Invest ``amount`` (approved beforehand) in the capital; returns the units received."""
        result = self._transact("invest", amount)
        return int(self.event(result, "Invested")["args"]["units"]), result

    def claim_capital(self) -> tuple[int, TxResult]:
        """Claim the sender's part of a dissolved EMC's capital and released pool; returns
        the amount paid (capital and pool share together)."""
        result = self._transact("claimCapital")
        args = self.event(result, "CapitalReturned")["args"]
        return int(args["amount"]) + int(args["poolShare"]), result

    def sweep(self) -> tuple[int, TxResult]:
        """Move what the EMC holds above its debts into the development fund (owner or
        treasurer); returns the amount swept."""
        result = self._transact("sweep")
        return int(self.event(result, "Swept")["args"]["amount"]), result

    def terminate(
        self, account: ChecksumAddress, notice_periods: int, reason_hash: bytes
    ) -> TxResult:
        """Give ``account`` notice of termination (owner only)."""
        return self._transact("terminate", account, notice_periods, reason_hash)

    def resign(self, notice_periods: int, reason_hash: bytes) -> TxResult:
        """Give notice that the sender leaves the EMC."""
        return self._transact("resign", notice_periods, reason_hash)

    def open_bid_round(
        self, commit_deadline: int, reveal_deadline: int, document_hash: bytes = bytes(32)
    ) -> tuple[int, TxResult]:
        """Open a sealed-bid round (owner only); returns its id and the receipt."""
        result = self._transact("openBidRound", commit_deadline, reveal_deadline, document_hash)
        return int(self.event(result, "BidRoundOpened")["args"]["roundId"]), result

    def commit_bid(self, round_id: int, commitment: bytes) -> TxResult:
        """Commit (or replace) the sender's sealed bid (see ``rdh_chain.bids.bid_commitment``)."""
        return self._transact("commitBid", round_id, commitment)

    def reveal_bid(
        self,
        round_id: int,
        users: int,
        revenue: int,
        ask_bps: int,
        proposal_hash: bytes,
        salt: bytes,
    ) -> TxResult:
        """Reveal the sender's bid; the values must hash to its commitment."""
        return self._transact("revealBid", round_id, users, revenue, ask_bps, proposal_hash, salt)

    def reveal_sealed(self, sealed: SealedBid) -> TxResult:
        """Reveal the sender's bid from the :class:`SealedBid` it kept since committing."""
        return self.reveal_bid(
            sealed.round_id,
            sealed.users,
            sealed.revenue,
            sealed.ask_bps,
            sealed.proposal_hash,
            sealed.salt,
        )

    def invite_bids(self, round_id: int, invited: Sequence[ChecksumAddress]) -> TxResult:
        """Decide a round (owner only, after the reveal deadline) by inviting ``invited``."""
        return self._transact("inviteBids", round_id, list(invited))

    # -- reads -----------------------------------------------------------------------

    def round_count(self) -> int:
        return int(self._call("lastBidRound"))

    def round(self, round_id: int) -> BidRound:
        commit, reveal, decided, bidders, revealed, invited, document = self._call(
            "bidRound", round_id
        )
        return BidRound(
            id=round_id,
            commit_deadline=int(commit),
            reveal_deadline=int(reveal),
            decided_at=int(decided),
            bidder_count=int(bidders),
            revealed_count=int(revealed),
            invited_count=int(invited),
            document_hash=bytes(document),
        )

    def bidders(self, round_id: int) -> list[ChecksumAddress]:
        """The wallets that committed in ``round_id``, in order of first commit."""
        return [ChecksumAddress(a) for a in self._call("bidders", round_id)]

    def bid(self, round_id: int, bidder: ChecksumAddress) -> Bid:
        """``bidder``'s bid in ``round_id`` with its outcome as of the latest block."""
        commitment, users, revenue, ask, outcome, proposal = self._call("bid", round_id, bidder)
        return Bid(
            round_id=round_id,
            bidder=bidder,
            commitment=bytes(commitment),
            undertaken_users=int(users),
            undertaken_revenue=int(revenue),
            ask_bps=int(ask),
            proposal_hash=bytes(proposal),
            outcome=BidOutcome(outcome),
        )

    def owner(self) -> ChecksumAddress:
        return ChecksumAddress(self._call("owner"))

    def reporter(self) -> ChecksumAddress | None:
        """The appointed reporter, or None."""
        reporter = ChecksumAddress(self._call("reporter"))
        return None if reporter == ZERO_ADDRESS else reporter

    def status(self) -> EmcStatus:
        return EmcStatus(self._call("status"))

    def terms(self) -> EmcTerms:
        return EmcTerms.from_abi(self._call("terms"))

    def totals(self) -> Totals:
        periods, users, revenue, profit, paid, withdrawn, reached = self._call("totals")
        return Totals(
            int(periods),
            int(users),
            int(revenue),
            int(profit),
            int(paid),
            int(withdrawn),
            bool(reached),
        )

    def active_version_id(self) -> int:
        return int(self._call("activeVersionId"))

    def version_count(self) -> int:
        return int(self._call("versionCount"))

    def version(self, version_id: int) -> Version:
        raw = self._call("version", version_id)
        (status, epoch, from_period, count, parties, nonce) = raw[:6]
        (proposed, activated, deadline, document, entries_hash, value_added) = raw[6:12]
        notices, under_notice = raw[12:]
        return Version(
            id=version_id,
            status=VersionStatus(status),
            epoch=int(epoch),
            from_period=int(from_period),
            entry_count=int(count),
            party_count=int(parties),
            nonce=int(nonce),
            proposed_at=int(proposed),
            activated_at=int(activated),
            deadline=int(deadline),
            document_hash=bytes(document),
            entries_hash=bytes(entries_hash),
            value_added_bps=int(value_added),
            notices_at_proposal=int(notices),
            names_member_under_notice=bool(under_notice),
        )

    def version_digest(self, version_id: int) -> bytes:
        """The EIP-712 digest the parties of ``version_id`` sign, as the contract computes it."""
        return bytes(self._call("versionDigest", version_id))

    def typed_data(self, version_id: int) -> dict[str, Any]:
        """The EIP-712 typed data of ``version_id`` for a wallet to sign.

        Built from the chain and checked against the contract's own digest, so a
        wallet is never handed data that would not verify.
        """
        typed = version_typed_data(
            self.w3.eth.chain_id,
            self.address,
            self.version(version_id),
            self.version_entries(version_id),
        )
        if typed_data_digest(typed) != self.version_digest(version_id):
            raise RdhChainError(
                f"typed data of version {version_id} does not match the contract's digest; "
                "the SDK and the deployed contracts disagree (rebuild and redeploy)"
            )
        return typed

    def signers(self, version_id: int, from_block: int = 0) -> list[ChecksumAddress] | None:
        """Who signed ``version_id``, from its VersionActivated event; None until activated.

        ``from_block`` (the deployment's block) bounds the log search.
        """
        logs = self.contract.events.VersionActivated().get_logs(
            argument_filters={"versionId": version_id}, from_block=from_block
        )
        if not logs:
            return None
        return [ChecksumAddress(a) for a in logs[-1]["args"]["signers"]]

    def parties(self, version_id: int) -> list[ChecksumAddress]:
        """The wallets that must sign ``version_id``, in signing order (the fund has none)."""
        accounts = {e.account for e in self.version_entries(version_id)} - {ZERO_ADDRESS}
        return sorted(accounts, key=lambda a: int(a, 16))  # the order activation needs

    def version_entries(self, version_id: int) -> list[ShareEntry]:
        return [
            ShareEntry(ChecksumAddress(account), ShareClass(cls), int(bps))
            for account, cls, bps in self._call("versionEntries", version_id)
        ]

    def shares_of(self, version_id: int, account: ChecksumAddress) -> dict[ShareClass, int]:
        """``account``'s basis points by class in ``version_id`` (classes it holds only)."""
        raw = self._call("shareOf", version_id, account)
        return {ShareClass(i): int(bps) for i, bps in enumerate(raw) if bps}

    def position(self, account: ChecksumAddress) -> Position:
        claimable, locked, paid, dust = self._call("accountOf", account)
        return Position(int(claimable), int(locked), int(paid), int(dust))

    def capital_totals(self) -> CapitalTotals:
        return CapitalTotals(*(int(v) for v in self._call("capitalTotals")))

    def capital_of(self, account: ChecksumAddress) -> CapitalHolding:
        (units, _era, invested, _index, borne, claimed), value, pool_share = self._call(
            "capitalOf", account
        )
        return CapitalHolding(
            units=int(units),
            value=int(value),
            invested=int(invested),
            loss_borne=int(borne),
            pool_share=int(pool_share),
            claimed=bool(claimed),
        )

    def pool(self) -> Pool:
        """The value-added pool against the sharing space."""
        space, accrued, left, full_at, excess = self._call("pool")
        return Pool(int(space), int(accrued), int(left), int(full_at), int(excess))

    def sweepable(self) -> int:
        """What :meth:`sweep` would move now, in fen."""
        return int(self._call("sweepable"))

    def departure_of(self, account: ChecksumAddress) -> Departure:
        effective, noticed, by_owner, reason = self._call("departureOf", account)
        return Departure(int(effective), int(noticed), bool(by_owner), bytes(reason))

    def module(self) -> ChecksumAddress:
        """The module that serves bids, notices, funds and capital returns for every EMC."""
        return ChecksumAddress(self._call("module"))
