"""``make bench-scale``: a Haier-sized year on a local anvil, end to end.

Haier runs about 4,000 MEs in about 1,000 EMCs, each renegotiated about monthly. This
generator drives a real anvil (no state on disk, base fee and gas price 0, a 2-billion gas
block limit, a block mined once each batch has arrived: see ``ANVIL_ARGS``) through such a
year with the SDK's pipeline (:mod:`rdh_chain.pipeline`: calls signed locally, sent and
their receipts collected in JSON-RPC batches):

- registration: every ME and partner joins the member registry with its profile's hash;
  the platform registers each EMC for its owner (an ME) from the explore guideline's four
  criteria, scored per EMC. EMCs run from a few members to ``max_size`` (one of each size
  bound, most small); MEs are drawn from the one pool, so most sit in several EMCs;
- bid rounds in some EMCs (open, commit, reveal, invite): the invited MEs join the next
  version;
- every month, in every EMC still active: a renegotiated share version (every party signs
  the EIP-712 draft, the owner proposes and activates it in one transaction), the treasury
  mints the owner the month's profit, the owner settles the period (some periods are
  losses, attested by the platform's auditor and paid from the members' capital), the
  operating and partner shareholders claim, the partners invest every third month;
- a few members are given notice and leave the later versions; a few EMCs lose past their
  threshold and are dissolved.

The index follows (``Indexer.sync``, what ``rdh index sync`` runs, into SQLite, after
every phase and at the end), ``rdh audit verify``'s check replays every event and
compares every EMC with the chain (it must find nothing), and every EMC's win-win
value-added statement is drawn from the index. Every share-version, claim and investment
call is built by :mod:`bench.scale_calls`.

``python -m bench.scale [--quick | --medium] [--output PATH]`` prints the tables; with
``--output`` it writes the figures under ``"scale"`` in PATH (kept otherwise as it is).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from rich.console import Console
from rich.table import Table
from web3 import Web3
from web3.types import TxReceipt

from bench.batch import BatchRpc, Encoder
from bench.scale_calls import CLAIM_GAS, INVEST_GAS, Draft, ShareCalls, agree_gas
from bench.setup import fresh_ledger
from rdh_chain.bids import bid_commitment
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.contracts import EmcClient
from rdh_chain.contracts.factory import FactoryClient
from rdh_chain.contracts.registry import RegistryClient
from rdh_chain.contracts.token import TokenClient
from rdh_chain.demo import EXPLORE
from rdh_chain.deployment import Deployment
from rdh_chain.events import Decoded
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.queries import checkpoint, decoded_logs, default_decoder
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.pipeline import Call, Pipeline
from rdh_chain.profiles import Profile, ProfileKind
from rdh_chain.share_tree import ShareTree
from rdh_chain.statements import build_statement
from rdh_chain.toolchain.artifacts import Artifact, load_artifacts
from rdh_chain.types import (
    TOTAL_BPS,
    ZERO_ADDRESS,
    Criteria,
    EmcTerms,
    PeriodReport,
    ReportAttestation,
    Role,
    ShareClass,
    ShareEntry,
    Strategy,
)
from rdh_chain.verify import Verification, verify

DAY = 86_400
MONTH = 30 * DAY
GAS = 1_500_000  # every call that is no share version: far above what any of them uses
# The anvil of the year mines only when told (``--no-mining``): the generator's miner
# (:class:`_Miner`) mines a block once a batch has arrived, a block limit no batch nears.
# Anvil's other ways break down under this load. Mining each transaction as it arrives:
# one batch interleaving several nonces of each of many senders left most of them pending
# for good (1,200 transfers from 300 senders: 58 tx/s, against 1,268 grouped by sender),
# and a 500-claim batch of a 200-EMC year took over 30 s. Mining on a clock
# (``--block-time``): anvil mines empty blocks too, and each block costs memory in
# proportion to the state (5 MB a block idle after the 200-EMC year; past 7 GB within the
# full year's first month). Anvil also keeps old states (only the last PRUNE_HISTORY
# here) and every mined transaction's execution record (about 180 KB a transaction here:
# only the last TX_BLOCKS blocks' are kept, so the index catches up after every phase of
# the year, ``Indexer.sync`` as ``rdh index sync`` runs it, and once at the end, as an
# indexer following a node does; its time is the sum of those syncs).
MINE_POLL_S = 0.05
PRUNE_HISTORY = 4
# Calls sent (and so mined) together at most: anvil slows down on larger blocks as the
# year's state grows. A month's 7,000 claims took 34 s in one block, 8.6 s in seven of
# 1,000 (the full-sized year's second month; the first month's took 7 s either way).
ROUND_CALLS = 1_000
TX_BLOCKS = 400
ANVIL_ARGS = ("--gas-limit", "2000000000", "--transaction-block-keeper", str(TX_BLOCKS))
INDEX_PHASE = "index sync"


def anvil_config() -> AnvilConfig:
    """The anvil the year runs on, on a free port."""
    return AnvilConfig(
        port=free_port(),
        no_mining=True,
        prune_history=PRUNE_HISTORY,
        extra_args=ANVIL_ARGS,
    )


MAX_UINT256 = 2**256 - 1
DEV_FUND_BPS = 900
VALUE_ADDED_BPS = 600  # the pool's share, spread over the first MEs of every version
SIGNING_WINDOW = 7 * DAY
ATTESTATION_WINDOW = 30 * DAY
INVESTMENT = 500_00  # fen each partner invests every third month
INVEST_EVERY = 3
RESULTS = Path(__file__).with_name("results.json")

Log = Callable[[str], None]


@dataclass(frozen=True)
class ScaleConfig:
    """The size of the year."""

    mes: int = 4_000
    partners: int = 300
    emcs: int = 1_000
    periods: int = 12  # monthly
    max_size: int = 200  # the largest EMC's parties, owner included
    bid_rounds: int = 40  # EMCs that run one round in the first month
    terminations: int = 20  # members given notice in the first month
    dissolutions: int = 5  # EMCs that lose past their threshold in the last month
    loss_rate: float = 0.04  # chance that a period is a loss
    claim_rate: float = 0.5  # chance that a shareholder claims in a month
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.mes < self.emcs or self.max_size > self.mes:
            raise ValueError("more MEs than EMCs, and no EMC larger than the MEs")
        if self.periods < 2:
            raise ValueError("two periods at least: a termination takes effect in the next")
        if self.bid_rounds + self.terminations + self.dissolutions > self.emcs:
            raise ValueError("bid rounds, terminations and dissolutions in distinct EMCs")


FULL = ScaleConfig()
MEDIUM = ScaleConfig(
    mes=800,
    partners=60,
    emcs=200,
    periods=4,
    max_size=100,
    bid_rounds=8,
    terminations=4,
    dissolutions=2,
)
QUICK = ScaleConfig(
    mes=40,
    partners=6,
    emcs=6,
    periods=3,
    max_size=14,
    bid_rounds=1,
    terminations=1,
    dissolutions=1,
)


@dataclass
class _Emc:
    index: int
    owner: LocalAccount
    mes: list[LocalAccount]  # the owner first
    partners: list[LocalAccount]
    criteria: Criteria
    address: ChecksumAddress = ZERO_ADDRESS
    terms: EmcTerms | None = None
    versions: int = 0
    entries: list[ShareEntry] = field(default_factory=list)  # the active version's
    notice: dict[ChecksumAddress, int] = field(default_factory=dict)  # account -> effective
    periods: int = 0
    capital: int = 0
    losses: int = 0
    dissolved: bool = False
    approved: set[ChecksumAddress] = field(default_factory=set)  # investors' allowances
    trees: list[ShareTree] = field(default_factory=list)  # each activated version's, by epoch
    synced: dict[ChecksumAddress, int] = field(default_factory=dict)  # epoch of last claim

    @property
    def active_tree(self) -> ShareTree | None:
        return self.trees[-1] if self.trees else None

    def claim_trees(self, account: ChecksumAddress) -> list[ShareTree]:
        """The versions ``account``'s next claim must prove its standing in: every one since
        its last claim, or all of them (an account first named in a later version proves
        that the earlier ones did not name it)."""
        start = self.synced[account] + 1 if account in self.synced else 0
        self.synced[account] = len(self.trees) - 1
        return self.trees[start:]

    def parties(self) -> list[LocalAccount]:
        """Those the next version names: nobody whose notice has run out."""
        everyone = self.mes + self.partners
        return [a for a in everyone if self.notice.get(a.address, self.periods + 1) > self.periods]


@dataclass
class Figures:
    """What the year cost, measured as it ran."""

    transactions: int = 0
    events: int = 0
    send_seconds: float = 0.0
    gas: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    phases: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ScaleResults:
    config: ScaleConfig
    figures: Figures
    deployment: Deployment
    emcs: tuple[ChecksumAddress, ...]  # in the generator's order (the first dissolve)
    terminating: tuple[ChecksumAddress, ...]  # the EMCs that gave a member notice
    departed: tuple[ChecksumAddress, ...]  # the members they gave it, in the same order
    members: int
    memberships: int
    largest_emc: int
    settled_periods: int
    versions: int
    dissolved: int
    departures: int
    indexed_events: int
    verification: Verification
    statements: int
    seconds: float

    @property
    def tx_per_s(self) -> float:
        return self.figures.transactions / self.figures.send_seconds

    def record(self) -> dict[str, Any]:
        """``results.json``'s ``scale`` entry."""
        f = self.figures
        return {
            "size": {
                "mes": self.config.mes,
                "partners": self.config.partners,
                "emcs": self.config.emcs,
                "periods": self.config.periods,
                "memberships": self.memberships,
                "largest_emc": self.largest_emc,
            },
            "transactions": f.transactions,
            "tx_per_s": round(self.tx_per_s),
            "events": f.events,
            "indexed_events": self.indexed_events,
            "versions": self.versions,
            "settled_periods": self.settled_periods,
            "dissolved": self.dissolved,
            "departures": self.departures,
            "statements": self.statements,
            "mismatches": len(self.verification.mismatches),
            "seconds": round(self.seconds, 1),
            "phases_s": {name: round(s, 2) for name, s in f.phases.items()},
            "gas_by_operation": dict(f.gas.most_common()),
            "transactions_by_operation": dict(f.calls.most_common()),
        }


class _Miner:
    """Mines a block whenever transactions wait in anvil's pool and no more arrived since
    the last look (every ``MINE_POLL_S``): a batch's transactions in few blocks."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.blocks = 0

    @contextmanager
    def running(self) -> Iterator[None]:
        stop = threading.Event()
        thread = threading.Thread(target=self._run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _run(self, stop: threading.Event) -> None:
        rpc = BatchRpc(self.url)
        last = 0
        try:
            while not stop.wait(MINE_POLL_S):
                pending = int(rpc.call("txpool_status")["pending"], 16)
                if pending and pending == last:
                    rpc.call("evm_mine")
                    self.blocks += 1
                    pending = 0
                last = pending
        finally:
            rpc.close()


class _Sender:
    """The pipeline behind every phase: sends, checks that every row landed, counts."""

    def __init__(self, pipeline: Pipeline, figures: Figures) -> None:
        self.pipeline = pipeline
        self.figures = figures

    def send(self, calls: Sequence[Call]) -> list[TxReceipt]:
        """Send ``calls`` (label "operation: detail") in rounds of ``ROUND_CALLS``, each
        mined before the next is sent; raise if any failed; the receipts."""
        # Each sender's calls together, in the order given (nonces follow each other).
        first: dict[str, int] = {}
        for i, call in enumerate(calls):
            first.setdefault(call.sender.address, i)
        ordered = sorted(calls, key=lambda c: first[c.sender.address])
        receipts = []
        for start in range(0, len(ordered), ROUND_CALLS):
            receipts += self._round(ordered[start : start + ROUND_CALLS])
        return receipts

    def _round(self, calls: Sequence[Call]) -> list[TxReceipt]:
        started = time.perf_counter()
        report = self.pipeline.send(calls)
        self.figures.send_seconds += time.perf_counter() - started
        report.raise_for_failures()
        receipts = []
        for outcome in report.outcomes:
            assert outcome.result is not None
            receipt = outcome.result.receipt
            operation = outcome.call.label.split(":", 1)[0]
            self.figures.gas[operation] += int(receipt["gasUsed"])
            self.figures.calls[operation] += 1
            self.figures.events += len(receipt["logs"])
            receipts.append(receipt)
        self.figures.transactions += len(calls)
        return receipts


def _size(rng: random.Random, config: ScaleConfig, index: int) -> int:
    """Parties of EMC ``index``: the first ``max_size``, most a few, some tens."""
    if index == 0:
        return config.max_size
    draw = rng.random()
    if draw < 0.01:
        return rng.randint(config.max_size // 2, config.max_size)
    if draw < 0.12:
        return rng.randint(min(20, config.max_size), max(20, config.max_size // 2))
    return rng.randint(3, min(12, config.max_size))


def _cast(
    config: ScaleConfig, rng: random.Random
) -> tuple[list[LocalAccount], list[LocalAccount], list[_Emc]]:
    mes = [Account.create() for _ in range(config.mes)]
    partners = [Account.create() for _ in range(config.partners)]
    emcs = []
    for index in range(config.emcs):
        owner = mes[index]  # an owner leads one EMC; as a node it may sit in others
        size = _size(rng, config, index)
        partner_count = min(len(partners), rng.randint(1, 4), size - 2)
        others = [m for m in rng.sample(mes, size - partner_count) if m is not owner]
        members = [owner, *others[: size - partner_count - 1]]
        emcs.append(
            _Emc(
                index,
                owner,
                members,
                rng.sample(partners, partner_count),
                Criteria(*(rng.randint(55, 100) for _ in range(4))),
            )
        )
    return mes, partners, emcs


def _entries(emc: _Emc, rng: random.Random) -> list[ShareEntry]:
    """A renegotiated version: the partners within the terms' bounds, the fund at 9%, the
    pool's 6% over the first MEs, the MEs' operating shares weighed afresh."""
    assert emc.terms is not None
    parties = emc.parties()
    partners = [p for p in parties if p in emc.partners]
    mes = [p for p in parties if p not in emc.partners]
    low, high = emc.terms.partner_min_bps, emc.terms.partner_max_bps
    entries = [ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, DEV_FUND_BPS)]
    entries += [ShareEntry(p.address, ShareClass.PARTNER, rng.randint(low, high)) for p in partners]
    pooled = mes[: min(3, len(mes))]
    each, extra = divmod(VALUE_ADDED_BPS, len(pooled))
    entries += [
        ShareEntry(m.address, ShareClass.VALUE_ADDED, each + (extra if i == 0 else 0))
        for i, m in enumerate(pooled)
    ]
    room = TOTAL_BPS - sum(e.bps for e in entries)
    weights = [rng.uniform(0.5, 1.5) for _ in mes]
    shares = [max(1, int(room * w / sum(weights))) for w in weights]
    shares[0] += room - sum(shares)  # the owner takes the rounding
    entries += [
        ShareEntry(m.address, ShareClass.OPERATING, bps) for m, bps in zip(mes, shares, strict=True)
    ]
    return sorted(entries, key=lambda e: e.sort_key)


def _tree(emc: _Emc) -> ShareTree:
    tree = emc.active_tree
    assert tree is not None
    return tree


def _report(emc: _Emc, rng: random.Random, loss: int = 0) -> PeriodReport:
    """A month around the EMC's target (a twelfth of it, give or take 40%)."""
    assert emc.terms is not None
    revenue = max(100_00, round(emc.terms.target_revenue / 12 * rng.uniform(0.6, 1.4)))
    users = max(1, round(emc.terms.target_users / 12 * rng.uniform(0.6, 1.4)))
    if loss:
        return PeriodReport(
            users=users, units=users, revenue=revenue, cost=revenue + loss, profit=0
        )
    cost = round(revenue * rng.uniform(0.85, 0.95))
    return PeriodReport(users=users, units=users, revenue=revenue, cost=cost, profit=revenue - cost)


class _Year:
    """The generator's state between phases."""

    def __init__(
        self, w3: Web3, artifacts: Mapping[str, Artifact], config: ScaleConfig, log: Log
    ) -> None:
        self.w3 = w3
        self.artifacts = artifacts
        self.config = config
        self.log = log
        self.rng = random.Random(config.seed)
        self.figures = Figures()
        self.operator = fresh_ledger(w3, artifacts)
        assert self.operator.sender is not None
        self.admin = self.operator.sender.account
        self.deployment: Deployment = self.operator.deployment
        self.treasury, self.steward, self.auditor = (Account.create() for _ in range(3))
        url = str(getattr(w3.provider, "endpoint_uri", ""))
        self.rpc = BatchRpc(url)
        self.sender = _Sender(Pipeline(w3, self.operator.decoder), self.figures)
        self.shares = ShareCalls(artifacts, w3.eth.chain_id)
        self.registry = Encoder(RegistryClient.abi(artifacts))
        self.factory = Encoder(FactoryClient.abi(artifacts))
        self.token = Encoder(TokenClient.abi(artifacts))
        self.emc_calls = Encoder(EmcClient.abi(artifacts))
        self.mes, self.partners, self.emcs = _cast(config, self.rng)
        self.catch_up: Callable[[], None] | None = None  # the index's sync, after each phase

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        spent = time.perf_counter() - started
        self.figures.phases[name] = self.figures.phases.get(name, 0.0) + spent
        self.log(f"{name}: {spent:.1f} s, {self.figures.transactions:,} transactions so far")
        if self.catch_up is not None and name != INDEX_PHASE:
            with self.phase(INDEX_PHASE):
                self.catch_up()

    def advance(self, seconds: int) -> None:
        self.rpc.call("evm_increaseTime", [seconds])
        self.rpc.call("evm_mine", [])

    def now(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def active(self) -> list[_Emc]:
        return [emc for emc in self.emcs if not emc.dissolved]

    # -- the year's phases ---------------------------------------------------------------

    def register(self) -> None:
        operator = self.operator
        operator.registry.add_member(self.treasury.address, Role.TREASURY)
        operator.registry.add_member(self.steward.address, Role.STEWARD)
        operator.registry.add_member(self.auditor.address, Role.AUDITOR)
        operator.connect(self.steward).guidelines.publish_formula(Strategy.EXPLORE, EXPLORE)
        calls = []
        for kind, role, accounts in (
            (ProfileKind.ME, Role.ME, self.mes),
            (ProfileKind.PARTNER, Role.PARTNER, self.partners),
        ):
            for number, account in enumerate(accounts, start=1):
                profile = Profile(f"{kind.value} {number}", kind, f"bench member {account.address}")
                data = self.registry("addMember", account.address, role.id, profile.hash)
                calls.append(Call(self.admin, self.deployment.registry, data, "addMember", GAS))
        self.sender.send(calls)

    def create_emcs(self) -> None:
        calls = [
            Call(
                self.admin,
                self.deployment.factory,
                self.factory(
                    "createEmc",
                    emc.owner.address,
                    int(Strategy.EXPLORE),
                    emc.criteria.as_abi(),
                    keccak(text=f"bench EMC {emc.index}"),
                ),
                f"createEmc: {emc.index}",
                GAS,
            )
            for emc in self.emcs
        ]
        receipts = self.sender.send(calls)
        created = self.operator.factory.contract.events.EmcCreated()
        blocks = [int(receipt["blockNumber"]) for receipt in receipts]
        by_owner = {
            log["args"]["owner"]: to_checksum_address(log["args"]["emc"])
            for log in created.get_logs(from_block=min(blocks), to_block=max(blocks))
        }
        reads = PinnedReads(self.w3, self.w3.eth.block_number)
        for emc in self.emcs:
            emc.address = by_owner[emc.owner.address]
            reads.add(self.operator.emc(emc.address), "terms")
        for emc, raw in zip(self.emcs, reads.execute(), strict=True):
            emc.terms = EmcTerms.from_abi(raw)
        # The owners' allowances, for every settlement of the year.
        self.sender.send(
            [
                Call(
                    emc.owner,
                    self.deployment.token,
                    self.token("approve", emc.address, MAX_UINT256),
                    "approve",
                    GAS,
                )
                for emc in self.emcs
            ]
        )

    def agree(self, month: int) -> None:
        """A new version in every active EMC: every party signs the draft, the owner
        proposes and activates it in one transaction (as ``Ledger.agree`` does)."""
        emcs = self.active()
        deadline = self.now() + SIGNING_WINDOW
        document = keccak(text=f"month {month} agreement")
        calls, trees = [], []
        for number, emc in enumerate(emcs):
            # Every version of the year is activated, so the nonce (activations so far) is
            # the number of versions before this one.
            version_id, nonce = emc.versions + 1, emc.versions
            emc.entries = _entries(emc, self.rng)
            tree = ShareTree(emc.entries)
            draft = Draft(emc.address, version_id, tree.entries, document, nonce, deadline)
            digest = self.shares.draft_digest(draft)
            if number == 0:
                self.shares.check_digest(draft, digest)
            parties = emc.parties()
            signatures = self.shares.sign(digest, parties)
            data = self.shares.agree(draft, tree, emc.active_tree, signatures, digest)
            gas = agree_gas(len(emc.entries), len(parties))
            calls.append(
                Call(emc.owner, emc.address, data, f"proposeAndActivateVersion: {emc.index}", gas)
            )
            trees.append(tree)
        self.sender.send(calls)
        for emc, tree in zip(emcs, trees, strict=True):
            emc.versions += 1
            emc.trees.append(tree)

    def bid_rounds(self) -> None:
        """One sealed-bid round in each of the first EMCs: three outside MEs bid, the owner
        invites two of them, who join the next version."""
        emcs = self.emcs[-self.config.bid_rounds :] if self.config.bid_rounds else []
        now = self.now()
        commit_by, reveal_by = now + 3 * DAY, now + 5 * DAY
        opened = [
            Call(
                emc.owner,
                emc.address,
                self.emc_calls("openBidRound", commit_by, reveal_by, keccak(text="call for bids")),
                "openBidRound",
                GAS,
            )
            for emc in emcs
        ]
        self.sender.send(opened)
        bids: dict[int, list[tuple[LocalAccount, tuple[int, int, int, bytes, bytes]]]] = {}
        commits = []
        for emc in emcs:
            outside = [m for m in self.mes if m not in emc.mes]
            for bidder in self.rng.sample(outside, 3):
                bid = (
                    self.rng.randint(100, 2_000),
                    self.rng.randint(1, 9) * 100_000_00,
                    self.rng.randint(50, 300),
                    keccak(text="proposal"),
                    self.rng.randbytes(32),
                )
                bids.setdefault(emc.index, []).append((bidder, bid))
                commitment = bid_commitment(emc.address, 1, bidder.address, *bid)
                data = self.emc_calls("commitBid", 1, commitment)
                commits.append(Call(bidder, emc.address, data, "commitBid", GAS))
        self.sender.send(commits)
        self.advance(3 * DAY + 60)
        reveals = [
            Call(bidder, emc.address, self.emc_calls("revealBid", 1, *bid), "revealBid", GAS)
            for emc in emcs
            for bidder, bid in bids[emc.index]
        ]
        self.sender.send(reveals)
        self.advance(2 * DAY + 60)
        invites = []
        for emc in emcs:
            invited = [bidder for bidder, _ in bids[emc.index][:2]]
            data = self.emc_calls("inviteBids", 1, [b.address for b in invited])
            invites.append(Call(emc.owner, emc.address, data, "inviteBids", GAS))
            emc.mes += invited
        self.sender.send(invites)

    def settle(self, month: int) -> set[int]:
        """The month's period in every active EMC; the EMCs that made a profit."""
        emcs = self.active()
        last = month == self.config.periods
        dissolving = {e.index for e in self.emcs[: self.config.dissolutions]} if last else set()
        reports: dict[int, PeriodReport] = {}
        for emc in emcs:
            assert emc.terms is not None
            if emc.index in dissolving:
                loss = emc.terms.loss_threshold - emc.losses + 100_00
            elif self.rng.random() < self.config.loss_rate:
                loss = round(emc.terms.target_revenue / 12 * self.rng.uniform(0.02, 0.06))
            else:
                loss = 0
            reports[emc.index] = _report(emc, self.rng, loss)
        mints = [
            Call(
                self.treasury,
                self.deployment.token,
                self.token(
                    "mint",
                    emc.owner.address,
                    reports[emc.index].profit,
                    keccak(text=f"month {month}"),
                ),
                "mint",
                GAS,
            )
            for emc in emcs
            if reports[emc.index].profit
        ]
        self.sender.send(mints)
        attested = [e for e in emcs if reports[e.index].cost > reports[e.index].revenue]
        deadline = self.now() + ATTESTATION_WINDOW
        digests = self.rpc.batch(
            (
                "eth_call",
                [
                    {
                        "to": emc.address,
                        "data": "0x"
                        + self.emc_calls(
                            "reportDigest", reports[emc.index].as_abi(), emc.periods + 1, deadline
                        ).hex(),
                    },
                    "latest",
                ],
            )
            for emc in attested
        )
        attestations = {
            emc.index: ReportAttestation(
                self.auditor.address,
                deadline,
                self.shares.sign(bytes.fromhex(str(d)[2:]), [self.auditor])[0].signature,
            )
            for emc, d in zip(attested, digests, strict=True)
        }
        calls = []
        for emc in emcs:
            report = reports[emc.index]
            if emc.index in attestations:
                data = self.emc_calls(
                    "settleAttested", report.as_abi(), attestations[emc.index].as_abi()
                )
                calls.append(Call(emc.owner, emc.address, data, "settleAttested", GAS))
            else:
                calls.append(
                    Call(
                        emc.owner,
                        emc.address,
                        self.emc_calls("settle", report.as_abi()),
                        "settle",
                        GAS,
                    )
                )
        self.sender.send(calls)
        for emc in emcs:
            assert emc.terms is not None
            emc.periods += 1
            report = reports[emc.index]
            if report.cost > report.revenue:
                covered = min(emc.capital, report.cost - report.revenue)
                emc.capital -= covered
                emc.losses += report.cost - report.revenue
                emc.dissolved = emc.losses >= emc.terms.loss_threshold
        return {emc.index for emc in emcs if reports[emc.index].profit}

    def claim(self, profitable: set[int]) -> None:
        """Operating and partner shareholders of the EMCs that made a profit claim, each
        with a chance of ``claim_rate`` (the others let their credit grow)."""
        calls = []
        for emc in self.emcs:
            if emc.index not in profitable or emc.dissolved:
                continue
            holders = {
                e.account
                for e in emc.entries
                if e.share_class in (ShareClass.OPERATING, ShareClass.PARTNER)
            }
            for account in emc.mes + emc.partners:
                if account.address in holders and self.rng.random() < self.config.claim_rate:
                    calls.append(
                        Call(
                            account,
                            emc.address,
                            self.shares.claim(account.address, emc.claim_trees(account.address)),
                            "claim",
                            CLAIM_GAS,
                        )
                    )
        self.sender.send(calls)

    def invest(self, month: int) -> None:
        """Every third month each partner of an active EMC puts INVESTMENT into its capital
        (the treasury mints it to them first)."""
        if month % INVEST_EVERY != 2 % INVEST_EVERY:
            return
        investors = [(emc, p) for emc in self.active() for p in emc.parties() if p in emc.partners]
        mints = [
            Call(
                self.treasury,
                self.deployment.token,
                self.token("mint", p.address, INVESTMENT, keccak(text="investment")),
                "mint",
                GAS,
            )
            for _, p in investors
        ]
        approvals = [
            Call(
                p,
                self.deployment.token,
                self.token("approve", emc.address, MAX_UINT256),
                "approve",
                GAS,
            )
            for emc, p in investors
            if p.address not in emc.approved
        ]
        self.sender.send(mints + approvals)
        for emc, p in investors:
            emc.approved.add(p.address)
            emc.capital += INVESTMENT
        calls = [
            Call(
                p,
                emc.address,
                self.shares.invest(INVESTMENT, p.address, _tree(emc)),
                "invest",
                INVEST_GAS,
            )
            for emc, p in investors
        ]
        self.sender.send(calls)

    def terminate(self) -> None:
        """Notice of one period to an ME (not the owner) in each of some EMCs: it is left
        out of the versions from the one after the next settlement."""
        start, end = self.config.dissolutions, len(self.emcs) - self.config.bid_rounds
        candidates = [e for e in self.emcs[start:end] if len(e.mes) > 3]
        picked = candidates[: self.config.terminations]
        calls = []
        for emc in picked:
            leaving = emc.mes[-1]
            reason = keccak(text="no longer needed")
            data = self.shares.terminate(leaving.address, 1, reason, _tree(emc))
            calls.append(Call(emc.owner, emc.address, data, "terminate", GAS))
            emc.notice[leaving.address] = emc.periods + 1
        self.sender.send(calls)

    def run(self) -> None:
        with self.phase("register members"):
            self.register()
        with self.phase("register EMCs"):
            self.create_emcs()
        for month in range(1, self.config.periods + 1):
            with self.phase("share versions"):
                self.agree(month)
            if month == 1:
                with self.phase("bid rounds"):
                    self.bid_rounds()
            with self.phase("settlements"):
                profitable = self.settle(month)
            with self.phase("claims"):
                self.claim(profitable)
            with self.phase("investments"):
                self.invest(month)
            if month == 1:
                with self.phase("terminations"):
                    self.terminate()
            self.advance(MONTH)
            self.log(f"month {month}/{self.config.periods}")


def _statements(events: Sequence[Decoded], emcs: Sequence[ChecksumAddress]) -> int:
    """Every EMC's statement over its own events (and the factory's, which create it)."""
    by_address: dict[str, list[Decoded]] = defaultdict(list)
    for decoded in events:
        by_address[decoded.log.address].append(decoded)
    drawn = 0
    for emc in emcs:
        statement = build_statement(emc, by_address[emc])
        drawn += statement.last_period >= 1
    return drawn


def play(
    w3: Web3, artifacts: Mapping[str, Artifact], config: ScaleConfig, folder: Path, log: Log
) -> ScaleResults:
    """The year on ``w3`` (an anvil of :func:`anvil_config`), then the index
    (a SQLite file in ``folder``), the verification and the statements."""
    started = time.perf_counter()
    miner = _Miner(str(getattr(w3.provider, "endpoint_uri", "")))
    with miner.running():
        return _play(w3, artifacts, config, folder, log, started)


def _play(
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    config: ScaleConfig,
    folder: Path,
    log: Log,
    started: float,
) -> ScaleResults:
    year = _Year(w3, artifacts, config, log)
    url = f"sqlite:///{folder / 'index.sqlite'}"
    db = IndexDb.open(url)
    indexed = 0
    try:
        indexer = Indexer(
            db, w3.provider, year.deployment, default_decoder(), IndexSettings(url=url)
        )

        def catch_up() -> None:
            nonlocal indexed
            indexed += indexer.sync().logs

        year.catch_up = catch_up
        try:
            year.run()
        finally:
            year.rpc.close()
        year.catch_up = None
        with year.phase(INDEX_PHASE):
            catch_up()
            with db.session() as session:
                point = checkpoint(session)
                assert point is not None
                events = decoded_logs(session, upto_block=point.block_number)
    finally:
        db.close()
    with year.phase("verification"):
        verification = verify(w3, artifacts, year.deployment, events, point.block_number)
    addresses = tuple(emc.address for emc in year.emcs)
    with year.phase("statements"):
        statements = _statements(events, addresses)
    ledger = Ledger(w3, year.deployment, artifacts)
    reads = PinnedReads(w3, point.block_number)
    for address in addresses:
        reads.add(ledger.emc(address), "totals")
    settled = sum(int(raw["periods"]) for raw in reads.execute())
    return ScaleResults(
        config=config,
        figures=year.figures,
        deployment=year.deployment,
        emcs=addresses,
        terminating=tuple(e.address for e in year.emcs if e.notice),
        departed=tuple(a for e in year.emcs for a in e.notice),
        members=config.mes + config.partners,
        memberships=sum(len(e.mes) + len(e.partners) for e in year.emcs),
        largest_emc=max(len(e.mes) + len(e.partners) for e in year.emcs),
        settled_periods=settled,
        versions=sum(e.versions for e in year.emcs),
        dissolved=sum(e.dissolved for e in year.emcs),
        departures=sum(len(e.notice) for e in year.emcs),
        indexed_events=indexed,
        verification=verification,
        statements=statements,
        seconds=time.perf_counter() - started,
    )


def run(artifacts: Mapping[str, Artifact], config: ScaleConfig, log: Log) -> ScaleResults:
    """:func:`play` on a private anvil, gone when it returns."""
    with (
        tempfile.TemporaryDirectory(prefix="rdh-scale-") as folder,
        AnvilNode(anvil_config(), Path(folder)) as node,
    ):
        return play(connect(node.rpc_url), artifacts, config, Path(folder), log)


def table(results: ScaleResults) -> Table:
    f = results.figures
    c = results.config
    out = Table(
        title=(
            f"A simulated year: {c.mes:,} MEs, {c.partners:,} partners, {c.emcs:,} EMCs "
            f"({results.memberships:,} memberships, the largest {results.largest_emc}), "
            f"{c.periods} periods"
        ),
        title_justify="left",
    )
    out.add_column("row")
    out.add_column("figure", justify="right")
    out.add_column("note")
    out.add_row(
        "transactions", f"{f.transactions:,}", f"{results.tx_per_s:,.0f} tx/s sent and mined"
    )
    out.add_row("events", f"{f.events:,}", f"{results.indexed_events:,} indexed (setup included)")
    out.add_row(
        "share versions",
        f"{results.versions:,}",
        "signed by every party as drafts, each proposed and activated in one transaction",
    )
    out.add_row(
        "periods settled", f"{results.settled_periods:,}", f"{results.dissolved} EMC(s) dissolved"
    )
    out.add_row("departures", f"{results.departures}", "notice given, left out of later versions")
    mismatches = len(results.verification.mismatches)
    out.add_row(
        "verification",
        "clean" if not mismatches else f"{mismatches:,} mismatches",
        f"{results.verification.emcs:,} EMCs, {results.verification.fields:,} fields",
    )
    out.add_row("statements", f"{results.statements:,}", "drawn from the index")
    for name, seconds in f.phases.items():
        out.add_row(f"time: {name}", f"{seconds:,.1f} s", "")
    out.add_row("time: whole year", f"{results.seconds:,.1f} s", "goal < 1,800 s on 2 cores")
    for operation, gas in f.gas.most_common():
        count = f.calls[operation]
        out.add_row(f"gas: {operation}", f"{gas:,}", f"{count:,} tx, {gas // count:,} each")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="a few EMCs over three periods")
    size.add_argument("--medium", action="store_true", help="200 EMCs over four periods")
    parser.add_argument(
        "--output", type=Path, default=None, help='write the figures under "scale" in PATH'
    )
    args = parser.parse_args(argv)
    config = QUICK if args.quick else MEDIUM if args.medium else FULL
    results = run(
        load_artifacts(), config, lambda m: print(f"... {m}", file=sys.stderr, flush=True)
    )
    console = Console() if sys.stdout.isatty() else Console(width=120)
    console.print(table(results))
    if args.output is not None:
        record: dict[str, Any] = {}
        if args.output.exists():
            record = json.loads(args.output.read_text(encoding="utf-8"))
        record["scale"] = results.record()
        args.output.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        print(f'results written to {args.output} (under "scale")')
    return 0 if not results.verification.mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
