"""Stateful property: an EMC's whole lifecycle, step by step, against a plain-integer model.

A hypothesis ``RuleBasedStateMachine`` gives each example a fresh EMC (random targets, loss
threshold, partner bounds, sharing space from one fen to a few million, notice bound of one
to six periods, and one time in four terms that ask for every report to be attested), checks
that it refuses business before its first version, agrees one, and then drives it with real
transactions. The model is ``tests/contracts/emc_model.py`` (``Payouts`` for profit, the
sharing space and the fund; ``Capital`` for units, losses borne and dissolution).

Rules:

* share versions: random splits of 10,000 bps over the owner, three MEs (operating and
  value-added), two partners (within the terms' bounds) and the development fund, signed by
  every party, or proposed and abandoned. Each keeps every member of the active version in
  good standing whose notice has not run out; it leaves out at once every member that was
  suspended or lost its role, and names nobody departed or restricted. Proposals that break
  this are refused (``EmcMemberLeftOut``, ``EmcMemberDeparted``, ``EmcIneligibleMember``).
  A proposal signed by all, whose party is then suspended or loses its role before it is
  submitted, is refused (``EmcPartyNotActive``); one whose restriction was undone (or hit
  someone it does not name) still activates. Some agreements are the smallest version the
  rules allow (liveness: at any point the owner can propose a version that the parties left
  can activate), and the teardown of every example that did not fail agrees one too;
* one to four periods at a time (the clock, which hypothesis favours: see
  ``advance_periods``), profits or losses, by the owner or its reporter, after an overstated
  profit or a profit with a loss is refused; reports are attested by the cast's auditor
  where the terms or the capital need it (an unattested one is refused with
  ``EmcAttestationRequired`` first, sometimes; so are attestations by a non-auditor, for the
  wrong period, or expired), and sometimes where nothing needs it; ``refuse_unattested_loss``
  tries a loss on invested capital without one. Losses take part of the capital, all of it,
  all but one fen, or more, so that capital eras turn over, or exactly what is left to the
  threshold; dissolution at the loss threshold, before or after the target;
* investments (by parties of the active version, outsiders, left-out members, restricted
  and departed members, zero amounts), notices (terminate, resign, the owner shortening a
  running notice, and their refusals: notice out of 1..max_notice_periods, the zero address,
  the owner, strangers, a second notice, a suspended member resigning), registry suspensions,
  reinstatements, role revocations and restorations (at most two members restricted at a
  time), claims, capital returns (the last investor by count takes the pool remainder),
  development-fund withdrawals and their refusals (not the owner, zero address, zero amount,
  an rdh-chain contract: this EMC, another, the factory; an unregistered address, more than
  available), credit sent straight
  to the EMC (minted by the treasury or sent by a member) and sweeps of it (by the owner, a
  treasurer, or refused for another ME or with nothing to sweep), and sealed-bid rounds (the
  clock moves only inside the round-closing rule);
* on a dissolved EMC, one forbidden action per step (every entry point that would add
  something: proposing, activating, settling plain or attested, investing, notices, bids),
  refused with ``EmcWrongStatus``.

Every transaction's result (amount claimed and its value-added part, units minted, loss
covered, pool filled, pool released and its split, capital returned and pool share, amount
swept, signers of an activation...) is compared with the model, and after every step, from
one batched read at one block:

* the active version is the agreed split: its entries are those proposed, they add up to
  10,000 bps, and its header agrees (entry and party counts, value-added bps, from period);
* totals, capitalTotals, pool(), sweepable(), status and the EMC's token balance equal the
  model's; the pool never accrues beyond the sharing space;
* every account's accountOf (claimable, locked, paid, dust) equals the model's, and each
  wallet's capitalOf (units of the current era, era, invested, loss index, losses borne,
  claimed, value, pool share); units add up to totalUnits and no capital is left without
  units;
* conservation, to the unit, in 1/10,000 fen: sum(paid + claimable + locked) * 10,000 +
  sum(dust) + (capital + losses covered + capital returned + pool owed to investors) *
  10,000 + sweepable * 10,000 + (once forfeited) the voided pool's fraction == (profit
  deposited + invested + credit sent to the EMC) * 10,000. Dust is already in 1/10,000 fen
  and enters as it stands (the fund's includes what the pool's excess left of a fen); the
  voided pool's fraction is under one fen and held by nobody. What the EMC holds above
  everything it owes is exactly the sweepable credit plus that fraction;
* sweepable == credit sent - credit swept, and == the contract's own formula;
* nobody is paid, or can claim, more than its bps of the profit settled while it held them
  (the fund also gets the versions' value-added bps beyond the fill point, a released
  pool's part and sweeps);
* every wallet's balance moved by exactly what the model says it paid in and got out;
* departure notices are as given.

A loss that leaves a sliver of capital (one fen, say) makes the next investment mint units
at that price, so totalUnits can outgrow uint128; the model expects ``invest`` to revert
with ``SafeCastOverflowedUintDowncast`` then, and says so with ``event()``.

Step budget: each example is up to 60 steps of one to a dozen transactions (15-25 ms each)
plus one batched read. Locally (dev profile) 15 examples take ~20-30 s; with ``CI=true`` 120
examples, about 6,500 steps, take ~2.3 minutes on a shared 2-core machine (the ``ci``
profile's 300 would take 6). Each example runs between an ``evm_snapshot`` taken in
``__init__`` and an ``evm_revert`` in ``teardown``.
"""

from __future__ import annotations

import itertools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, ClassVar

import pytest
from eth_abi.abi import decode, encode
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.abi import (
    function_abi_to_4byte_selector,
    get_abi_input_types,
    get_abi_output_types,
)
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3 import Web3
from web3.contract import Contract
from web3.types import RPCEndpoint

from rdh_chain import contract_errors as errors
from rdh_chain.bids import bid_commitment
from rdh_chain.contracts import EmcClient
from rdh_chain.events import (
    CapitalReturned,
    Claimed,
    DepartureNoticed,
    EmcDissolved,
    LossAbsorbed,
    PeriodSettled,
    Swept,
    TargetReached,
    ValueAddedPoolFilled,
    VersionActivated,
)
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.reports import sign_report
from rdh_chain.share_proofs import read_proofs
from rdh_chain.share_tree import ShareTree
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    BidOutcome,
    CapitalTotals,
    Departure,
    EmcStatus,
    EmcTerms,
    PartySignature,
    PeriodReport,
    Pool,
    Position,
    ReportAttestation,
    Role,
    ShareClass,
    ShareEntry,
    Totals,
    VersionStatus,
    version_struct_hash,
)
from rdh_chain.verify import chain_events, verify
from tests.contracts.emc_model import (
    BPS,
    Capital,
    Payouts,
    UnitsOverflowError,
    conserved,
    sweepable,
)
from tests.contracts.helpers import (
    TERMS_REASON,
    Cast,
    increase_time,
    latest_timestamp,
    new_account,
    revert,
    snapshot,
)

CI = os.environ.get("CI") == "true"
SETTINGS = settings(
    max_examples=120 if CI else 15,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

WALLET_CREDIT = 10**15  # fen minted to every wallet of the machine, once per test
REASON = keccak(text="notice")
SHORTER = keccak(text="shorter notice")
PURPOSE = keccak(text="fund withdrawal")
PROPOSAL = keccak(text="bid proposal")
MAX_RESTRICTED = 2  # members suspended or without their role at any one time
ATTESTATION_WINDOW = 3_600

EMC_VIEWS = (
    "status",
    "totals",
    "capitalTotals",
    "activeVersionId",
    "accountOf",
    "capitalOf",
    "departureOf",
    "version",
    "pool",
    "sweepable",
)
ACTIVE, DISSOLVED = EmcStatus.ACTIVE, EmcStatus.DISSOLVED
Slot = tuple[ChecksumAddress, ShareClass]
# capitalOf as decoded: units, era, invested, lossIndex, lossBorne, claimed, value, poolShare.
CapitalView = tuple[int, int, int, int, int, bool, int, int]


@dataclass
class SealedBid:
    users: int
    revenue: int
    ask_bps: int
    salt: bytes


@dataclass
class OpenRound:
    id: int
    commit_deadline: int
    reveal_deadline: int
    # In order of first commit, as the contract lists bidders; a re-commit replaces the bid.
    bids: dict[ChecksumAddress, SealedBid] = field(default_factory=dict)


@dataclass
class Model:
    """What the EMC must hold, restated in plain integers (see ``contracts/emc/*.sol``)."""

    terms: EmcTerms
    payouts: Payouts
    capital: Capital = field(default_factory=Capital)
    status: EmcStatus = ACTIVE
    periods: int = 0
    users: int = 0
    revenue: int = 0
    version_count: int = 0
    activations: int = 0
    active_id: int = 0
    active_from: int = 0  # the first period settled under the active version
    entries: list[ShareEntry] = field(default_factory=list)  # the active version, sorted
    value_added_paid: dict[ChecksumAddress, int] = field(default_factory=dict)
    claimed: int = 0
    withdrawn: int = 0
    stray: int = 0  # credit sent straight to the EMC
    departures: dict[ChecksumAddress, Departure] = field(default_factory=dict)
    suspended: set[ChecksumAddress] = field(default_factory=set)  # by the registry
    revoked: set[ChecksumAddress] = field(default_factory=set)  # lost their one role
    wallet_delta: dict[ChecksumAddress, int] = field(default_factory=dict)
    round_count: int = 0
    round: OpenRound | None = None

    def departed(self, account: ChecksumAddress) -> bool:
        notice = self.departures.get(account)
        return notice is not None and self.periods >= notice.effective_period

    def restricted(self, account: ChecksumAddress) -> bool:
        """Suspended or without its role: not in good standing (every wallet of the machine
        holds one role, the class it may be named in)."""
        return account in self.suspended or account in self.revoked

    def restricted_count(self) -> int:
        return len(self.suspended | self.revoked)

    def active_accounts(self) -> list[ChecksumAddress]:
        """The wallets the active version names, in its (canonical) order."""
        return list(dict.fromkeys(e.account for e in self.entries if e.account != ZERO_ADDRESS))

    def move(self, wallet: ChecksumAddress, amount: int) -> None:
        self.wallet_delta[wallet] = self.wallet_delta.get(wallet, 0) + amount

    @property
    def total_paid(self) -> int:
        return self.claimed + self.withdrawn

    def entered(self) -> int:
        """Everything that ever entered the EMC."""
        return self.payouts.cum_profit + self.capital.invested + self.stray

    def balance(self) -> int:
        c = self.capital
        return self.entered() - self.total_paid - c.covered - c.returned - c.pool_paid

    def sweepable(self) -> int:
        return sweepable(self.payouts, self.capital, self.total_paid, self.balance())


@dataclass(frozen=True)
class View:
    """Everything the invariants read, from one batched request at one block."""

    block: int
    status: EmcStatus
    totals: Totals
    capital: CapitalTotals
    active_id: int
    entries: list[ShareEntry]
    header: tuple[Any, ...]  # the active version's ``Version`` struct, as decoded
    pool: Pool
    sweepable: int
    positions: dict[ChecksumAddress, Position]
    holdings: dict[ChecksumAddress, CapitalView]
    departures: dict[ChecksumAddress, Departure]
    emc_balance: int
    balances: dict[ChecksumAddress, int]


def expect_revert(
    action: Callable[[], object],
    error: type[ContractRevertError],
    ignore: tuple[str, ...] = (),
    /,
    **args: Any,
) -> None:
    """``action`` is refused with exactly ``error`` and ``args`` (arguments in ``ignore``, such
    as a block timestamp the call was estimated at, are not compared)."""
    with pytest.raises(ContractRevertError) as info:
        action()
    assert type(info.value) is error, info.value
    got = {k: v for k, v in info.value.args_by_name.items() if k not in ignore}
    assert got == args, (error.__name__, got, args)


@dataclass(frozen=True)
class _Call:
    """One ``eth_call`` of a batch, with the types its result decodes to."""

    to: ChecksumAddress
    data: str
    types: list[str]


@dataclass(frozen=True)
class _Fn:
    """A view function's selector and types, looked up once: web3's ``encode_abi`` validates
    the whole ABI on every call, which would cost more than the reads themselves."""

    selector: bytes
    inputs: list[str]
    outputs: list[str]

    @classmethod
    def of(cls, contract: Contract, name: str) -> _Fn:
        element = next(
            item
            for item in contract.abi
            if item.get("type") == "function" and item.get("name") == name
        )
        selector = function_abi_to_4byte_selector(element)
        return cls(selector, get_abi_input_types(element), get_abi_output_types(element))

    def at(self, to: ChecksumAddress, *args: Any) -> _Call:
        data = "0x" + (self.selector + encode(self.inputs, list(args))).hex()
        return _Call(to, data, self.outputs)


def _batch_call(w3: Web3, calls: Sequence[_Call]) -> list[tuple[Any, ...]]:
    """Every call in one JSON-RPC batch: a step's reads cost one round trip, not forty."""
    provider: Any = w3.provider  # an HTTPProvider, which batches
    replies = provider.make_batch_request(
        [(RPCEndpoint("eth_call"), [{"to": c.to, "data": c.data}, "latest"]) for c in calls]
    )
    assert isinstance(replies, list)
    return [
        tuple(decode(c.types, HexBytes(reply["result"])))
        for c, reply in zip(calls, replies, strict=True)
    ]


def _amount(top: int, unit: int = 100_000) -> st.SearchStrategy[int]:
    """0 to (top + 1) * unit - 1 fen, as a coarse step plus a fine offset: over one wide range
    hypothesis favours small values, and periods and losses would all be tiny."""
    return st.builds(lambda k, r: k * unit + r, st.integers(0, top), st.integers(0, unit - 1))


def _part(data: st.DataObject, whole: int, label: str) -> int:
    """0 to 100 percent of ``whole``, floored."""
    return whole * data.draw(st.integers(0, 100), label=label) // 100


def _totals(raw: Sequence[Any]) -> Totals:
    periods, users, revenue, profit, paid, withdrawn, reached = raw
    return Totals(
        int(periods),
        int(users),
        int(revenue),
        int(profit),
        int(paid),
        int(withdrawn),
        bool(reached),
    )


def _split(total: int, parts: int, cuts: Sequence[int]) -> list[int]:
    """``parts`` positive integers summing to ``total``, cut at the distinct ``cuts``."""
    points = [0, *sorted(cuts), total]
    assert len(points) == parts + 1
    return [b - a for a, b in itertools.pairwise(points)]


def _by_address(accounts: Sequence[ChecksumAddress]) -> list[ChecksumAddress]:
    """Ascending by address: the order the contracts walk accounts and signers in."""
    return sorted(accounts, key=lambda a: int(a, 16))


class EmcLifecycle(RuleBasedStateMachine):
    """One EMC per example; ``cast`` is set by the test before hypothesis runs it."""

    cast: ClassVar[Cast]

    def __init__(self) -> None:
        super().__init__()
        cast = self.cast
        self.snapshot_id = snapshot(cast.w3)
        cast.refresh()
        self.owner = cast.mes[0]
        self.reporter = cast.mes[1]
        self.mes = cast.mes[:4]
        self.partners = [cast.partners["platform"], cast.partners["duck_farm"]]
        self.outsider = cast.mes[4]  # never named in a version
        self.members = [*self.mes, *self.partners]
        self.wallets = [*self.members, self.outsider]
        self.wallet_addresses = [w.address for w in self.wallets]
        self.roles = {w.address: Role.ME for w in [*self.mes, self.outsider]}
        self.roles |= {p.address: Role.PARTNER for p in self.partners}
        self.tracked = [*self.wallet_addresses, cast.treasury.address]
        self.accounts = [ZERO_ADDRESS, *(w.address for w in self.wallets)]
        # The owner's operating entry is always present: it takes what the others leave.
        self.slots: list[Slot] = [(self.owner.address, ShareClass.VALUE_ADDED)]
        self.slots += [
            (me.address, c)
            for me in self.mes[1:]
            for c in (ShareClass.OPERATING, ShareClass.VALUE_ADDED)
        ]
        self.slots += [(p.address, ShareClass.PARTNER) for p in self.partners]
        self.slots += [(ZERO_ADDRESS, ShareClass.DEV_FUND)]
        self.model = Model(EmcTerms(1, 1, 1, 1), Payouts(1))
        self.emc: EmcClient | None = None
        self.clients: dict[ChecksumAddress, EmcClient] = {}
        self.approved: set[ChecksumAddress] = set()
        self.start_balances: dict[ChecksumAddress, int] = {}
        self._view: View | None = None
        self.fns: dict[str, _Fn] = {}

    def teardown(self) -> None:
        try:
            # Liveness, at the end of every example that did not fail: the owner can still
            # agree a version with the parties that remain.
            if sys.exc_info()[0] is None and self.active:
                self.renegotiate_minimal("at teardown")
            if sys.exc_info()[0] is None and self.emc is not None:
                self.verify_from_events()
        finally:
            revert(self.cast.w3, self.snapshot_id)
            self.cast.refresh()

    def verify_from_events(self) -> None:
        """The example's EMC, recomputed from its events alone (rdh_chain.accounting),
        agrees with every view at the head."""
        assert self.emc is not None
        w3, block = self.cast.w3, self.cast.w3.eth.block_number
        address = self.emc.address
        events = chain_events(w3, self.cast.deployment, self.cast.artifacts, block, address)
        result = verify(w3, self.cast.artifacts, self.cast.deployment, events, block, emc=address)
        assert result.mismatches == ()

    # -- helpers -------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.emc is not None and self.model.status is ACTIVE

    @property
    def owner_emc(self) -> EmcClient:
        assert self.emc is not None
        return self.emc

    def client(self, account: LocalAccount | ChecksumAddress) -> EmcClient:
        address = account if isinstance(account, str) else account.address
        return self.clients[address]

    def wallet(self, account: ChecksumAddress) -> LocalAccount:
        return next(w for w in self.wallets if w.address == account)

    def approve(self, account: ChecksumAddress) -> None:
        if account not in self.approved:
            self.cast.as_(self.wallet(account)).token.approve(self.owner_emc.address, 2**256 - 1)
            self.approved.add(account)

    def in_good_standing(self, account: ChecksumAddress) -> bool:
        return account == ZERO_ADDRESS or not self.model.restricted(account)

    def protected(self) -> list[ChecksumAddress]:
        """Members of the active version a new version must keep: in good standing, and
        whose notice has not run out."""
        m = self.model
        return [a for a in m.active_accounts() if not m.departed(a) and self.in_good_standing(a)]

    def droppable(self) -> list[ChecksumAddress]:
        """Members of the active version a new version may leave out at once."""
        return [a for a in self.model.active_accounts() if a not in self.protected()]

    def nameable(self, account: ChecksumAddress) -> bool:
        return not self.model.departed(account) and self.in_good_standing(account)

    def departed_members(self) -> list[ChecksumAddress]:
        return [w.address for w in self.members if self.model.departed(w.address)]

    def draw_entries(self, data: st.DataObject) -> list[ShareEntry]:
        """A legal version: keeps every protected member, names nobody departed or
        restricted (so every restricted member of the active version is left out)."""
        slots = [s for s in self.slots if self.nameable(s[0])]
        # Each slot in or out by a coin (hypothesis's short lists would leave most versions
        # without value-added shares, partners or the fund).
        chosen: list[Slot] = [
            s for s in slots if not data.draw(st.booleans(), label=f"leave out {s[1].name}")
        ]
        for account in self.protected():
            if account != self.owner.address and all(s[0] != account for s in chosen):
                own = [s for s in slots if s[0] == account]
                chosen.append(data.draw(st.sampled_from(own), label="kept member"))
        terms = self.model.terms
        entries = [
            ShareEntry(
                a,
                c,
                data.draw(
                    st.integers(terms.partner_min_bps, terms.partner_max_bps), label="partner bps"
                ),
            )
            for a, c in chosen
            if c is ShareClass.PARTNER
        ]
        others = [s for s in chosen if s[1] is not ShareClass.PARTNER]
        remainder = BPS - sum(e.bps for e in entries)
        cuts = data.draw(
            st.lists(
                st.integers(1, remainder - 1),
                min_size=len(others),
                max_size=len(others),
                unique=True,
            ),
            label="cuts",
        )
        bps = _split(remainder, len(others) + 1, cuts)
        entries.append(ShareEntry(self.owner.address, ShareClass.OPERATING, bps[0]))
        entries += [ShareEntry(a, c, b) for (a, c), b in zip(others, bps[1:], strict=True)]
        return sorted(entries, key=lambda e: e.sort_key)

    def minimal_entries(self) -> list[ShareEntry]:
        """The smallest version the rules allow now: each protected member keeps one entry
        (its first class in the active version, at the least it may hold), the owner takes
        the rest; everyone else is left out."""
        m = self.model
        kept: dict[ChecksumAddress, ShareEntry] = {}
        for e in m.entries:
            if e.account in self.protected() and e.account != self.owner.address:
                bps = m.terms.partner_min_bps if e.share_class is ShareClass.PARTNER else 1
                kept.setdefault(e.account, ShareEntry(e.account, e.share_class, bps))
        rest = BPS - sum(e.bps for e in kept.values())
        entries = [*kept.values(), ShareEntry(self.owner.address, ShareClass.OPERATING, rest)]
        return sorted(entries, key=lambda e: e.sort_key)

    def registry(self) -> Any:
        return self.cast.as_(self.cast.admin).registry

    def restrict(self, account: ChecksumAddress, how: str) -> None:
        """The registry suspends ``account`` or revokes its one role."""
        m = self.model
        if how == "suspend":
            self.registry().suspend(account, REASON)
            m.suspended.add(account)
        else:
            self.registry().revoke_role(account, self.roles[account])
            m.revoked.add(account)

    def restore(self, account: ChecksumAddress, how: str) -> None:
        m = self.model
        if how == "suspend":
            self.registry().reinstate(account, REASON)
            m.suspended.remove(account)
        else:
            self.registry().add_member(account, self.roles[account])
            m.revoked.remove(account)

    def expected_outcome(
        self,
        bidder: ChecksumAddress,
        revealed: list[ChecksumAddress],
        invited: list[ChecksumAddress],
    ) -> BidOutcome:
        if bidder in invited:
            return BidOutcome.INVITED
        return BidOutcome.NOT_INVITED if bidder in revealed else BidOutcome.LAPSED

    # -- setup ---------------------------------------------------------------------------

    @initialize(
        # Drawn in coarse steps: hypothesis favours small integers over a wide range, which
        # would make nearly every EMC reach its target and dissolve at once.
        target_users=st.integers(1, 30).map(lambda k: k * 25),
        target_revenue=st.integers(1, 30).map(lambda k: k * 500_000),
        # Mostly large: the "to the threshold" loss dissolves the EMC at a time of its own.
        loss_threshold=st.integers(1, 40).map(lambda k: (41 - k) * 100_000),
        partner_min=st.integers(1, 1_500),
        partner_span=st.integers(0, 1_000),
        # One fen (the first value-added profit fills it) to more than most runs settle.
        sharing_space=st.one_of(
            st.integers(1, 1_000), st.integers(1, 40).map(lambda k: k * 100_000)
        ),
        max_notice=st.integers(1, 6),
        attest_all=st.integers(0, 3).map(lambda k: k == 3),
        data=st.data(),
    )
    def create_emc(
        self,
        target_users: int,
        target_revenue: int,
        loss_threshold: int,
        partner_min: int,
        partner_span: int,
        sharing_space: int,
        max_notice: int,
        attest_all: bool,
        data: st.DataObject,
    ) -> None:
        """A fresh EMC that refuses business until its first version, which is then agreed."""
        cast = self.cast
        terms = EmcTerms(
            target_users,
            target_revenue,
            sharing_space=sharing_space,
            loss_threshold=loss_threshold,
            partner_min_bps=partner_min,
            partner_max_bps=partner_min + partner_span,
            max_notice_periods=max_notice,
            attest_all_reports=attest_all,
        )
        address, _ = cast.as_(cast.admin).factory.create_emc_with_terms(
            self.owner.address, terms, TERMS_REASON
        )
        self.emc = cast.as_(self.owner).emc(address)
        for wallet in self.wallets:
            sender = cast.as_(wallet).sender
            assert sender is not None
            self.clients[wallet.address] = self.emc.with_sender(sender)
        self.emc.set_reporter(self.reporter.address)
        self.model = Model(terms, Payouts(sharing_space))
        emc, token = self.emc.contract, cast.ledger.token.contract
        self.fns = {name: _Fn.of(emc, name) for name in EMC_VIEWS}
        self.fns["balanceOf"] = _Fn.of(token, "balanceOf")
        self.start_balances = {a: cast.balance(a) for a in self.tracked}
        if attest_all:
            event("every report attested")
        owner = self.owner.address
        expect_revert(
            lambda: self.owner_emc.settle(PeriodReport(1, 1, 1, 0, 1)), errors.EmcNoActiveVersion
        )
        expect_revert(lambda: self.owner_emc.invest(1), errors.EmcNotAMember, account=owner)
        member = self.mes[1].address
        expect_revert(
            lambda: self.owner_emc.terminate(member, 1, REASON),
            errors.EmcNotAMember,
            account=member,
        )
        expect_revert(self.owner_emc.sweep, errors.EmcNothingToSweep)
        self.agree(self.draw_entries(data))

    # -- versions ------------------------------------------------------------------------

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def agree_new_version(self, data: st.DataObject) -> None:
        """Propose a legal split; every party signs it and it takes effect, or nobody does
        (an abandoned proposal changes no share). One time in four it is the smallest version
        the rules allow (liveness: whatever the registry and the notices did, the owner can
        propose a version the parties left sign and activate)."""
        m = self.model
        kind = data.draw(
            st.sampled_from(["signed", "signed", "minimal", "abandoned"]), label="kind"
        )
        if kind == "minimal":
            self.renegotiate_minimal("by rule")
            return
        entries = self.draw_entries(data)
        if kind == "abandoned":
            version_id, _ = self.owner_emc.propose_version(entries)
            m.version_count += 1
            assert version_id == m.version_count
            return
        self.agree(entries)

    def renegotiate_minimal(self, when: str) -> None:
        dropped = self.droppable()
        self.agree(self.minimal_entries())
        if dropped:
            event(f"liveness {when}: restricted or departed members left out")

    def agree(self, entries: list[ShareEntry]) -> None:
        """Every party signs ``entries``, which take effect from the next period."""
        m = self.model
        dropped = [a for a in self.droppable() if all(e.account != a for e in entries)]
        version_id, result = self.cast.as_(self.owner).agree(
            self.owner_emc, entries, self.cast.wallets
        )
        m.version_count += 1
        assert version_id == m.version_count
        self.activated(version_id, entries, result)
        if any(m.restricted(a) for a in dropped):
            event("restricted member left out at once")

    def activated(self, version_id: int, entries: list[ShareEntry], result: TxResult) -> None:
        m = self.model
        activated = self.owner_emc.event(result, VersionActivated)
        parties = _by_address(
            [a for a in dict.fromkeys(e.account for e in entries) if a != ZERO_ADDRESS]
        )
        assert (
            activated.version_id,
            activated.epoch,
            activated.from_period,
            activated.previous_id,
            activated.party_count,
            activated.value_added_bps,
        ) == (
            version_id,
            m.activations,
            m.periods + 1,
            m.active_id,
            len(parties),
            sum(e.bps for e in entries if e.share_class is ShareClass.VALUE_ADDED),
        )
        # The event names no signer: they are the parties the chain derives from the proposal.
        assert self.owner_emc.signers(version_id) == parties
        m.activations += 1
        m.active_id = version_id
        m.active_from = m.periods + 1
        m.entries = entries

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def recheck_standing_at_activation(self, data: st.DataObject) -> None:
        """Every party signs a proposal; then the registry suspends someone or revokes its
        role (sometimes undoing it) before the signatures are submitted. Activation checks
        every signer again once anybody lost standing: a party restricted now is refused
        (``EmcPartyNotActive``, the first in address order); otherwise it activates."""
        m = self.model
        emc = self.owner_emc
        entries = self.draw_entries(data)
        version_id, _ = emc.propose_version(entries)
        m.version_count += 1
        assert version_id == m.version_count
        signatures: list[PartySignature] = self.cast.sign(emc, version_id)
        parties = _by_address(
            [a for a in dict.fromkeys(e.account for e in entries) if a != ZERO_ADDRESS]
        )
        if m.restricted_count() < MAX_RESTRICTED:
            candidates = [a for a in self.wallet_addresses[1:] if not m.restricted(a)]
            account = data.draw(st.sampled_from(candidates), label="restricted")
            how = data.draw(st.sampled_from(["suspend", "revoke"]), label="how")
            self.restrict(account, how)
            if data.draw(st.booleans(), label="undone"):
                self.restore(account, how)
                event("activation after a restriction undone")
        failing = [a for a in parties if m.restricted(a)]
        if failing:
            expect_revert(
                lambda: emc.activate_version(version_id, signatures),
                errors.EmcPartyNotActive,
                versionId=version_id,
                signer=failing[0],
            )
            event("activation refused: a party lost standing")
            return
        self.activated(version_id, entries, emc.activate_version(version_id, signatures))

    def illegal_versions(self) -> dict[str, list[ChecksumAddress]]:
        """Whom a proposal may not leave out (protected) or name (departed, restricted)."""
        m = self.model
        candidates = {
            "leave out": [a for a in self.protected() if a != self.owner.address],
            "name departed": self.departed_members(),
            "name restricted": [
                w.address
                for w in self.members
                if m.restricted(w.address) and not m.departed(w.address)
            ],
        }
        return {kind: accounts for kind, accounts in candidates.items() if accounts}

    @precondition(lambda self: self.active and bool(self.illegal_versions()))
    @rule(data=st.data())
    def refuse_illegal_version(self, data: st.DataObject) -> None:
        """A member in good standing whose notice has not run out cannot be dropped without
        its signature; one whose notice ran out cannot be named again, in any class; a
        suspended or role-less one cannot be named until its standing is restored."""
        m = self.model
        owner = self.owner.address
        entries = self.draw_entries(data)
        illegal = self.illegal_versions()
        kind = data.draw(st.sampled_from(sorted(illegal)), label="kind")
        account = data.draw(st.sampled_from(illegal[kind]), label="account")
        if kind == "leave out":
            freed = sum(e.bps for e in entries if e.account == account)
            entries = [
                replace(e, bps=e.bps + freed)
                if (e.account, e.share_class) == (owner, ShareClass.OPERATING)
                else e
                for e in entries
                if e.account != account
            ]
            notice = m.departures.get(account)
            expect_revert(
                lambda: self.owner_emc.propose_version(entries),
                errors.EmcMemberLeftOut,
                account=account,
                effectivePeriod=notice.effective_period if notice else 0,
            )
            return
        share_class = data.draw(
            st.sampled_from([c for a, c in self.slots if a == account]), label="class"
        )
        # In bounds for a partner, so that only the member's standing can be refused.
        entries.append(ShareEntry(account, share_class, m.terms.partner_min_bps))
        if kind == "name departed":
            expect_revert(
                lambda: self.owner_emc.propose_version(entries),
                errors.EmcMemberDeparted,
                account=account,
                effectivePeriod=m.departures[account].effective_period,
            )
        else:
            expect_revert(
                lambda: self.owner_emc.propose_version(entries),
                errors.EmcIneligibleMember,
                **{"account": account, "class": share_class},
            )

    # -- periods -------------------------------------------------------------------------

    # Hypothesis orders rules by their number of arguments, then by name, and favours the
    # first enabled one; the clock is named to come first among the rules that draw data, so
    # that periods, which drive every money rule, are not diluted by the many other rules.
    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def advance_periods(self, data: st.DataObject) -> None:
        """Settle one to four periods (the lifecycle's clock), until the EMC dissolves; or
        exactly up to a notice's effective period, the boundary of the departure rules."""
        m = self.model
        pending = [
            d.effective_period for d in m.departures.values() if d.effective_period > m.periods
        ]
        count = data.draw(st.integers(1, 4), label="periods")
        to_notice_end: bool = bool(pending) and data.draw(st.booleans(), label="to a notice's end")
        if to_notice_end:
            count = min(pending) - m.periods
        for _ in range(count):
            if not self.active:
                break
            self.settle_period(data)

    def attestation_needed(self, loss: int) -> bool:
        m = self.model
        return m.terms.attest_all_reports or (loss != 0 and m.capital.capital != 0)

    def attest(self, report: PeriodReport, data: st.DataObject) -> ReportAttestation:
        """The cast's auditor attests ``report`` as the next period; sometimes a bad
        attestation (by a non-auditor, for another period, expired) is refused first."""
        emc, w3 = self.owner_emc, self.cast.w3
        auditor = self.cast.as_(self.cast.auditor)
        deadline = latest_timestamp(w3) + ATTESTATION_WINDOW
        kind = data.draw(
            st.sampled_from(["good", "good", "not an auditor", "wrong period", "expired"]),
            label="attestation",
        )
        caller = self.client(self.owner)
        if kind == "not an auditor":
            typed = emc.report_typed_data(report, deadline=deadline)
            forged = sign_report(self.outsider, typed)
            expect_revert(
                lambda: caller.settle(report, forged),
                errors.EmcNotAuditor,
                account=self.outsider.address,
            )
        elif kind == "wrong period":
            stale = auditor.attest(emc, report, deadline, period=self.model.periods + 2)
            digest = emc.contract.functions.reportDigest(
                report.as_abi(), self.model.periods + 1, deadline
            ).call()
            expect_revert(
                lambda: caller.settle(report, stale),
                errors.EmcInvalidAttestation,
                auditor=self.cast.auditor.address,
                digest="0x" + bytes(digest).hex(),
            )
        elif kind == "expired":
            past = latest_timestamp(w3) - 1
            expired = auditor.attest(emc, report, past)
            expect_revert(
                lambda: caller.settle(report, expired),
                errors.EmcDeadlinePassed,
                ("nowTime",),
                deadline=past,
            )
        return auditor.attest(emc, report, deadline)

    def settle_period(self, data: st.DataObject) -> None:
        """Settle a profit or a loss period (after an invalid report, sometimes), as the owner
        or its reporter, attested where the terms or the capital need it. A loss may take part
        of the capital, all of it, all but one fen, or more than all of it."""
        m = self.model
        capital = m.capital.capital
        # At least 1,000 RMB: hypothesis favours zero, and most periods would be empty.
        revenue = 100_000 + data.draw(_amount(19), label="revenue")
        users = 100 - data.draw(st.integers(0, 100), label="users short of 100")
        loss = 0
        if data.draw(st.integers(0, 2), label="loss (2)") == 2:
            base = data.draw(_amount(5), label="loss") + 1
            kinds = [
                "drawn",
                "part of capital",
                "whole capital",
                "all but one fen",
                "beyond",
                "to the threshold",
            ]
            kind = data.draw(st.sampled_from(kinds), label="kind")
            if kind == "to the threshold" and m.periods >= 3:
                # Not before the fourth period, or many EMCs would dissolve empty.
                loss = max(m.terms.loss_threshold - m.capital.losses, 1)
            elif kind == "part of capital" and capital > 1:
                loss = max(_part(data, capital, "loss %"), 1)
            elif kind == "whole capital" and capital:
                loss = capital
            elif kind == "all but one fen" and capital > 1:
                loss = capital - 1
            else:
                loss = base + (capital if kind == "beyond" else 0)
            report = PeriodReport(users, users, revenue, revenue + loss, 0, keccak(text="loss"))
            bad = replace(report, profit=data.draw(st.integers(1, 10**6), label="bad profit"))
            refusal: tuple[type[ContractRevertError], dict[str, int]] = (
                errors.EmcProfitWithLoss,
                {"profit": bad.profit, "loss": loss},
            )
        else:
            cost = _part(data, revenue, "cost %")
            # Drawn down from the whole margin: hypothesis favours small draws, and most
            # periods would deposit nothing.
            profit = revenue - cost - _part(data, revenue - cost, "profit % kept back")
            report = PeriodReport(users, users, revenue, cost, profit, keccak(text="profit"))
            bad = replace(report, profit=revenue - cost + 1)
            refusal = (
                errors.EmcProfitAboveMargin,
                {"profit": bad.profit, "margin": revenue - cost},
            )
        caller = data.draw(
            st.sampled_from([self.owner.address, self.reporter.address]), label="caller"
        )
        if m.restricted(caller):
            refused = self.client(caller)
            expect_revert(lambda: refused.settle(report), errors.EmcCallerNotActive, caller=caller)
            caller = self.owner.address
        client = self.client(caller)
        if data.draw(st.booleans(), label="invalid report first"):
            # The report's own figures are checked before whether it needs an attestation.
            expect_revert(lambda: client.settle(bad), refusal[0], **refusal[1])
        needed = self.attestation_needed(loss)
        attestation = None
        if needed and data.draw(st.booleans(), label="unattested first"):
            expect_revert(
                lambda: client.settle(report),
                errors.EmcAttestationRequired,
                loss=loss,
                capital=capital,
            )
        if needed or data.draw(st.integers(0, 5), label="attested anyway (5)") == 5:
            attestation = self.attest(report, data)
        self.approve(caller)
        period, result = client.settle(report, attestation)
        m.periods += 1
        assert period == m.periods
        settled = self.owner_emc.event(result, PeriodSettled)
        auditor = self.cast.auditor.address if attestation else ZERO_ADDRESS
        assert (settled.reporter, settled.auditor) == (caller, auditor)
        m.users += users
        m.revenue += revenue
        reached = self.owner_emc.events(result, TargetReached)
        if (
            not m.payouts.target_reached
            and m.users >= m.terms.target_users
            and m.revenue >= m.terms.target_revenue
        ):
            m.payouts.target_reached = True
            assert len(reached) == 1
            event("target reached")
        else:
            assert reached == []
        if loss:
            self._absorb(caller, loss, result)
            return
        self._accrue(caller, report.profit, result)

    def _accrue(self, caller: ChecksumAddress, profit: int, result: TxResult) -> None:
        """The profit enters; the pool accrues up to the sharing space, and beyond the fill
        point the versions' value-added bps earn for the development fund."""
        m, emc = self.model, self.owner_emc
        m.move(caller, -profit)
        accrual = m.payouts.settle_profit(m.entries, profit)
        filled = emc.events(result, ValueAddedPoolFilled)
        if accrual.filled:
            assert [(e.full_at_profit, e.accrued) for e in filled] == [
                (m.payouts.full_at, m.payouts.accrued)
            ]
            event("pool filled the sharing space")
        else:
            assert filled == []
        if accrual.excess:
            event("value-added bps earned for the fund beyond the fill point")

    def _absorb(self, caller: ChecksumAddress, loss: int, result: TxResult) -> None:
        """The capital pays the loss to the caller as far as it goes; at the threshold the
        EMC dissolves, releasing the value-added pool if the target was not reached."""
        m, emc = self.model, self.owner_emc
        absorbed = m.capital.absorb(loss)
        m.move(caller, absorbed.covered)
        if absorbed.new_era:
            event("capital wiped out")
        args = emc.event(result, LossAbsorbed)
        assert (
            args.period,
            args.loss,
            args.covered,
            args.cumulative_losses,
            args.capital_left,
            args.new_era,
        ) == (
            m.periods,
            loss,
            absorbed.covered,
            m.capital.losses,
            absorbed.capital_left,
            absorbed.new_era,
        )
        dissolved = emc.events(result, EmcDissolved)
        if m.capital.losses < m.terms.loss_threshold:
            assert dissolved == []
            return
        m.status = DISSOLVED
        split = m.capital.dissolve(m.payouts)
        if split.released:
            event(f"pool released: {'to investors' if split.to_investors else 'to the fund'}")
        event(f"dissolved {'after' if m.payouts.target_reached else 'short of'} the target")
        assert len(dissolved) == 1
        ended = dissolved[0]
        assert (
            ended.period,
            ended.losses,
            ended.threshold,
            ended.capital,
            ended.pool_released,
            ended.pool_to_investors,
            ended.pool_to_dev_fund,
            ended.losses_covered,
        ) == (
            m.periods,
            m.capital.losses,
            m.terms.loss_threshold,
            m.capital.capital,
            split.released,
            split.to_investors,
            split.to_fund,
            m.capital.covered,
        )

    @precondition(
        lambda self: (
            self.active and (self.model.capital.capital > 0 or self.model.terms.attest_all_reports)
        )
    )
    @rule(data=st.data())
    def refuse_unattested_loss(self, data: st.DataObject) -> None:
        """A loss drawn on invested capital (or any report under terms that ask for it) is
        not taken on the reporter's word alone."""
        m = self.model
        loss = data.draw(st.integers(1, 10**6), label="loss")
        revenue = data.draw(st.integers(0, 10**6), label="revenue")
        report = PeriodReport(1, 1, revenue, revenue + loss, 0)
        expect_revert(
            lambda: self.owner_emc.settle(report),
            errors.EmcAttestationRequired,
            loss=loss,
            capital=m.capital.capital,
        )

    # -- capital -------------------------------------------------------------------------

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def invest(self, data: st.DataObject) -> None:
        """One to three investments (several investors make the capital's splits and the
        released pool's shares interesting): only active parties to the version in force,
        not departed, invest."""
        for _ in range(3 - data.draw(st.integers(0, 2), label="investments short of 3")):
            self.invest_once(data)

    def invest_once(self, data: st.DataObject) -> None:
        m = self.model
        investor = data.draw(st.sampled_from(self.wallet_addresses), label="investor")
        zero = data.draw(st.integers(0, 9), label="zero amount (9)") == 9
        amount = 0 if zero else 1 + data.draw(_amount(10), label="amount")
        client = self.client(investor)
        if m.restricted(investor):
            expect_revert(lambda: client.invest(amount), errors.EmcCallerNotActive, caller=investor)
            return
        if investor not in m.active_accounts():
            expect_revert(lambda: client.invest(amount), errors.EmcNotAMember, account=investor)
            return
        if m.departed(investor):
            expect_revert(
                lambda: client.invest(amount),
                errors.EmcMemberDeparted,
                account=investor,
                effectivePeriod=m.departures[investor].effective_period,
            )
            return
        if amount == 0:
            expect_revert(lambda: client.invest(amount), errors.EmcZeroAmount)
            return
        try:
            units = m.capital.invest(investor, amount)
        except UnitsOverflowError as overflow:
            # Units inflate when a loss leaves a sliver of capital (see the module docstring).
            event("investment refused: units overflow")
            expect_revert(
                lambda: client.invest(amount),
                errors.SafeCastOverflowedUintDowncast,
                bits=128,
                value=overflow.value,
            )
            return
        # Losses only lower what a unit is worth: a unit never costs more than one fen.
        assert units >= amount
        self.approve(investor)
        minted, _ = client.invest(amount)
        assert minted == units
        m.move(investor, -amount)

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def claim_capital(self, data: st.DataObject) -> None:
        """Each investor claims once after dissolution: its units' part of the capital and
        its share of the released pool, pro rata to the losses it bore."""
        m = self.model
        account = data.draw(st.sampled_from(self.wallet_addresses), label="account")
        client = self.client(account)
        if m.status is ACTIVE:
            expect_revert(
                client.claim_capital, errors.EmcWrongStatus, actual=ACTIVE, expected=DISSOLVED
            )
            return
        if not m.capital.claimable(account):
            expect_revert(client.claim_capital, errors.EmcNothingToClaim, account=account)
            return
        last = m.capital.claims + 1 == m.capital.investors
        expected = m.capital.claim(account)
        amount, result = client.claim_capital()
        args = self.owner_emc.event(result, CapitalReturned)
        assert (args.account, args.amount, args.units, args.pool_share) == (
            account,
            expected.returned,
            expected.units,
            expected.pool_share,
        )
        assert amount == expected.returned + expected.pool_share
        if expected.pool_share:
            event("pool share paid" + (" (last investor: the remainder)" if last else ""))
        m.move(account, amount)

    # -- registry ------------------------------------------------------------------------

    def restrictable(self) -> list[ChecksumAddress]:
        """Wallets the registry may restrict now (never the owner; at most two at a time)."""
        m = self.model
        return [
            a
            for a in self.wallet_addresses[1:]
            if m.restricted(a) or m.restricted_count() < MAX_RESTRICTED
        ]

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def restrict_or_restore(self, data: st.DataObject) -> None:
        """The registry suspends a member or an operator revokes its one role (or undoes
        either). A restricted member cannot be named, invest, bid or report, and may be left
        out at once, but can claim; a suspended one cannot resign either, one without its
        role can."""
        m = self.model
        account = data.draw(st.sampled_from(self.restrictable()), label="member")
        how = data.draw(st.sampled_from(["suspend", "revoke"]), label="how")
        if account in (m.suspended if how == "suspend" else m.revoked):
            self.restore(account, how)
        else:
            self.restrict(account, how)
            event("member suspended" if how == "suspend" else "member's role revoked")

    # -- departures ----------------------------------------------------------------------

    def notice_candidates(self) -> list[ChecksumAddress]:
        m = self.model
        return [a for a in m.active_accounts() if a != self.owner.address and a not in m.departures]

    def shortenable(self) -> list[ChecksumAddress]:
        """Members of the active version whose running notice can still end earlier."""
        m = self.model
        return [
            a
            for a in m.active_accounts()
            if a in m.departures and m.departures[a].effective_period > m.periods + 1
        ]

    def record_notice(
        self,
        account: ChecksumAddress,
        periods: int,
        by_owner: bool,
        reason: bytes,
        result: TxResult,
    ) -> None:
        m = self.model
        noticed = self.owner_emc.event(result, DepartureNoticed)
        assert (noticed.account, noticed.effective_period) == (account, m.periods + periods)
        timestamp = int(self.cast.w3.eth.get_block(result.block_number)["timestamp"])
        m.departures[account] = Departure(m.periods + periods, timestamp, by_owner, reason)

    @precondition(lambda self: self.active and bool(self.notice_candidates()))
    @rule(data=st.data())
    def give_notice(self, data: st.DataObject) -> None:
        """The owner terminates a member, or the member resigns, with a notice of 1 to
        max_notice_periods periods; a suspended member cannot resign."""
        m = self.model
        account = data.draw(st.sampled_from(self.notice_candidates()), label="account")
        periods = data.draw(st.integers(1, m.terms.max_notice_periods), label="notice periods")
        by_owner = data.draw(st.booleans(), label="terminated")
        if by_owner:
            result = self.owner_emc.terminate(account, periods, REASON)
        elif account in m.suspended:
            expect_revert(
                lambda: self.client(account).resign(periods, REASON),
                errors.EmcCallerNotActive,
                caller=account,
            )
            event("suspended member cannot resign")
            return
        else:
            result = self.client(account).resign(periods, REASON)
        self.record_notice(account, periods, by_owner, REASON, result)

    @precondition(lambda self: self.active and bool(self.shortenable()))
    @rule(data=st.data())
    def shorten_notice(self, data: st.DataObject) -> None:
        """The owner may shorten a running notice (the earlier end wins), never lengthen it;
        the member cannot give a second notice."""
        m, emc = self.model, self.owner_emc
        account = data.draw(st.sampled_from(self.shortenable()), label="account")
        current = m.departures[account].effective_period
        kind = data.draw(st.sampled_from(["shorter", "not shorter", "resign"]), label="kind")
        if kind == "resign" and account in m.suspended:
            kind = "not shorter"
        if kind == "shorter":
            periods = data.draw(st.integers(1, current - m.periods - 1), label="notice periods")
            self.record_notice(
                account, periods, True, SHORTER, emc.terminate(account, periods, SHORTER)
            )
            event("notice shortened")
            return
        refused: Callable[[], object]
        if kind == "resign":
            periods = data.draw(st.integers(1, current - m.periods - 1), label="notice periods")
            refused = partial(self.client(account).resign, periods, SHORTER)
        else:
            # A running notice ends within the bound, so an end no earlier is within it too.
            periods = data.draw(
                st.integers(current - m.periods, m.terms.max_notice_periods),
                label="notice periods",
            )
            refused = partial(emc.terminate, account, periods, SHORTER)
        expect_revert(refused, errors.EmcAlreadyDeparting, account=account, effectivePeriod=current)

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def refuse_bad_notice(self, data: st.DataObject) -> None:
        m = self.model
        emc = self.owner_emc
        top = m.terms.max_notice_periods
        kind = data.draw(
            st.sampled_from(
                ["owner", "too short", "too long", "zero address", "not a member", "departing"]
            ),
            label="kind",
        )
        departing = [a for a in m.active_accounts() if a in m.departures]
        strangers = [w.address for w in self.wallets[1:] if w.address not in m.active_accounts()]
        strangers = [a for a in strangers if a not in m.suspended]
        if kind == "departing" and departing:
            account = data.draw(st.sampled_from(departing), label="account")
            expect_revert(
                lambda: emc.terminate(account, top, REASON),
                errors.EmcAlreadyDeparting,
                account=account,
                effectivePeriod=m.departures[account].effective_period,
            )
        elif kind == "not a member" and strangers:
            account = data.draw(st.sampled_from(strangers), label="account")
            expect_revert(
                lambda: self.client(account).resign(1, REASON),
                errors.EmcNotAMember,
                account=account,
            )
        elif kind in ("too short", "too long"):
            account = data.draw(st.sampled_from(self.wallet_addresses[1:]), label="account")
            periods = 0 if kind == "too short" else top + 1
            expect_revert(
                lambda: emc.terminate(account, periods, REASON),
                errors.EmcNoticeOutOfBounds,
                noticePeriods=periods,
                min=1,
                max=top,
            )
        elif kind == "zero address":
            expect_revert(lambda: emc.terminate(ZERO_ADDRESS, 1, REASON), errors.EmcZeroAddress)
        else:
            owner = self.owner.address
            expect_revert(lambda: emc.resign(1, REASON), errors.EmcOwnerCannotDepart, account=owner)

    # -- payouts -------------------------------------------------------------------------

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def claim(self, data: st.DataObject) -> None:
        m = self.model
        account = data.draw(st.sampled_from(self.wallet_addresses), label="claimant")
        client = self.client(account)
        expected = m.payouts.position(account).claimable
        if expected == 0:
            expect_revert(client.claim, errors.EmcNothingToClaim, account=account)
            return
        value_added = 0
        if m.payouts.target_reached:
            credit = m.payouts.credits[account]
            value_added = credit.value_added // BPS - m.value_added_paid.get(account, 0)
        amount, result = client.claim()
        args = self.owner_emc.event(result, Claimed)
        paid = m.payouts.paid.get(account, 0) + expected
        assert (amount, args.value_added, args.total_paid) == (expected, value_added, paid)
        m.payouts.paid[account] = paid
        m.value_added_paid[account] = m.value_added_paid.get(account, 0) + value_added
        m.claimed += amount
        m.move(account, amount)

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def withdraw_dev_fund(self, data: st.DataObject) -> None:
        """The owner withdraws from the fund to a registered member that is not an rdh-chain
        contract; everything else is refused."""
        m = self.model
        emc = self.owner_emc
        available = m.payouts.position(ZERO_ADDRESS).claimable
        treasury = self.cast.treasury.address
        kind = data.draw(
            st.sampled_from(
                [
                    "withdraw",
                    "withdraw",
                    "overdraw",
                    "not the owner",
                    "zero address",
                    "zero amount",
                    "this EMC",
                    "another EMC",
                    "the factory",
                    "unregistered",
                ]
            ),
            label="kind",
        )
        if kind == "withdraw" and available == 0:
            kind = "overdraw"
        if kind == "withdraw":
            amount = data.draw(st.integers(1, available), label="amount")
            to = data.draw(st.sampled_from([treasury, self.outsider.address]), label="to")
            emc.withdraw_dev_fund(to, amount, PURPOSE)
            m.payouts.paid[ZERO_ADDRESS] = m.payouts.paid.get(ZERO_ADDRESS, 0) + amount
            m.withdrawn += amount
            m.move(to, amount)
        elif kind == "overdraw":
            expect_revert(
                lambda: emc.withdraw_dev_fund(treasury, available + 1, PURPOSE),
                errors.EmcDevFundInsufficient,
                requested=available + 1,
                available=available,
            )
        elif kind == "not the owner":
            caller = self.mes[1].address
            expect_revert(
                lambda: self.client(caller).withdraw_dev_fund(treasury, 1, PURPOSE),
                errors.EmcNotOwner,
                caller=caller,
                owner=self.owner.address,
            )
        elif kind == "zero address":
            expect_revert(
                lambda: emc.withdraw_dev_fund(ZERO_ADDRESS, 1, PURPOSE), errors.EmcZeroAddress
            )
        elif kind == "zero amount":
            expect_revert(lambda: emc.withdraw_dev_fund(treasury, 0, PURPOSE), errors.EmcZeroAmount)
        else:
            to = {
                "this EMC": emc.address,
                "another EMC": self.cast.base_emc,
                "the factory": self.cast.deployment.factory,
                "unregistered": new_account().address,
            }[kind]
            expect_revert(
                lambda: emc.withdraw_dev_fund(to, 1, PURPOSE), errors.EmcRecipientNotAllowed, to=to
            )

    # -- stray credit and sweeps ---------------------------------------------------------

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def send_stray_credit(self, data: st.DataObject) -> None:
        """Credit reaches the EMC outside the rules: the treasury mints to it, or a member
        sends it by mistake. Nobody is owed it."""
        m = self.model
        amount = data.draw(st.integers(1, 10**6), label="amount")
        senders = [None, *(a for a in self.wallet_addresses if not m.restricted(a))]
        sender = data.draw(st.sampled_from(senders), label="sender (None: a treasury mint)")
        if sender is None:
            self.cast.mint(self.owner_emc.address, amount)
        else:
            self.cast.as_(self.wallet(sender)).token.transfer(self.owner_emc.address, amount)
            m.move(sender, -amount)
        m.stray += amount

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def sweep(self, data: st.DataObject) -> None:
        """The owner or an active treasurer moves what the EMC holds above its debts into the
        development fund, even after dissolution; another ME may not."""
        m = self.model
        kind = data.draw(st.sampled_from(["owner", "treasurer", "another ME"]), label="sweeper")
        if kind == "another ME":
            caller = self.mes[2].address
            expect_revert(
                self.client(caller).sweep,
                errors.EmcNotSweeper,
                caller=caller,
                owner=self.owner.address,
            )
            return
        if kind == "owner":
            client, by = self.owner_emc, self.owner.address
        else:
            treasury = self.cast.treasury
            client, by = self.cast.as_(treasury).emc(self.owner_emc.address), treasury.address
        expected = m.sweepable()
        if expected == 0:
            expect_revert(client.sweep, errors.EmcNothingToSweep)
            return
        amount, result = client.sweep()
        assert amount == expected
        m.payouts.swept += amount
        args = self.owner_emc.event(result, Swept)
        available = m.payouts.position(ZERO_ADDRESS).claimable
        assert (args.by, args.amount, args.dev_fund_available) == (by, amount, available)
        event(f"swept {'after' if m.status is DISSOLVED else 'before'} dissolution")

    # -- bidding -------------------------------------------------------------------------

    @precondition(lambda self: self.active and self.model.round is None)
    @rule()
    def open_bid_round(self) -> None:
        m = self.model
        commit = latest_timestamp(self.cast.w3) + 3_600
        round_id, _ = self.owner_emc.open_bid_round(commit, commit + 3_600, PROPOSAL)
        m.round_count += 1
        assert round_id == m.round_count
        m.round = OpenRound(round_id, commit, commit + 3_600)

    @precondition(lambda self: self.active and self.model.round is not None)
    @rule(data=st.data())
    def commit_bid(self, data: st.DataObject) -> None:
        r = self.model.round
        assert r is not None
        bidder = data.draw(st.sampled_from(self.wallet_addresses), label="bidder")
        bid = SealedBid(
            data.draw(st.integers(0, 1_000), label="users"),
            data.draw(st.integers(0, 10**9), label="revenue"),
            data.draw(st.integers(0, BPS), label="ask"),
            data.draw(st.binary(min_size=32, max_size=32), label="salt"),
        )
        if self.model.restricted(bidder):
            refused = self.client(bidder)
            expect_revert(
                lambda: refused.commit_bid(r.id, PROPOSAL), errors.EmcCallerNotActive, caller=bidder
            )
            return
        emc = self.owner_emc.address
        commitment = bid_commitment(
            emc, r.id, bidder, bid.users, bid.revenue, bid.ask_bps, PROPOSAL, bid.salt
        )
        self.client(bidder).commit_bid(r.id, commitment)
        r.bids[bidder] = bid

    @precondition(lambda self: self.active and self.model.round is not None)
    @rule(data=st.data())
    def close_bid_round(self, data: st.DataObject) -> None:
        """Reveal some bids once commits close, then invite some of those revealed."""
        r = self.model.round
        assert r is not None
        emc = self.owner_emc
        w3 = self.cast.w3
        bidders = list(r.bids)
        assert emc.bidders(r.id) == bidders
        # A bidder restricted since it committed cannot reveal: its bid lapses.
        able = [b for b in bidders if not self.model.restricted(b)]
        revealed = (
            data.draw(st.lists(st.sampled_from(able), unique=True), label="reveal") if able else []
        )
        if revealed:
            b = r.bids[revealed[0]]
            expect_revert(
                lambda: self.client(revealed[0]).reveal_bid(
                    r.id, b.users, b.revenue, b.ask_bps, PROPOSAL, b.salt
                ),
                errors.EmcRevealNotOpen,
                ("nowTime",),
                roundId=r.id,
                commitDeadline=r.commit_deadline,
            )
        increase_time(w3, r.commit_deadline - latest_timestamp(w3) + 1)
        for bidder in bidders:
            if self.model.restricted(bidder):
                b = r.bids[bidder]
                reveal = partial(
                    self.client(bidder).reveal_bid,
                    *(r.id, b.users, b.revenue, b.ask_bps, PROPOSAL, b.salt),
                )
                expect_revert(reveal, errors.EmcCallerNotActive, caller=bidder)
        for bidder in revealed:
            b = r.bids[bidder]
            self.client(bidder).reveal_bid(r.id, b.users, b.revenue, b.ask_bps, PROPOSAL, b.salt)
        increase_time(w3, r.reveal_deadline - latest_timestamp(w3) + 1)
        invited = (
            data.draw(st.lists(st.sampled_from(revealed), unique=True), label="invite")
            if revealed
            else []
        )
        emc.invite_bids(r.id, invited)
        for bidder in bidders:
            bid = emc.bid(r.id, bidder)
            assert bid.outcome is self.expected_outcome(bidder, revealed, invited), bidder
            if bidder in revealed:
                b = r.bids[bidder]
                assert (bid.undertaken_users, bid.undertaken_revenue, bid.ask_bps) == (
                    b.users,
                    b.revenue,
                    b.ask_bps,
                )
        header = emc.round(r.id)
        assert (header.bidder_count, header.revealed_count, header.invited_count) == (
            len(bidders),
            len(revealed),
            len(invited),
        )
        self.model.round = None

    # -- dissolution ---------------------------------------------------------------------

    @precondition(lambda self: self.emc is not None and self.model.status is DISSOLVED)
    @rule(data=st.data())
    def dissolved_refuses_new_business(self, data: st.DataObject) -> None:
        """A dissolved EMC accepts nothing new; only claims, capital returns, fund
        withdrawals and sweeps outlive dissolution."""
        m = self.model
        emc = self.owner_emc
        # A member in good standing, so that only the status can refuse it.
        standing = [a for a in self.wallet_addresses[1:] if not m.restricted(a)]
        member = self.client(standing[0] if standing else self.owner.address)
        now = latest_timestamp(self.cast.w3)
        profit = PeriodReport(1, 1, 10, 0, 1)
        loss = PeriodReport(1, 1, 0, 10, 0)
        auditor = self.cast.as_(self.cast.auditor)
        actions: dict[str, Callable[[], object]] = {
            "propose": lambda: emc.propose_version(
                [ShareEntry(self.owner.address, ShareClass.OPERATING, BPS)]
            ),
            "activate": lambda: emc.activate_version(max(m.version_count, 1), []),
            "settle a profit": lambda: emc.settle(profit),
            "settle a loss": lambda: emc.settle(loss),
            "settle an attested profit": lambda: emc.settle(
                profit, auditor.attest(emc, profit, now + ATTESTATION_WINDOW)
            ),
            "settle an attested loss": lambda: emc.settle(
                loss, auditor.attest(emc, loss, now + ATTESTATION_WINDOW)
            ),
            "invest": lambda: self.client(self.owner).invest(1),
            "terminate": lambda: emc.terminate(self.mes[1].address, 1, REASON),
            "resign": lambda: member.resign(1, REASON),
            "open a bid round": lambda: emc.open_bid_round(now + 100, now + 200),
            "commit a bid": lambda: member.commit_bid(max(m.round_count, 1), PROPOSAL),
            "reveal a bid": lambda: member.reveal_bid(
                max(m.round_count, 1), 0, 0, 0, PROPOSAL, PROPOSAL
            ),
            "invite bids": lambda: emc.invite_bids(max(m.round_count, 1), []),
        }
        name = data.draw(st.sampled_from(sorted(actions)), label="forbidden")
        expect_revert(actions[name], errors.EmcWrongStatus, actual=DISSOLVED, expected=ACTIVE)

    # -- invariants ----------------------------------------------------------------------

    def view(self) -> View:
        """The chain as the invariants see it; read again only once a block was mined."""
        w3 = self.cast.w3
        block = w3.eth.block_number
        if self._view is not None and self._view.block == block:
            return self._view
        emc, token = self.owner_emc.address, self.cast.ledger.token.address
        fn = self.fns
        client = self.owner_emc
        # Every account's share proofs at this block, in three batched round trips.
        proofs = read_proofs(block, [(client, a) for a in self.accounts])
        members = [w.address for w in self.wallets]
        noticed = [w.address for w in self.members[1:]]
        active_id = self.model.active_id
        calls = [
            fn["status"].at(emc),
            fn["totals"].at(emc),
            fn["capitalTotals"].at(emc),
            fn["activeVersionId"].at(emc),
            fn["pool"].at(emc),
            fn["sweepable"].at(emc),
            *(
                fn["accountOf"].at(emc, a, [p.as_abi() for p in shown])
                for a, shown in zip(self.accounts, proofs, strict=True)
            ),
            *(fn["capitalOf"].at(emc, a) for a in members),
            *(fn["departureOf"].at(emc, a) for a in noticed),
            fn["balanceOf"].at(token, emc),
            *(fn["balanceOf"].at(token, a) for a in self.tracked),
        ]
        if active_id:
            calls += [fn["version"].at(emc, active_id)]
        replies = _batch_call(w3, calls)
        assert w3.eth.block_number == block  # nothing was mined while reading
        (status,), (totals,), (capital,), (chain_active,), (pool,), (sweepable_now,), *rest = (
            replies
        )
        positions = [Position(*map(int, r[0])) for r in rest[: len(self.accounts)]]
        rest = rest[len(self.accounts) :]
        holdings: list[CapitalView] = [
            (
                int(held[0]),
                int(held[1]),
                int(held[2]),
                int(held[3]),
                int(held[4]),
                bool(held[5]),
                int(value),
                int(share),
            )
            for held, value, share in rest[: len(members)]
        ]
        rest = rest[len(members) :]
        departures = [
            Departure(int(d[0]), int(d[1]), bool(d[2]), bytes(d[3]))
            for (d,) in rest[: len(noticed)]
        ]
        rest = rest[len(noticed) :]
        balances = [int(b) for (b,) in rest[: len(self.tracked) + 1]]
        entries: list[ShareEntry] = []
        header: tuple[Any, ...] = ()
        if active_id:
            ((header,),) = rest[len(self.tracked) + 1 :]
            # The entries are in the proposal's log, checked against the header's share root.
            entries = client.version_entries(active_id)
        self._view = View(
            block=block,
            status=EmcStatus(status),
            totals=_totals(totals),
            capital=CapitalTotals(*(int(c) for c in capital)),
            active_id=int(chain_active),
            entries=entries,
            header=tuple(header),
            pool=Pool(*(int(p) for p in pool)),
            sweepable=int(sweepable_now),
            positions=dict(zip(self.accounts, positions, strict=True)),
            holdings=dict(zip(members, holdings, strict=True)),
            departures=dict(zip(noticed, departures, strict=True)),
            emc_balance=balances[0],
            balances=dict(zip(self.tracked, balances[1:], strict=True)),
        )
        return self._view

    @invariant()
    def active_version_is_the_agreed_split(self) -> None:
        """The entries add up to 10,000 bps and agree with the version's header (which keeps
        only their commitments: the share tree's root and the party list's hash); they are the
        entries proposed, so each class has its agreed total."""
        v, m = self.view(), self.model
        assert v.active_id == m.active_id
        if not m.active_id:
            return
        status, _, from_period, entry_count, party_count = v.header[:5]
        nonce, deadline, value_added_bps = v.header[5], v.header[8], v.header[10]
        struct_hash, shares_root, parties_hash = v.header[15:18]
        tree = ShareTree(v.entries)
        assert (bytes(shares_root), bytes(parties_hash)) == (tree.root, tree.parties_hash)
        # The struct hash the parties signed commits to these entries (and no document).
        assert bytes(struct_hash) == version_struct_hash(
            m.active_id, v.entries, bytes(32), nonce, deadline
        )
        assert sum(e.bps for e in v.entries) == BPS
        assert (status, entry_count, party_count, value_added_bps) == (
            VersionStatus.ACTIVE,
            len(v.entries),
            len({e.account for e in v.entries} - {ZERO_ADDRESS}),
            sum(e.bps for e in v.entries if e.share_class is ShareClass.VALUE_ADDED),
        )
        assert from_period == m.active_from
        assert v.entries == m.entries

    @invariant()
    def totals_pool_and_balance_match_the_model(self) -> None:
        v, m = self.view(), self.model
        assert v.status is m.status
        assert v.emc_balance == m.balance()
        assert v.totals == Totals(
            m.periods,
            m.users,
            m.revenue,
            m.payouts.cum_profit,
            m.total_paid,
            m.withdrawn,
            m.payouts.target_reached,
        )
        assert v.capital == m.capital.totals()
        assert v.pool == m.payouts.pool()
        assert v.pool.accrued <= m.terms.sharing_space * BPS

    @invariant()
    def credit_is_conserved(self) -> None:
        v, m = self.view(), self.model
        for account in self.accounts:
            assert v.positions[account] == m.payouts.position(account), account
        # Sweepable: exactly the credit sent and not yet swept, as the contract's formula says.
        assert v.sweepable == m.stray - m.payouts.swept == m.sweepable()
        stranded = m.payouts.stranded()
        assert conserved(v.positions, v.capital, v.sweepable, stranded) == m.entered() * BPS
        # What the EMC holds above everything it owes is what may be swept, plus fractions
        # of a fen that no account holds.
        owed = sum((p.claimable + p.locked) * BPS + p.dust for p in v.positions.values())
        c = v.capital
        owed += (c.capital + c.pool_to_investors - c.pool_paid) * BPS
        assert v.emc_balance * BPS - owed == v.sweepable * BPS + stranded
        assert 0 <= stranded < BPS

    @invariant()
    def nobody_is_paid_more_than_agreed(self) -> None:
        v, m = self.view(), self.model
        for account, position in v.positions.items():
            assert position.paid == m.payouts.paid.get(account, 0), account
            assert position.paid + position.claimable <= m.payouts.promised(account), account

    @invariant()
    def capital_accounts_match_the_model(self) -> None:
        v, m = self.view(), self.model
        capital, total_units = v.capital.capital, v.capital.total_units
        for account, held in v.holdings.items():
            assert held == m.capital.view(account), account
        values = sum(h[6] for h in v.holdings.values())
        holders = sum(1 for h in v.holdings.values() if h[0])
        assert sum(h[0] for h in v.holdings.values()) == total_units
        assert capital - holders <= values <= capital
        if total_units == 0:
            assert capital == 0  # no capital stranded without units to claim it
        # Nobody is owed more of the released pool than it holds.
        assert sum(h[7] for h in v.holdings.values()) <= v.capital.pool_to_investors

    @invariant()
    def wallets_moved_by_their_flows(self) -> None:
        v, m = self.view(), self.model
        for wallet in self.tracked:
            assert v.balances[wallet] == self.start_balances[wallet] + m.wallet_delta.get(
                wallet, 0
            ), wallet

    @invariant()
    def departures_are_recorded(self) -> None:
        v, m = self.view(), self.model
        for account, departure in v.departures.items():
            assert departure == m.departures.get(account, Departure(0, 0, False, bytes(32))), (
                account
            )


@pytest.mark.slow
def test_emc_lifecycle_keeps_every_invariant(cast: Cast) -> None:
    """Random lifecycles of fresh EMCs match the model and keep the invariants at every step."""
    for wallet in [*cast.mes[:5], cast.partners["platform"], cast.partners["duck_farm"]]:
        cast.mint(wallet.address, WALLET_CREDIT)
    EmcLifecycle.cast = cast
    run_state_machine_as_test(EmcLifecycle, settings=SETTINGS)
