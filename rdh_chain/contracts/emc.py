"""Client for one EMC (a clone of the EMC template)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from eth_typing import ChecksumAddress
from web3.types import BlockIdentifier

from rdh_chain import events
from rdh_chain.agreements import (
    draft_typed_data,
    pack_signatures,
    typed_data_digest,
    version_typed_data,
)
from rdh_chain.bids import SealedBid
from rdh_chain.contracts.base import ContractClient
from rdh_chain.exceptions import InvalidInputError, RdhChainError, ReadOnlyError
from rdh_chain.reports import report_typed_data
from rdh_chain.share_tree import NO_PATH, SharePath, ShareProof, ShareTree
from rdh_chain.structs import struct_from_abi
from rdh_chain.tx import TxResult, UnsignedTx
from rdh_chain.types import (
    ZERO_ADDRESS,
    Bid,
    BidRound,
    CapitalHolding,
    CapitalTotals,
    Departure,
    EmcStatus,
    EmcTerms,
    PartyRoles,
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
    entries_hash,
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
            "proposeVersion",
            [e.as_abi() for e in ordered],
            document_hash,
            deadline,
            *self._current_abi(),
        )
        return self.event(result, events.VersionProposed).version_id, result

    def activate_version(
        self,
        version_id: int,
        signatures: Sequence[PartySignature],
        *,
        digest: bytes | None = None,
    ) -> TxResult:
        """Activate a version with every party's signature (any wallet may submit them).

        ``digest``: the version's (``version_digest``), if the caller read it already; the
        signatures are packed against it (``agreements.pack_signatures``).
        """
        if digest is None:
            digest = self.version_digest(version_id)
        packed = pack_signatures(signatures, digest)
        roles = self.share_tree(version_id).roles
        return self._transact("activateVersion", version_id, packed, roles.as_abi())

    def draft_typed_data(
        self,
        entries: Sequence[ShareEntry],
        document_hash: bytes = bytes(32),
        *,
        deadline: int | None = None,
    ) -> dict[str, Any]:
        """The typed data of the version ``entries`` would become if proposed next (the id
        after the last, the current nonce), for the parties to sign before it is proposed;
        :meth:`propose_and_activate_version` then records and activates it in one
        transaction. ``deadline`` as for :meth:`propose_version`."""
        if deadline is None:
            deadline = int(self.w3.eth.get_block("latest")["timestamp"]) + DEFAULT_SIGNING_WINDOW
        version_id, nonce = self._next_version()
        return draft_typed_data(
            self.w3.eth.chain_id,
            self.address,
            version_id,
            entries,
            document_hash=document_hash,
            nonce=nonce,
            deadline=deadline,
        )

    def propose_and_activate_version(
        self, typed_data: Mapping[str, Any], signatures: Sequence[PartySignature]
    ) -> tuple[int, TxResult]:
        """Propose and activate, in one transaction, the draft every party signed
        (``typed_data`` from :meth:`draft_typed_data`); returns the version id and the
        receipt. If another version was proposed or activated since the draft was made,
        its id or nonce is stale and the contract refuses the signatures."""
        message = typed_data["message"]
        version_id, nonce = self._next_version()
        if (message["versionId"], message["nonce"]) != (version_id, nonce):
            raise InvalidInputError(
                f"the draft of version {message['versionId']} (nonce {message['nonce']}) is "
                f"stale: the next version is {version_id} at nonce {nonce}, for a version was "
                "proposed or activated since it was drafted; draft it again and have every "
                "party sign the new typed data"
            )
        entries = [
            ShareEntry(e["account"], ShareClass(e["shareClass"]), e["bps"])
            for e in message["entries"]
        ]
        tree = ShareTree(entries)
        packed = pack_signatures(signatures, typed_data_digest(dict(typed_data)))
        result = self._transact(
            "proposeAndActivateVersion",
            [e.as_abi() for e in sorted(entries, key=lambda e: e.sort_key)],
            bytes(message["documentHash"]),
            message["deadline"],
            *self._current_abi(),
            packed,
            tree.roles.as_abi(),
        )
        return self.event(result, events.VersionProposed).version_id, result

    def settle(
        self, report: PeriodReport, attestation: ReportAttestation | None = None
    ) -> tuple[int, TxResult]:
        """Settle a period (the caller must have approved the profit), with an auditor's
        attestation where the terms or the capital need one; returns its number."""
        if attestation is None:
            result = self._transact("settle", report.as_abi())
        else:
            result = self._transact("settleAttested", report.as_abi(), attestation.as_abi())
        return self.event(result, events.PeriodSettled).period, result

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
        settled = self.event(result, events.PeriodSettled)
        auditor = None if settled.auditor == ZERO_ADDRESS else settled.auditor
        losses = self.events(result, events.LossAbsorbed)
        if not losses:
            return Settlement(settled.period, auditor=auditor)
        loss = losses[0]
        dissolved = self.events(result, events.EmcDissolved)
        end = dissolved[0] if dissolved else None
        return Settlement(
            period=settled.period,
            loss=loss.loss,
            covered=loss.covered,
            cumulative_losses=loss.cumulative_losses,
            dissolved=end is not None,
            capital=end.capital if end else 0,
            pool_released=end.pool_released if end else 0,
            pool_to_investors=end.pool_to_investors if end else 0,
            pool_to_dev_fund=end.pool_to_dev_fund if end else 0,
            auditor=auditor,
        )

    def set_reporter(self, reporter: ChecksumAddress) -> TxResult:
        """Appoint ``reporter`` (an active ME) to settle periods; the zero address removes it."""
        return self._transact("setReporter", reporter)

    def claim(self) -> tuple[int, TxResult]:
        """Claim everything claimable; returns the amount paid."""
        result = self._transact("claim", self._proofs_abi(self._sender_address()))
        return self.event(result, events.Claimed).amount, result

    def withdraw_dev_fund(self, to: ChecksumAddress, amount: int, purpose: bytes) -> TxResult:
        return self._transact("withdrawDevFund", to, amount, purpose)

    def invest(self, amount: int) -> tuple[int, TxResult]:
        """Invest ``amount`` (approved beforehand) in the capital; returns the units received."""
        self.check_args("invest", (amount, NO_PATH.as_abi()))  # before any read
        party = self.active_path(self._sender_address())
        result = self._transact("invest", amount, party.as_abi())
        return self.event(result, events.Invested).units, result

    def claim_capital(self) -> tuple[int, TxResult]:
        """Claim the sender's part of a dissolved EMC's capital and released pool; returns
        the amount paid (capital and pool share together)."""
        result = self._transact("claimCapital")
        returned = self.event(result, events.CapitalReturned)
        return returned.amount + returned.pool_share, result

    def sweep(self) -> tuple[int, TxResult]:
        """Move what the EMC holds above its debts into the development fund (owner or
        treasurer); returns the amount swept."""
        result = self._transact("sweep")
        return self.event(result, events.Swept).amount, result

    def terminate(
        self, account: ChecksumAddress, notice_periods: int, reason_hash: bytes
    ) -> TxResult:
        """Give ``account`` notice of termination (owner only)."""
        party = self.active_path(account)
        return self._transact("terminate", account, notice_periods, reason_hash, party.as_abi())

    def resign(self, notice_periods: int, reason_hash: bytes) -> TxResult:
        """Give notice that the sender leaves the EMC."""
        party = self.active_path(self._sender_address())
        return self._transact("resign", notice_periods, reason_hash, party.as_abi())

    def open_bid_round(
        self, commit_deadline: int, reveal_deadline: int, document_hash: bytes = bytes(32)
    ) -> tuple[int, TxResult]:
        """Open a sealed-bid round (owner only); returns its id and the receipt."""
        result = self._transact("openBidRound", commit_deadline, reveal_deadline, document_hash)
        return self.event(result, events.BidRoundOpened).round_id, result

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

    # -- unsigned transactions, for a member's own wallet to sign and send ---------------
    # Each is estimated from ``account`` first: one bound to revert (a second claim, a bid
    # after the deadline) raises its decoded custom error and nothing is handed out.

    def claim_tx(self, account: ChecksumAddress) -> UnsignedTx:
        """``claim(proofs)`` for ``account``, with its share proofs built here."""
        return self._unsigned(account, "claim", self._proofs_abi(account))

    def commit_bid_tx(
        self, account: ChecksumAddress, round_id: int, commitment: bytes
    ) -> UnsignedTx:
        """``commitBid(round_id, commitment)`` for ``account`` (the commitment only: the bid
        and its salt stay with the bidder until it reveals)."""
        return self._unsigned(account, "commitBid", round_id, commitment)

    def reveal_bid_tx(self, sealed: SealedBid) -> UnsignedTx:
        """``revealBid`` of ``sealed`` for its bidder."""
        return self._unsigned(
            sealed.bidder,
            "revealBid",
            sealed.round_id,
            sealed.users,
            sealed.revenue,
            sealed.ask_bps,
            sealed.proposal_hash,
            sealed.salt,
        )

    def invest_tx(self, account: ChecksumAddress, amount: int) -> UnsignedTx:
        """``invest(amount)`` for ``account``, which must have approved the EMC for it."""
        self.check_args("invest", (amount, NO_PATH.as_abi()))  # before any read
        return self._unsigned(account, "invest", amount, self.active_path(account).as_abi())

    def settle_tx(
        self,
        account: ChecksumAddress,
        report: PeriodReport,
        attestation: ReportAttestation | None = None,
    ) -> UnsignedTx:
        """``settle`` (or ``settleAttested`` with ``attestation``) for the owner or reporter
        ``account``, which must have approved the EMC for the profit."""
        if attestation is None:
            return self._unsigned(account, "settle", report.as_abi())
        return self._unsigned(account, "settleAttested", report.as_abi(), attestation.as_abi())

    # -- reads (each at ``block``, the latest by default) --------------------------------

    def round_count(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("lastBidRound", block=block))

    def round(self, round_id: int, *, block: BlockIdentifier | None = None) -> BidRound:
        raw = self._read("bidRound", round_id, block=block)
        return struct_from_abi(BidRound, {**raw, "id": round_id})

    def bidders(
        self, round_id: int, *, block: BlockIdentifier | None = None
    ) -> list[ChecksumAddress]:
        """The wallets that committed in ``round_id``, in order of first commit."""
        return [ChecksumAddress(a) for a in self._call("bidders", round_id, block=block)]

    def bid(
        self, round_id: int, bidder: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> Bid:
        """``bidder``'s bid in ``round_id`` with its outcome as of ``block``."""
        raw = self._read("bid", round_id, bidder, block=block)
        return struct_from_abi(Bid, {**raw, "round_id": round_id, "bidder": bidder})

    def owner(self, *, block: BlockIdentifier | None = None) -> ChecksumAddress:
        return ChecksumAddress(self._call("owner", block=block))

    def reporter(self, *, block: BlockIdentifier | None = None) -> ChecksumAddress | None:
        """The appointed reporter, or None."""
        reporter = ChecksumAddress(self._call("reporter", block=block))
        return None if reporter == ZERO_ADDRESS else reporter

    def status(self, *, block: BlockIdentifier | None = None) -> EmcStatus:
        return EmcStatus(self._call("status", block=block))

    def terms(self, *, block: BlockIdentifier | None = None) -> EmcTerms:
        return EmcTerms.from_abi(self._read("terms", block=block))

    def totals(self, *, block: BlockIdentifier | None = None) -> Totals:
        return struct_from_abi(Totals, self._read("totals", block=block))

    def active_version_id(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("activeVersionId", block=block))

    def version_count(self, *, block: BlockIdentifier | None = None) -> int:
        return int(self._call("versionCount", block=block))

    def version(self, version_id: int, *, block: BlockIdentifier | None = None) -> Version:
        """``version_id``'s header, with the document and entries hashes of its proposal
        (the header keeps only the EIP-712 struct hash, which commits to both)."""
        return self.version_from_header(version_id, self._read("version", version_id, block=block))

    def version_from_header(self, version_id: int, raw: Mapping[str, Any]) -> Version:
        """:meth:`version` from a header read already (``raw``: the ``version`` view's
        struct by name, as a batch of pinned reads returns it)."""
        proposal = self._proposal(version_id, raw)
        return struct_from_abi(
            Version,
            {
                **raw,
                "id": version_id,
                "documentHash": proposal.document_hash,
                "entriesHash": entries_hash(proposal.entries),
            },
        )

    def version_digest(self, version_id: int, *, block: BlockIdentifier | None = None) -> bytes:
        """The EIP-712 digest the parties of ``version_id`` sign, as the contract computes it."""
        return bytes(self._call("versionDigest", version_id, block=block))

    def typed_data(
        self, version_id: int, *, block: BlockIdentifier | None = None
    ) -> dict[str, Any]:
        """The EIP-712 typed data of ``version_id`` for a wallet to sign.

        Built from the chain and checked against the contract's own digest, so a
        wallet is never handed data that would not verify.
        """
        typed = version_typed_data(
            self.w3.eth.chain_id,
            self.address,
            self.version(version_id, block=block),
            self.version_entries(version_id, block=block),
        )
        if typed_data_digest(typed) != self.version_digest(version_id, block=block):
            raise RdhChainError(
                f"typed data of version {version_id} does not match the contract's digest; "
                "the SDK and the deployed contracts disagree (rebuild and redeploy)"
            )
        return typed

    def signers(
        self, version_id: int, *, block: BlockIdentifier | None = None
    ) -> list[ChecksumAddress] | None:
        """Who signed ``version_id``: every party it names, for activation takes exactly
        their signatures; None until it is activated (as of ``block``, which may be before
        it was proposed)."""
        if version_id > self.version_count(block=block):
            return None
        if not self.version(version_id, block=block).activated_at:
            return None
        return self.parties(version_id, block=block)

    def parties(
        self, version_id: int, *, block: BlockIdentifier | None = None
    ) -> list[ChecksumAddress]:
        """The wallets that must sign ``version_id``, in signing order (the fund has none)."""
        return self.share_tree(version_id, block=block).parties

    def current_parties(self, *, block: BlockIdentifier | None = None) -> list[ChecksumAddress]:
        """The active version's parties (none before the first activation): what a proposal
        passes for the contract to check that nobody is left out who may not be."""
        active = self.active_version_id(block=block)
        return self.parties(active, block=block) if active else []

    def current_roles(self, *, block: BlockIdentifier | None = None) -> PartyRoles:
        """Which of the active version's parties hold which kinds of share (none before
        the first activation): what a proposal passes beside ``current_parties``."""
        active = self.active_version_id(block=block)
        return self.share_tree(active, block=block).roles if active else PartyRoles()

    def version_entries(
        self, version_id: int, *, block: BlockIdentifier | None = None
    ) -> list[ShareEntry]:
        """``version_id``'s entries in canonical order, from its ``VersionProposed`` event."""
        return list(self.proposal(version_id, block=block).entries)

    def proposal(
        self, version_id: int, *, block: BlockIdentifier | None = None
    ) -> events.VersionProposed:
        """The ``VersionProposed`` event of ``version_id``, checked against the header's
        share root (a node that serves other entries is an error, not an answer)."""
        return self._proposal(version_id, self._read("version", version_id, block=block))

    def share_tree(self, version_id: int, *, block: BlockIdentifier | None = None) -> ShareTree:
        """The share tree of ``version_id`` (its entries, the commitment checked)."""
        return self._tree(version_id, self._read("version", version_id, block=block))

    def shares_of(
        self, version_id: int, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> dict[ShareClass, int]:
        """``account``'s basis points by class in ``version_id`` (classes it holds only)."""
        return {
            e.share_class: e.bps
            for e in self.version_entries(version_id, block=block)
            if e.account == account
        }

    def share_proofs(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> list[ShareProof]:
        """``account``'s share in each version it has not been brought up to date with: what
        ``claim`` and ``accountOf`` need (usually none, one after a new version)."""
        start, end = self._call("unsyncedEpochs", account, block=block)
        proofs = []
        for epoch in range(int(start), int(end)):
            version_id = self.epoch_version(epoch, block=block)
            proofs.append(self.share_tree(version_id, block=block).proof(account))
        return proofs

    def epoch_version(self, epoch: int, *, block: BlockIdentifier | None = None) -> int:
        """The version activated as epoch ``epoch`` (the activations count from 0)."""
        return int(self._call("epochVersion", epoch, block=block))

    def active_path(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> SharePath:
        """``account``'s leaf in the active version's tree (investing and notices need it).

        For an account that holds no share there, a path the contract refuses with its own
        error (``EmcNotAMember``), so the caller hears it from the chain.
        """
        active = self.active_version_id(block=block)
        if not active:
            return NO_PATH
        return self.share_tree(active, block=block).proof(account).path

    def position(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> Position:
        proofs = self._proofs_abi(account, block=block)
        return struct_from_abi(Position, self._read("accountOf", account, proofs, block=block))

    def capital_totals(self, *, block: BlockIdentifier | None = None) -> CapitalTotals:
        return struct_from_abi(CapitalTotals, self._read("capitalTotals", block=block))

    def capital_of(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> CapitalHolding:
        raw = self._read("capitalOf", account, block=block)
        return struct_from_abi(
            CapitalHolding, {**raw["held"], "value": raw["value"], "poolShare": raw["poolShare"]}
        )

    def pool(self, *, block: BlockIdentifier | None = None) -> Pool:
        """The value-added pool against the sharing space."""
        raw = self._read("pool", block=block)
        return struct_from_abi(Pool, {**raw, "excess": raw["excessToDevFund"]})

    def sweepable(self, *, block: BlockIdentifier | None = None) -> int:
        """What :meth:`sweep` would move now, in fen."""
        return int(self._call("sweepable", block=block))

    def departure_of(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> Departure:
        return struct_from_abi(Departure, self._read("departureOf", account, block=block))

    def module(self, *, block: BlockIdentifier | None = None) -> ChecksumAddress:
        """The module that serves bids, notices, funds and capital returns for every EMC."""
        return ChecksumAddress(self._call("module", block=block))

    # -- internals ----------------------------------------------------------------------

    def _sender_address(self) -> ChecksumAddress:
        if self.sender is None:
            raise ReadOnlyError(
                f"{self.artifact_name} changes state: connect a wallet (with_sender)."
            )
        return self.sender.address

    def _proofs_abi(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> list[Any]:
        return [p.as_abi() for p in self.share_proofs(account, block=block)]

    def _next_version(self) -> tuple[int, int]:
        """The id and nonce the next proposal gets: the nonce is the number of activations
        (the active version's epoch, plus one)."""
        active = self.active_version_id()
        return self.version_count() + 1, self.version(active).epoch + 1 if active else 0

    def _current_abi(self) -> tuple[list[ChecksumAddress], tuple[int, int]]:
        """``proposeVersion``'s last two arguments: the active version's parties and roles."""
        active = self.active_version_id()
        if not active:
            return [], PartyRoles().as_abi()
        tree = self.share_tree(active)
        return tree.parties, tree.roles.as_abi()

    def _event_topic(self, name: str) -> bytes:
        """The topic0 of the EMC's event ``name``."""
        decoder = self.event_decoder
        (topic,) = (
            t for t in decoder.topics if (decoder.signature(t) or "").startswith(f"{name}(")
        )
        return topic

    def _proposal(self, version_id: int, raw: Mapping[str, Any]) -> events.VersionProposed:
        """``version_id``'s ``VersionProposed`` event, from the block its header (``raw``)
        names and checked against the header's EIP-712 struct hash, which commits to all
        of it (cached by that hash: a version id alone may name another proposal on a
        chain rolled back, as tests roll anvil back)."""
        struct_hash = bytes(raw["structHash"])
        key = (self.address, version_id, struct_hash)
        cached = _PROPOSALS.get(key)
        if cached is not None:
            return cached
        proposed_block = int(raw["proposedBlock"])
        decoder = self.event_decoder
        topic = self._event_topic("VersionProposed")
        logs = events.fetch_logs(
            self.w3.provider, proposed_block, proposed_block, [self.address], [topic]
        )
        found = [
            d.event
            for d in decoder.decode_all(logs)
            if isinstance(d.event, events.VersionProposed) and d.event.version_id == version_id
        ]
        if not found:
            raise RdhChainError(
                f"the node has no VersionProposed event of version {version_id} in block "
                f"{proposed_block}: it may prune logs; point RDH_RPC_URL at a node that keeps them"
            )
        proposal = found[-1]
        if proposal.struct_hash != struct_hash or proposal.shares_root != bytes(raw["sharesRoot"]):
            raise RdhChainError(
                f"the proposal the node returned for version {version_id} does not match its "
                "on-chain header (struct hash, share root): the node's logs disagree with its state"
            )
        _PROPOSALS[key] = proposal
        return proposal

    def _tree(self, version_id: int, raw: Mapping[str, Any]) -> ShareTree:
        # The event's share root is checked against the header's, so the root keys the tree.
        key = (self.address, version_id, bytes(raw["sharesRoot"]))
        tree = _TREES.get(key)
        if tree is None:
            tree = ShareTree(self._proposal(version_id, raw).entries)
            _TREES[key] = tree
        return tree


_T = TypeVar("_T")


class _BoundedCache(Generic[_T]):
    """A dict that forgets its oldest entries beyond ``size``."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, int, bytes], _T] = OrderedDict()

    def get(self, key: tuple[str, int, bytes]) -> _T | None:
        return self._items.get(key)

    def __setitem__(self, key: tuple[str, int, bytes], value: _T) -> None:
        self._items[key] = value
        while len(self._items) > self._size:
            self._items.popitem(last=False)


# Versions never change once proposed, and the key holds the root that commits to their
# entries, so what was read once (on any chain) is reused; bounded like an LRU by insertion.
_CACHE_SIZE = 4096
_PROPOSALS: _BoundedCache[events.VersionProposed] = _BoundedCache(_CACHE_SIZE)
_TREES: _BoundedCache[ShareTree] = _BoundedCache(_CACHE_SIZE)
