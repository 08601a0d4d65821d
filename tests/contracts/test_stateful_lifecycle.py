"""Stateful property: an EMC's whole lifecycle, step by step, against a plain-integer model.

A hypothesis ``RuleBasedStateMachine`` gives each example a fresh EMC (random targets, loss
threshold and partner bounds), checks that it refuses business before its first version,
agrees one, and then drives it with real transactions:

* share versions: random splits of 10,000 bps over the owner, three MEs (operating and
  value-added), two partners (within the terms' bounds) and the development fund, signed by
  every party, or proposed and abandoned (its parties still become members who may invest).
  Each keeps every member of the active version whose notice has not run out, and names
  nobody departed or suspended; proposals that break this are refused (``EmcMemberLeftOut``,
  ``EmcMemberDeparted``, ``EmcIneligibleMember``). Suspension freezes a member's share: while
  a member of the active version is suspended and still under no expired notice, no version
  can be agreed (it may be neither left out nor named);
* one to four periods at a time, profits or losses, by the owner or its reporter (after an
  overstated profit or a profit with a loss is refused); losses taking part of the capital,
  all of it, all but one fen, or more, so that capital eras turn over; dissolution at the
  loss threshold, before or after the target;
* investments (by members, outsiders, suspended and departed members, zero amounts),
  notices (terminate, resign, and their refusals), registry suspensions and reinstatements,
  claims, capital
  returns, development-fund withdrawals and sealed-bid rounds (the clock moves only inside
  the round-closing rule);
* on a dissolved EMC, one forbidden action per step, refused with ``EmcWrongStatus``.

Every transaction's result (amount claimed, units minted, loss covered, pool released...)
is compared with the model, and after every step, from one batched read:

* the active version is the agreed split: its entries (hence per-class totals) are those
  proposed, they add up to 10,000 bps, and its value-added figure is their value-added sum;
* the EMC holds exactly profit deposited + invested - claims - fund withdrawals - losses
  covered - capital returned; its totals, capital totals and status equal the model's;
* each account's position (claimable, locked, paid, dust) equals the model's, and
  sum(paid + claimable + locked) * 10,000 + sum(dust) + voided pool credit
  == (deposited + pool released to the fund) * 10,000. The balance covers every claim,
  lock, dust and the capital, leaving under one fen unattributed: the fraction of a voided
  value-added pool that dissolution could not release as a whole fen;
* nobody is paid, or can claim, more than its entitlement (bps times profit, floored;
  value-added credit only if the pool was not forfeited; the fund also gets the release);
* capital: each holding is worth units * capital / totalUnits, the units add up to
  totalUnits, the holdings are worth at most the capital and at least capital - holders,
  and no capital is left without units to claim it;
* every wallet's balance moved by exactly what the model says it paid in and got out;
* departure notices are as given.

A loss that leaves a sliver of capital (one fen, say) makes the next investment mint units
at that price, so totalUnits can outgrow uint128; the model expects ``invest`` to revert
with ``SafeCastOverflowedUintDowncast`` then, and says so with ``event()``.

Step budget: each example is up to 60 steps of one to a dozen transactions (15-25 ms each)
plus one batched read. Locally (dev profile) 15 examples, about 900 steps, take ~35 s; with
``CI=true`` 120 examples, about 5,500 steps, take ~3-3.5 minutes on a 2-core machine (the
``ci`` profile's 300 examples would take 8). Each example runs between an ``evm_snapshot``
taken in ``__init__`` and an ``evm_revert`` in ``teardown``.
"""

from __future__ import annotations

import itertools
import os
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
from eth_utils.address import to_checksum_address
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
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    BidOutcome,
    CapitalTotals,
    Departure,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Position,
    ShareClass,
    ShareEntry,
    Totals,
    VersionStatus,
)
from tests.contracts.helpers import (
    BPS,
    TERMS_REASON,
    Cast,
    Credit,
    accrue,
    increase_time,
    latest_timestamp,
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
UINT128_MAX = 2**128 - 1
REASON = keccak(text="notice")
PURPOSE = keccak(text="fund withdrawal")
PROPOSAL = keccak(text="bid proposal")

EMC_VIEWS = (
    "status",
    "totals",
    "capitalTotals",
    "activeVersionId",
    "accountOf",
    "capitalOf",
    "departureOf",
    "versionEntries",
    "version",
)
ACTIVE, DISSOLVED = EmcStatus.ACTIVE, EmcStatus.DISSOLVED
Slot = tuple[ChecksumAddress, ShareClass]


@dataclass
class Holding:
    """One account's capital: units of the era it last invested in."""

    units: int = 0
    era: int = 0
    invested: int = 0


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
    status: EmcStatus = ACTIVE
    periods: int = 0
    users: int = 0
    revenue: int = 0
    deposited: int = 0
    target_reached: bool = False
    forfeited: bool = False  # dissolved short of the target: locked credit is void
    version_count: int = 0
    activations: int = 0
    active_id: int = 0
    active_from: int = 0  # the first period settled under the active version
    entries: list[ShareEntry] = field(default_factory=list)  # the active version, sorted
    known: set[ChecksumAddress] = field(default_factory=set)  # named in a proposed version
    credits: dict[ChecksumAddress, Credit] = field(default_factory=dict)
    paid: dict[ChecksumAddress, int] = field(default_factory=dict)  # the fund: withdrawn
    claimed: int = 0
    withdrawn: int = 0
    pool_credit: int = 0  # value-added credit settled, in 1/10,000 fen
    capital: int = 0
    units: int = 0
    era: int = 0
    invested: int = 0
    losses: int = 0
    covered: int = 0
    returned: int = 0
    pool_released: int = 0
    released_to_fund: int = 0
    holdings: dict[ChecksumAddress, Holding] = field(default_factory=dict)
    departures: dict[ChecksumAddress, Departure] = field(default_factory=dict)
    suspended: set[ChecksumAddress] = field(default_factory=set)  # by the registry
    wallet_delta: dict[ChecksumAddress, int] = field(default_factory=dict)
    round_count: int = 0
    round: OpenRound | None = None

    def departed(self, account: ChecksumAddress) -> bool:
        notice = self.departures.get(account)
        return notice is not None and self.periods >= notice.effective_period

    def active_accounts(self) -> list[ChecksumAddress]:
        """The wallets the active version names, in its (canonical) order."""
        return list(dict.fromkeys(e.account for e in self.entries if e.account != ZERO_ADDRESS))

    def held_units(self, account: ChecksumAddress) -> int:
        holding = self.holdings.get(account)
        return holding.units if holding is not None and holding.era == self.era else 0

    def move(self, wallet: ChecksumAddress, amount: int) -> None:
        self.wallet_delta[wallet] = self.wallet_delta.get(wallet, 0) + amount

    def position(self, account: ChecksumAddress) -> Position:
        """``EMC.accountOf(account)``: ``Credit.expected``, plus forfeiture and the fund."""
        credit = self.credits.get(account, Credit())
        paid = self.paid.get(account, 0)
        extra = self.released_to_fund if account == ZERO_ADDRESS else 0
        if self.forfeited and not self.target_reached:
            return Position(credit.free // BPS + extra - paid, 0, paid, credit.free % BPS)
        expected = credit.expected(self.target_reached, paid)
        return replace(expected, claimable=expected.claimable + extra)

    def entitlement(self, account: ChecksumAddress) -> int:
        """Everything ``account`` was promised, floored; void value-added credit excluded."""
        credit = self.credits.get(account, Credit())
        locked = 0 if self.forfeited and not self.target_reached else credit.locked
        extra = self.released_to_fund if account == ZERO_ADDRESS else 0
        return (credit.free + locked) // BPS + extra


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
    positions: dict[ChecksumAddress, Position]
    holdings: dict[ChecksumAddress, tuple[int, int, int]]  # units, invested, value
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
        self.model = Model(EmcTerms(1, 1, 1, 1))
        self.emc: EmcClient | None = None
        self.clients: dict[ChecksumAddress, EmcClient] = {}
        self.approved: set[ChecksumAddress] = set()
        self.start_balances: dict[ChecksumAddress, int] = {}
        self._view: View | None = None
        self.fns: dict[str, _Fn] = {}

    def teardown(self) -> None:
        revert(self.cast.w3, self.snapshot_id)
        self.cast.refresh()

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

    def approve(self, account: ChecksumAddress) -> None:
        if account not in self.approved:
            wallet = next(w for w in self.wallets if w.address == account)
            self.cast.as_(wallet).token.approve(self.owner_emc.address, 2**256 - 1)
            self.approved.add(account)

    def protected(self) -> list[ChecksumAddress]:
        """Members of the active version a new version must keep: those whose notice has not
        run out, suspended or not."""
        m = self.model
        return [a for a in m.active_accounts() if not m.departed(a)]

    def frozen(self) -> list[ChecksumAddress]:
        """Protected members the registry suspended: they can be neither left out nor named,
        so no version can be agreed until they are reinstated or their notice runs out."""
        return [a for a in self.protected() if a in self.model.suspended]

    @property
    def agreeable(self) -> bool:
        return self.active and not self.frozen()

    def departed_members(self) -> list[ChecksumAddress]:
        return [w.address for w in self.members if self.model.departed(w.address)]

    def draw_entries(self, data: st.DataObject) -> list[ShareEntry]:
        """A legal version: keeps every protected member, names nobody departed or suspended."""
        m = self.model
        slots = [s for s in self.slots if not m.departed(s[0]) and s[0] not in m.suspended]
        chosen: list[Slot] = data.draw(st.lists(st.sampled_from(slots), unique=True), label="slots")
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
        loss_threshold=st.integers(1, 40).map(lambda k: k * 100_000),
        partner_min=st.integers(1, 1_500),
        partner_span=st.integers(0, 1_000),
        data=st.data(),
    )
    def create_emc(
        self,
        target_users: int,
        target_revenue: int,
        loss_threshold: int,
        partner_min: int,
        partner_span: int,
        data: st.DataObject,
    ) -> None:
        """A fresh EMC that refuses business until its first version, which is then agreed."""
        cast = self.cast
        terms = EmcTerms(
            target_users,
            target_revenue,
            sharing_space=1,
            loss_threshold=loss_threshold,
            partner_min_bps=partner_min,
            partner_max_bps=partner_min + partner_span,
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
        self.model = Model(terms)
        emc, token = self.emc.contract, cast.ledger.token.contract
        self.fns = {name: _Fn.of(emc, name) for name in EMC_VIEWS}
        self.fns["balanceOf"] = _Fn.of(token, "balanceOf")
        self.start_balances = {a: cast.balance(a) for a in self.tracked}
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
        self.agree(self.draw_entries(data))

    # -- versions ------------------------------------------------------------------------

    @precondition(lambda self: self.agreeable)
    @rule(data=st.data())
    def agree_new_version(self, data: st.DataObject) -> None:
        """Propose a legal split; every party signs it and it takes effect, or nobody does
        (an abandoned proposal changes no share, but makes its parties known members)."""
        m = self.model
        entries = self.draw_entries(data)
        if not data.draw(st.integers(0, 3), label="signed"):
            version_id, _ = self.owner_emc.propose_version(entries)
            m.version_count += 1
            assert version_id == m.version_count
            m.known |= {e.account for e in entries}
            return
        self.agree(entries)

    def agree(self, entries: list[ShareEntry]) -> None:
        """Every party signs ``entries``, which take effect from the next period."""
        m = self.model
        version_id, result = self.cast.as_(self.owner).agree(
            self.owner_emc, entries, self.cast.wallets
        )
        m.version_count += 1
        assert version_id == m.version_count
        activated = self.owner_emc.event(result, "VersionActivated")["args"]
        assert (activated["epoch"], activated["fromPeriod"], activated["previousId"]) == (
            m.activations,
            m.periods + 1,
            m.active_id,
        )
        m.activations += 1
        m.active_id = version_id
        m.active_from = m.periods + 1
        m.entries = entries
        m.known |= {e.account for e in entries}

    def illegal_versions(self) -> dict[str, list[ChecksumAddress]]:
        """Whom a proposal may not leave out (protected) or name (departed, suspended)."""
        m = self.model
        candidates = {
            "leave out": [a for a in self.protected() if a != self.owner.address],
            "name departed": self.departed_members(),
            "name suspended": [
                w.address
                for w in self.members
                if w.address in m.suspended and not m.departed(w.address)
            ],
        }
        return {kind: accounts for kind, accounts in candidates.items() if accounts}

    @precondition(lambda self: self.agreeable and bool(self.illegal_versions()))
    @rule(data=st.data())
    def refuse_illegal_version(self, data: st.DataObject) -> None:
        """A member whose notice has not run out cannot be dropped without its signature; one
        whose notice ran out cannot be named again, in any class; a suspended one cannot be
        named until it is reinstated."""
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

    @precondition(lambda self: self.active and bool(self.frozen()))
    @rule()
    def refuse_dropping_a_suspended_member(self) -> None:
        """A suspended member keeps its share until its notice runs out: the active version
        without it (its share given to the owner) is refused, naming the first one left out."""
        m, owner = self.model, self.owner.address
        frozen = set(self.frozen())
        # Departed members go too (they may be left out, and cannot be named).
        dropped = {e.account for e in m.entries if e.account in frozen or m.departed(e.account)}
        freed = sum(e.bps for e in m.entries if e.account in dropped)
        entries = [
            replace(e, bps=e.bps + freed)
            if (e.account, e.share_class) == (owner, ShareClass.OPERATING)
            else e
            for e in m.entries
            if e.account not in dropped
        ]
        first = min(frozen, key=lambda a: int(a, 16))  # the contract walks accounts in order
        notice = m.departures.get(first)
        expect_revert(
            lambda: self.owner_emc.propose_version(entries),
            errors.EmcMemberLeftOut,
            account=first,
            effectivePeriod=notice.effective_period if notice else 0,
        )
        event("suspended member kept")

    # -- periods -------------------------------------------------------------------------

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

    def settle_period(self, data: st.DataObject) -> None:
        """Settle a profit or a loss period (after an invalid report, sometimes), as the owner
        or its reporter. A loss may take part of the capital, all of it, all but one fen, or
        more than all of it."""
        m = self.model
        revenue = data.draw(_amount(20), label="revenue")
        users = data.draw(st.integers(0, 100), label="users")
        loss = 0
        if data.draw(st.integers(0, 2), label="loss (0)") == 0:
            base = data.draw(_amount(5), label="loss") + 1
            kinds = ["drawn", "part of capital", "whole capital", "all but one fen", "beyond"]
            kind = data.draw(st.sampled_from(kinds), label="kind")
            if kind == "part of capital" and m.capital > 1:
                loss = max(_part(data, m.capital, "loss %"), 1)
            elif kind == "whole capital" and m.capital:
                loss = m.capital
            elif kind == "all but one fen" and m.capital > 1:
                loss = m.capital - 1
            else:
                loss = base + (m.capital if kind == "beyond" else 0)
            report = PeriodReport(users, users, revenue, revenue + loss, 0, keccak(text="loss"))
            bad = replace(report, profit=data.draw(st.integers(1, 10**6), label="bad profit"))
            refusal: tuple[type[ContractRevertError], dict[str, int]] = (
                errors.EmcProfitWithLoss,
                {"profit": bad.profit, "loss": loss},
            )
        else:
            cost = _part(data, revenue, "cost %")
            profit = _part(data, revenue - cost, "profit %")
            report = PeriodReport(users, users, revenue, cost, profit, keccak(text="profit"))
            bad = replace(report, profit=revenue - cost + 1)
            refusal = (
                errors.EmcProfitAboveMargin,
                {"profit": bad.profit, "margin": revenue - cost},
            )
        caller = data.draw(
            st.sampled_from([self.owner.address, self.reporter.address]), label="caller"
        )
        if caller in m.suspended:
            refused = self.client(caller)
            expect_revert(lambda: refused.settle(report), errors.EmcCallerNotActive, caller=caller)
            caller = self.owner.address
        client = self.client(caller)
        if data.draw(st.booleans(), label="invalid report first"):
            expect_revert(lambda: client.settle(bad), refusal[0], **refusal[1])
        self.approve(caller)
        period, result = client.settle(report)
        m.periods += 1
        assert period == m.periods
        m.users += users
        m.revenue += revenue
        reached = self.owner_emc.events(result, "TargetReached")
        if (
            not m.target_reached
            and m.users >= m.terms.target_users
            and m.revenue >= m.terms.target_revenue
        ):
            m.target_reached = True
            assert len(reached) == 1
            event("target reached")
        else:
            assert reached == []
        if loss:
            self._absorb(caller, loss, result)
            return
        m.deposited += report.profit
        m.move(caller, -report.profit)
        accrue(m.credits, m.entries, report.profit)
        va_bps = sum(e.bps for e in m.entries if e.share_class is ShareClass.VALUE_ADDED)
        m.pool_credit += report.profit * va_bps

    def _absorb(self, caller: ChecksumAddress, loss: int, result: TxResult) -> None:
        """The capital pays the loss to the caller as far as it goes; at the threshold the
        EMC dissolves, releasing the value-added pool if the target was not reached."""
        m = self.model
        covered = min(loss, m.capital)
        if covered:
            m.capital -= covered
            m.covered += covered
            m.move(caller, covered)
            if m.capital == 0:
                m.units = 0
                m.era += 1
                event("capital wiped out")
        m.losses += loss
        absorbed = self.owner_emc.event(result, "LossAbsorbed")["args"]
        assert [absorbed[k] for k in ("period", "loss", "covered", "cumulativeLosses")] == [
            m.periods,
            loss,
            covered,
            m.losses,
        ]
        dissolved = self.owner_emc.events(result, "EmcDissolved")
        if m.losses < m.terms.loss_threshold:
            assert dissolved == []
            return
        m.status = DISSOLVED
        released = 0
        if not m.target_reached:
            m.forfeited = True
            released = m.pool_credit // BPS
            m.pool_released = released
            if m.units:
                m.capital += released
            else:
                m.released_to_fund += released
            event(f"pool released to the {'capital' if m.units else 'fund'}")
        event(f"dissolved {'after' if m.target_reached else 'short of'} the target")
        assert len(dissolved) == 1
        args = dissolved[0]["args"]
        assert [args[k] for k in ("period", "losses", "threshold", "capital", "poolReleased")] == [
            m.periods,
            m.losses,
            m.terms.loss_threshold,
            m.capital,
            released,
        ]

    # -- capital -------------------------------------------------------------------------

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def invest(self, data: st.DataObject) -> None:
        m = self.model
        investor = data.draw(st.sampled_from(self.wallet_addresses), label="investor")
        amount = data.draw(_amount(10), label="amount")
        client = self.client(investor)
        if investor in m.suspended:
            expect_revert(lambda: client.invest(amount), errors.EmcCallerNotActive, caller=investor)
            return
        if investor not in m.known:
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
        units = amount if m.units == 0 else amount * m.units // m.capital
        held = m.held_units(investor)
        # Losses only lower what a unit is worth: a unit never costs more than one fen.
        assert units >= amount
        if m.units + units > UINT128_MAX:
            # Units inflate when a loss leaves a sliver of capital (see the module docstring).
            event("investment refused: units overflow")
            expect_revert(
                lambda: client.invest(amount),
                errors.SafeCastOverflowedUintDowncast,
                bits=128,
                value=(held if held + units > UINT128_MAX else m.units) + units,
            )
            return
        self.approve(investor)
        minted, _ = client.invest(amount)
        assert minted == units
        holding = m.holdings.setdefault(investor, Holding())
        holding.units = held + units
        holding.era = m.era
        holding.invested += amount
        m.capital += amount
        m.units += units
        m.invested += amount
        m.move(investor, -amount)

    @rule(data=st.data())
    def claim_capital(self, data: st.DataObject) -> None:
        m = self.model
        account = data.draw(st.sampled_from(self.wallet_addresses), label="account")
        client = self.client(account)
        if m.status is ACTIVE:
            expect_revert(
                client.claim_capital, errors.EmcWrongStatus, actual=ACTIVE, expected=DISSOLVED
            )
            return
        units = m.held_units(account)
        if units == 0:
            expect_revert(client.claim_capital, errors.EmcNothingToClaim, account=account)
            return
        expected = units * m.capital // m.units
        amount, _ = client.claim_capital()
        assert amount == expected
        m.holdings[account].units = 0
        m.capital -= amount
        m.units -= units
        m.returned += amount
        m.move(account, amount)

    # -- registry ------------------------------------------------------------------------

    @precondition(lambda self: self.emc is not None)
    @rule(data=st.data())
    def suspend_or_reinstate(self, data: st.DataObject) -> None:
        """The registry suspends a member (or reinstates a suspended one): it then cannot be
        named, left out without notice, invest, bid or report, but can still claim."""
        m = self.model
        # At most two at a time, or a suspended majority would leave little to do.
        candidates = [
            a for a in self.wallet_addresses[1:] if a in m.suspended or len(m.suspended) < 2
        ]
        account = data.draw(st.sampled_from(candidates), label="member")
        registry = self.cast.as_(self.cast.admin).registry
        if account in m.suspended:
            registry.reinstate(account, REASON)
            m.suspended.remove(account)
        else:
            registry.suspend(account, REASON)
            m.suspended.add(account)
            event("member suspended")

    # -- departures ----------------------------------------------------------------------

    def notice_candidates(self) -> list[ChecksumAddress]:
        m = self.model
        return [a for a in m.active_accounts() if a != self.owner.address and a not in m.departures]

    @precondition(lambda self: self.active and bool(self.notice_candidates()))
    @rule(data=st.data())
    def give_notice(self, data: st.DataObject) -> None:
        m = self.model
        account = data.draw(st.sampled_from(self.notice_candidates()), label="account")
        periods = data.draw(st.integers(1, 3), label="notice periods")
        by_owner = data.draw(st.booleans(), label="terminated")
        if by_owner:
            result = self.owner_emc.terminate(account, periods, REASON)
        else:
            result = self.client(account).resign(periods, REASON)
        noticed = self.owner_emc.event(result, "DepartureNoticed")["args"]
        assert (noticed["account"], noticed["effectivePeriod"]) == (account, m.periods + periods)
        timestamp = int(self.cast.w3.eth.get_block(result.block_number)["timestamp"])
        m.departures[account] = Departure(m.periods + periods, timestamp, by_owner, REASON)

    @precondition(lambda self: self.active)
    @rule(data=st.data())
    def refuse_bad_notice(self, data: st.DataObject) -> None:
        m = self.model
        emc = self.owner_emc
        kind = data.draw(
            st.sampled_from(["owner", "too short", "not a member", "already departing"]),
            label="kind",
        )
        departing = [a for a in m.active_accounts() if a in m.departures]
        strangers = [w.address for w in self.wallets[1:] if w.address not in m.active_accounts()]
        if kind == "already departing" and departing:
            account = data.draw(st.sampled_from(departing), label="account")
            expect_revert(
                lambda: emc.terminate(account, 1, REASON),
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
        elif kind == "too short":
            account = data.draw(st.sampled_from(self.wallet_addresses[1:]), label="account")
            expect_revert(
                lambda: emc.terminate(account, 0, REASON),
                errors.EmcNoticeOutOfBounds,
                noticePeriods=0,
                min=1,
            )
        else:
            owner = self.owner.address
            expect_revert(lambda: emc.resign(1, REASON), errors.EmcOwnerCannotDepart, account=owner)

    # -- payouts -------------------------------------------------------------------------

    @rule(data=st.data())
    def claim(self, data: st.DataObject) -> None:
        m = self.model
        account = data.draw(st.sampled_from(self.wallet_addresses), label="claimant")
        client = self.client(account)
        expected = m.position(account).claimable
        if expected == 0:
            expect_revert(client.claim, errors.EmcNothingToClaim, account=account)
            return
        amount, _ = client.claim()
        assert amount == expected
        m.paid[account] = m.paid.get(account, 0) + amount
        m.claimed += amount
        m.move(account, amount)

    @rule(data=st.data())
    def withdraw_dev_fund(self, data: st.DataObject) -> None:
        m = self.model
        available = m.position(ZERO_ADDRESS).claimable
        treasury = self.cast.treasury.address
        if available == 0 or data.draw(st.booleans(), label="overdraw"):
            expect_revert(
                lambda: self.owner_emc.withdraw_dev_fund(treasury, available + 1, PURPOSE),
                errors.EmcDevFundInsufficient,
                requested=available + 1,
                available=available,
            )
            return
        amount = data.draw(st.integers(1, available), label="amount")
        self.owner_emc.withdraw_dev_fund(treasury, amount, PURPOSE)
        m.paid[ZERO_ADDRESS] = m.paid.get(ZERO_ADDRESS, 0) + amount
        m.withdrawn += amount
        m.move(treasury, amount)

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
        if bidder in self.model.suspended:
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
        # A bidder suspended since it committed cannot reveal: its bid lapses.
        able = [b for b in bidders if b not in self.model.suspended]
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
            if bidder in self.model.suspended:
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
        """Only claims, capital returns and fund withdrawals outlive dissolution."""
        emc = self.owner_emc
        member = self.client(self.mes[1])
        now = latest_timestamp(self.cast.w3)
        actions: dict[str, Callable[[], object]] = {
            "propose": lambda: emc.propose_version(
                [ShareEntry(self.owner.address, ShareClass.OPERATING, BPS)]
            ),
            "activate": lambda: emc.activate_version(max(self.model.version_count, 1), []),
            "settle a profit": lambda: emc.settle(PeriodReport(1, 1, 10, 0, 1)),
            "settle a loss": lambda: emc.settle(PeriodReport(1, 1, 0, 10, 0)),
            "invest": lambda: self.client(self.owner).invest(1),
            "terminate": lambda: emc.terminate(self.mes[1].address, 1, REASON),
            "resign": lambda: member.resign(1, REASON),
            "open a bid round": lambda: emc.open_bid_round(now + 100, now + 200),
            "commit a bid": lambda: member.commit_bid(max(self.model.round_count, 1), PROPOSAL),
            "reveal a bid": lambda: member.reveal_bid(
                max(self.model.round_count, 1), 0, 0, 0, PROPOSAL, PROPOSAL
            ),
            "invite bids": lambda: emc.invite_bids(max(self.model.round_count, 1), []),
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
        members = [w.address for w in self.wallets]
        noticed = [w.address for w in self.members[1:]]
        active_id = self.model.active_id
        calls = [
            fn["status"].at(emc),
            fn["totals"].at(emc),
            fn["capitalTotals"].at(emc),
            fn["activeVersionId"].at(emc),
            *(fn["accountOf"].at(emc, a) for a in self.accounts),
            *(fn["capitalOf"].at(emc, a) for a in members),
            *(fn["departureOf"].at(emc, a) for a in noticed),
            fn["balanceOf"].at(token, emc),
            *(fn["balanceOf"].at(token, a) for a in self.tracked),
        ]
        if active_id:
            calls += [fn["versionEntries"].at(emc, active_id), fn["version"].at(emc, active_id)]
        replies = _batch_call(w3, calls)
        assert w3.eth.block_number == block  # nothing was mined while reading
        (status,), (totals,), (capital,), (chain_active,), *rest = replies
        positions = [Position(*map(int, r[0])) for r in rest[: len(self.accounts)]]
        rest = rest[len(self.accounts) :]
        holdings = [
            (int(held[0]), int(held[2]), int(value)) for held, value in rest[: len(members)]
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
            ((raw_entries,), (header,)) = rest[len(self.tracked) + 1 :]
            entries = [
                ShareEntry(to_checksum_address(a), ShareClass(c), int(b)) for a, c, b in raw_entries
            ]
        self._view = View(
            block=block,
            status=EmcStatus(status),
            totals=_totals(totals),
            capital=CapitalTotals(*(int(c) for c in capital)),
            active_id=int(chain_active),
            entries=entries,
            header=tuple(header),
            positions=dict(zip(self.accounts, positions, strict=True)),
            holdings=dict(zip(members, holdings, strict=True)),
            departures=dict(zip(noticed, departures, strict=True)),
            emc_balance=balances[0],
            balances=dict(zip(self.tracked, balances[1:], strict=True)),
        )
        return self._view

    @invariant()
    def active_version_is_the_agreed_split(self) -> None:
        """The entries add up to 10,000 bps and agree with the version's header (stored
        apart from them); they are the entries proposed, so each class has its agreed total."""
        v, m = self.view(), self.model
        assert v.active_id == m.active_id
        if not m.active_id:
            return
        status, _, from_period, entry_count, party_count = v.header[:5]
        value_added_bps = v.header[11]
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
    def token_balance_is_the_sum_of_flows(self) -> None:
        v, m = self.view(), self.model
        assert (
            v.emc_balance
            == m.deposited + m.invested - m.claimed - m.withdrawn - m.covered - m.returned
        )
        assert v.status is m.status
        paid = m.claimed + m.withdrawn
        assert v.totals == Totals(
            m.periods, m.users, m.revenue, m.deposited, paid, m.withdrawn, m.target_reached
        )
        assert v.capital == CapitalTotals(
            m.capital, m.units, m.era, m.invested, m.losses, m.covered, m.returned, m.pool_released
        )

    @invariant()
    def credit_is_conserved(self) -> None:
        v, m = self.view(), self.model
        for account in self.accounts:
            assert v.positions[account] == m.position(account), account
        held = sum(p.paid + p.claimable + p.locked for p in v.positions.values())
        owed = sum(p.claimable + p.locked for p in v.positions.values())
        dust = sum(p.dust for p in v.positions.values())
        void = m.pool_credit if m.forfeited else 0
        assert held * BPS + dust + void == (m.deposited + m.released_to_fund) * BPS
        # Solvency: the balance pays every claim, lock, dust and the capital; what is left
        # over is the part of the voided pool too small to release (under one fen).
        unattributed = v.emc_balance * BPS - owed * BPS - dust - v.capital.capital * BPS
        assert unattributed == (void - v.capital.pool_released * BPS)
        assert 0 <= unattributed < BPS

    @invariant()
    def nobody_is_paid_more_than_agreed(self) -> None:
        v, m = self.view(), self.model
        for account, position in v.positions.items():
            assert position.paid == m.paid.get(account, 0), account
            assert position.paid + position.claimable <= m.entitlement(account), account

    @invariant()
    def capital_is_held_pro_rata(self) -> None:
        v, m = self.view(), self.model
        capital, total_units = v.capital.capital, v.capital.total_units
        for account, (units, invested, value) in v.holdings.items():
            holding = m.holdings.get(account, Holding())
            expected_value = units * capital // total_units if total_units else 0
            assert (units, invested, value) == (
                m.held_units(account),
                holding.invested,
                expected_value,
            ), account
        values = sum(value for _, _, value in v.holdings.values())
        holders = sum(1 for units, _, _ in v.holdings.values() if units)
        assert sum(units for units, _, _ in v.holdings.values()) == total_units
        assert capital - holders <= values <= capital
        if total_units == 0:
            assert capital == 0  # no capital stranded without units to claim it

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
