"""The SDK's entry point: one object that knows the chain, the deployment and a wallet."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.types import BlockIdentifier

from rdh_chain import contract_errors
from rdh_chain.agreements import sign_version, typed_data_parties
from rdh_chain.artifacts import Artifact
from rdh_chain.contracts import (
    EmcClient,
    FactoryClient,
    GuidelinesClient,
    RegistryClient,
    TokenClient,
)
from rdh_chain.deployment import Deployment
from rdh_chain.events import EventDecoder
from rdh_chain.exceptions import InvalidInputError, NotFoundError, ReadOnlyError
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.reports import sign_report
from rdh_chain.reverts import RevertDecoder
from rdh_chain.share_tree import NO_PATH
from rdh_chain.tx import TxResult, TxSender, revert_data
from rdh_chain.types import (
    ZERO_ADDRESS,
    CapitalHolding,
    Departure,
    Member,
    MemberStatus,
    PartySignature,
    PeriodReport,
    Position,
    ReportAttestation,
    ShareClass,
    ShareEntry,
)
from rdh_chain.validation import format_amount, to_address

_Client = TypeVar(
    "_Client", RegistryClient, TokenClient, FactoryClient, GuidelinesClient, EmcClient
)


@dataclass(frozen=True)
class MemberShare:
    """What one member is promised in one EMC, has been paid, and can claim (fen and bps),
    its capital there and any notice of departure it was given."""

    emc: ChecksumAddress
    account: ChecksumAddress
    version_id: int
    bps: dict[ShareClass, int]
    position: Position
    capital: CapitalHolding
    departure: Departure
    departure_effective: bool  # the notice has run out: a new version may leave it out

    @property
    def total_bps(self) -> int:
        return sum(self.bps.values())


class Ledger:
    """Typed clients for one deployment; read-only unless built with a wallet.

    ``ledger.connect(account)`` returns a ledger that signs as ``account``; the
    senders (and so their nonces) are shared between ledgers of the same root.
    """

    def __init__(
        self,
        w3: Web3,
        deployment: Deployment,
        artifacts: Mapping[str, Artifact],
        *,
        sender: TxSender | None = None,
        _root: Ledger | None = None,
    ) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.artifacts = artifacts
        self.sender = sender
        if _root is None:
            self.decoder = self.decoder_for(artifacts)
            self.event_decoder = EventDecoder.from_abis(a.abi for a in artifacts.values())
            self._senders: dict[ChecksumAddress, TxSender] = {}
            self.registry = self._client(RegistryClient, deployment.registry)
            self.token = self._client(TokenClient, deployment.token)
            self.factory = self._client(FactoryClient, deployment.factory)
            self.guidelines = self._client(GuidelinesClient, deployment.guidelines)
        else:
            # Connected ledgers share the root's decoder, senders and contract objects:
            # building them again costs more CPU than a transaction.
            self.decoder = _root.decoder
            self.event_decoder = _root.event_decoder
            self._senders = _root._senders
            self.registry = self._bind(_root.registry)
            self.token = self._bind(_root.token)
            self.factory = self._bind(_root.factory)
            self.guidelines = self._bind(_root.guidelines)

    @staticmethod
    def decoder_for(artifacts: Mapping[str, Artifact]) -> RevertDecoder:
        """A revert decoder knowing every error of ``artifacts``."""
        return RevertDecoder(a.abi for a in artifacts.values())

    def connect(self, account: LocalAccount) -> Ledger:
        """This ledger, signing as ``account``."""
        sender = self._senders.get(account.address)
        if sender is None:
            sender = TxSender(self.w3, account, self.decoder)
            self._senders[account.address] = sender
        return Ledger(self.w3, self.deployment, self.artifacts, sender=sender, _root=self)

    def forget_nonces(self) -> None:
        """Make every sender of this ledger family ask the node for its nonce again.

        Needed after anything rewinds the chain under a running process (a test's
        ``evm_revert``), since senders keep their nonces locally.
        """
        for sender in self._senders.values():
            sender.refresh()

    @property
    def address(self) -> ChecksumAddress | None:
        """The signing account, if any."""
        return self.sender.address if self.sender else None

    def emc(self, address: ChecksumAddress, *, block: BlockIdentifier | None = None) -> EmcClient:
        """The EMC at ``address``; raises NotFoundError unless the factory created it (by
        ``block``, the latest by default)."""
        if not self.factory.is_emc(address, block=block):
            raise NotFoundError(
                f"{address} is not an EMC of this ledger; list them with `rdh emc list`."
            )
        return self._bind(self._client(EmcClient, address))

    def emcs(self, *, block: BlockIdentifier | None = None) -> list[EmcClient]:
        """Every EMC the factory had created by ``block`` (the latest by default), oldest
        first: their addresses read in JSON-RPC batches, no per-address check."""
        at = (
            block
            if isinstance(block, int)
            else int(self.w3.eth.get_block(block or "latest")["number"])
        )
        reads = PinnedReads(self.w3, at)
        for i in range(self.factory.emc_count(block=at)):
            reads.add(self.factory, "emcAt", i)
        return [self._bind(self._client(EmcClient, to_address(a))) for a in reads.execute()]

    def member(self, address: ChecksumAddress, *, block: BlockIdentifier | None = None) -> Member:
        """The registry record of ``address`` at ``block``; raises NotFoundError if it is not
        registered."""
        member = self.registry.member(address, block=block)
        if member.status is MemberStatus.NONE:
            raise NotFoundError(
                f"{address} is not a registered member; add it with `rdh member add`."
            )
        return member

    def settle(
        self, emc: EmcClient, report: PeriodReport, attestation: ReportAttestation | None = None
    ) -> tuple[int, TxResult]:
        """Approve the EMC for the profit if needed, then settle the period (with an
        auditor's ``attestation`` of the report where the terms or the capital need one).

        The settlement is simulated first, so one bound to fail (wrong wallet, no
        active version, profit above the margin, a missing or wrong attestation, short
        balance) raises before any approval is recorded for it. A loss deposits nothing,
        so it needs no approval.
        """
        args: tuple[Any, ...]
        if attestation is None:
            fn_name, args = "settle", (report.as_abi(),)
        else:
            fn_name, args = "settleAttested", (report.as_abi(), attestation.as_abi())
        self._approve_for(emc, fn_name, args, report.profit, "the profit")
        return self._bind(emc).settle(report, attestation)

    def attest(
        self, emc: EmcClient, report: PeriodReport, deadline: int, *, period: int | None = None
    ) -> ReportAttestation:
        """This ledger's wallet's (an auditor's) attestation of ``report`` as the EMC's next
        period (or ``period``), valid until ``deadline``."""
        if self.sender is None:
            raise ReadOnlyError("Attesting needs a wallet; use ledger.connect(account).")
        typed = emc.report_typed_data(report, deadline=deadline, period=period)
        return sign_report(self.sender.account, typed)

    def invest(self, emc: EmcClient, amount: int) -> tuple[int, TxResult]:
        """Approve the EMC for ``amount`` if needed, then invest it; returns the units."""
        emc.check_args("invest", (amount, NO_PATH.as_abi()))  # before any read
        party = emc.active_path(self._require_sender())
        self._approve_for(emc, "invest", (amount, party.as_abi()), amount, "the investment")
        return self._bind(emc).invest(amount)

    def _approve_for(
        self, emc: EmcClient, fn_name: str, args: tuple[Any, ...], amount: int, what: str
    ) -> None:
        """Simulate ``fn_name``; if only the allowance is missing, approve ``amount``."""
        sender = self._require_sender()
        emc.check_args(fn_name, args)
        action = f"EMC.{fn_name}"
        try:
            emc.contract.functions[fn_name](*args).call({"from": sender})
        except ContractLogicError as exc:
            error = self.decoder.decode(revert_data(exc), action=action)
            if not isinstance(error, contract_errors.ERC20InsufficientAllowance):
                raise error from exc
            balance = self.token.balance_of(sender)
            if balance < amount:
                raise contract_errors.ERC20InsufficientBalance(
                    f"{action} would revert: {sender} holds {format_amount(balance)} RMB, less "
                    f"than {what} {format_amount(amount)} RMB to pay in. "
                    f"{contract_errors.ERC20InsufficientBalance.hint}",
                    args={"sender": sender, "balance": balance, "needed": amount},
                ) from exc
            self.token.approve(emc.address, amount)

    def sign_version(self, emc: EmcClient, version_id: int) -> PartySignature:
        """This ledger's wallet's EIP-712 signature of ``version_id`` (signed locally)."""
        if self.sender is None:
            raise ReadOnlyError("Signing needs a wallet; use ledger.connect(account).")
        return sign_version(self.sender.account, emc.typed_data(version_id))

    def agree(
        self,
        emc: EmcClient,
        entries: Sequence[ShareEntry],
        signers: Iterable[LocalAccount],
        document_hash: bytes = bytes(32),
        *,
        deadline: int | None = None,
    ) -> tuple[int, TxResult]:
        """Have every party sign a version, then propose and activate it as the owner in
        one transaction (``EmcClient.propose_and_activate_version``).

        For wallets held in one process (the demo, tests, a custodial deployment); the
        signers are checked before anything is sent, so a missing wallet leaves no
        proposal behind. Parties who hold their own keys sign the typed data apart
        (``EmcClient.draft_typed_data``, or a proposed version's ``typed_data``).
        """
        owner = self._bind(emc)
        draft = owner.draft_typed_data(entries, document_hash, deadline=deadline)
        parties = typed_data_parties(draft)
        by_address = {account.address: account for account in signers}
        missing = [p for p in parties if p not in by_address]
        if missing:
            raise InvalidInputError(
                f"the version names parties without a wallet here: {', '.join(missing)}"
            )
        signatures = [sign_version(by_address[p], draft) for p in parties]
        return owner.propose_and_activate_version(draft, signatures)

    def share(
        self, emc: EmcClient, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> MemberShare:
        """What ``account`` is promised under the active version, was paid and can claim,
        its capital in the EMC and any departure notice it was given (at ``block``)."""
        version_id = emc.active_version_id(block=block)
        bps = emc.shares_of(version_id, account, block=block) if version_id else {}
        departure = emc.departure_of(account, block=block)
        return MemberShare(
            emc.address,
            account,
            version_id,
            bps,
            emc.position(account, block=block),
            emc.capital_of(account, block=block),
            departure,
            departure.given and departure.effective(emc.totals(block=block).periods),
        )

    def shares(
        self, account: ChecksumAddress, *, block: BlockIdentifier | None = None
    ) -> list[MemberShare]:
        """``account``'s standing in every EMC that ever named it or holds its capital."""
        found = []
        for emc in self.emcs(block=block):
            share = self.share(emc, account, block=block)
            if share.bps or share.position != Position(0, 0, 0, 0) or share.capital.invested:
                found.append(share)
        return found

    def departures(
        self, emc: EmcClient, *, block: BlockIdentifier | None = None
    ) -> dict[ChecksumAddress, Departure]:
        """The notices given to parties of the active version, by account (signing order)."""
        version_id = emc.active_version_id(block=block)
        parties = emc.parties(version_id, block=block) if version_id else []
        notices = {account: emc.departure_of(account, block=block) for account in parties}
        return {account: d for account, d in notices.items() if d.given}

    def dev_fund(self, emc: EmcClient, *, block: BlockIdentifier | None = None) -> Position:
        """The development fund's position (it is kept under the zero address)."""
        return emc.position(ZERO_ADDRESS, block=block)

    def _client(self, cls: type[_Client], address: ChecksumAddress) -> _Client:
        return cls(self.w3, address, self.artifacts, self.decoder, event_decoder=self.event_decoder)

    def _bind(self, client: _Client) -> _Client:
        return client.with_sender(self.sender) if self.sender else client

    def _require_sender(self) -> ChecksumAddress:
        if self.sender is None:
            raise ReadOnlyError("This ledger has no wallet; use ledger.connect(account).")
        return self.sender.address


__all__ = ["Ledger", "MemberShare"]
