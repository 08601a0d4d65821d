"""A platform's year on a local anvil: the history the index benchmarks read.

``generate`` deploys the contracts and plays one year of a platform running many EMCs
(48 by default), each an owner (its reporter) and 24 parties: 4 partners and 20 MEs,
half of them on an operating share, half on a value-added share, plus the development
fund. Through the year:

- every member is registered, every EMC created from the Smart Cooking guideline;
- the parties agree a share version every quarter (the partners' basis points move),
  proposed by the owner and activated with every party's EIP-712 signature;
- every day is a settled period: users, revenue, cost and profit drawn around each
  EMC's own scale, so some EMCs reach their target early, some late, some never, and
  the best fill their value-added pool; each month's last period is attested by the
  platform's auditor;
- the treasury mints each owner the month's profit ahead of it; the owner withdraws
  half of the month's development-fund share at its end;
- operating and partner shareholders claim once a week (on staggered days); value-added
  shareholders from the period their EMC reaches its target, while their pool still
  grows; the partners invest a little of it in their EMC every month.

That is about 120,000 events in 60,000 transactions. They are signed locally and sent
as JSON-RPC batches (:mod:`bench.batch`) with anvil's automining off; the generator
mines each round itself (``evm_mine`` with the round's time, so block times span the
year) and checks every receipt: each transaction must succeed, and the events are
counted from the receipts. A round only holds transactions that need nothing but
earlier blocks or their own sender's earlier nonces, so every claim is made after the
settlement that funds it, and none reverts: the generator mirrors the value-added pool
(target, fill point) to know when a value-added claim has something to take.

``python -m bench.history`` generates a year on a private anvil and prints its figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from bench.batch import BatchRpc, Encoder, Signer
from bench.setup import fresh_ledger
from rdh_chain.agreements import pack_signatures, sign_version
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.contracts import EmcClient
from rdh_chain.contracts.factory import FactoryClient
from rdh_chain.contracts.registry import RegistryClient
from rdh_chain.contracts.token import TokenClient
from rdh_chain.demo import EMC_METADATA, EXPLORE, SMART_COOKING
from rdh_chain.deployment import Deployment
from rdh_chain.ledger import Ledger
from rdh_chain.reports import sign_report
from rdh_chain.share_tree import ShareTree
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import (
    TOTAL_BPS,
    ZERO_ADDRESS,
    PartyRoles,
    PartySignature,
    PeriodReport,
    ReportAttestation,
    Role,
    ShareClass,
    ShareEntry,
    Strategy,
)

DAY = 86_400
HOUR = 3_600
# Gas limits: transactions are signed without an estimate. Activation checks one signature
# per party; the rest stay well under the default. Gas costs nothing here (price 0), and
# anvil runs without a block gas limit, so a round of any size is one block.
GAS = 1_500_000
GAS_BY_FUNCTION = {"proposeVersion": 6_000_000, "activateVersion": 8_000_000}
MAX_UINT256 = 2**256 - 1
# The anvil a history needs: no block gas limit (a round is one block, whatever its size).
ANVIL_ARGS = ("--disable-block-gas-limit",)

PARTNERS = 4
DEV_FUND_BPS = 900
PARTNER_BPS_BY_QUARTER = (400, 450, 500, 350)  # within the template's 200-600
SIGNING_WINDOW = 7 * DAY
ATTESTATION_WINDOW = 30 * DAY
INVESTMENT = 200_00  # fen a partner invests each month
MIN_POOL_GROWTH = 10_000  # fen of profit credited to the pool before a value-added claim


@dataclass(frozen=True)
class YearConfig:
    """The size of the year: EMCs, parties per EMC, periods (days), claim interval."""

    emcs: int = 48
    parties: int = 24  # per EMC, the development fund aside: PARTNERS partners, the rest MEs
    days: int = 365
    claim_every: int = 7  # days between a shareholder's claims
    versions: int = 4  # share versions in the year (one a quarter)
    seed: int = 2026

    def __post_init__(self) -> None:
        if self.parties <= PARTNERS + 1:
            raise ValueError(f"an EMC needs more than {PARTNERS + 1} parties here")
        if not 1 <= self.versions <= min(self.days, len(PARTNER_BPS_BY_QUARTER)):
            raise ValueError(f"1 to {len(PARTNER_BPS_BY_QUARTER)} versions, one per quarter")


@dataclass(frozen=True)
class History:
    """What ``generate`` left on the chain."""

    deployment: Deployment
    operator: Ledger  # the deployment's admin (its sender's nonce is stale: forget_nonces)
    emcs: tuple[ChecksumAddress, ...]
    first_block: int  # the deployment's block
    last_block: int
    events: int  # logs emitted from first_block to last_block
    transactions: int  # sent as batches (the SDK's few setup transactions aside)
    seconds: float  # generating, setup included
    send_seconds: float  # signing, sending, mining and checking the batches
    events_by_name: dict[str, int]
    transactions_by_function: dict[str, int]

    @property
    def tx_per_s(self) -> float:
        return self.transactions / self.send_seconds


@dataclass
class _Member:
    signer: Signer
    share_class: ShareClass  # PARTNER, OPERATING or VALUE_ADDED
    claim_day: int  # claims on days d with d % claim_every == claim_day
    pool_at_last_claim: int = 0  # the EMC's pool accrual when it last claimed (value-added)
    invested: bool = False
    synced_epoch: int | None = None  # the epoch its last claim brought it up to date in


@dataclass
class _Emc:
    index: int
    owner: Signer
    members: list[_Member]
    reports: list[PeriodReport]  # one per day
    address: ChecksumAddress = ZERO_ADDRESS
    client: EmcClient | None = None
    target_users: int = 0
    target_revenue: int = 0
    sharing_space: int = 0
    users: int = 0
    revenue: int = 0
    target_reached: bool = False
    pool_bps: int = 0
    pool_accrued: int = 0  # in fen x bps, as the contract keeps it
    pool_full: bool = False
    versions: int = 0
    pending_entries: list[ShareEntry] = field(default_factory=list)
    trees: list[ShareTree] = field(default_factory=list)  # each activated version's, by epoch

    def claim_proofs(self, member: _Member) -> list[Any]:
        """What ``member``'s claim must show: its share in each epoch since its last claim
        (the contract walks them), and then it is up to date in the latest."""
        start = 0 if member.synced_epoch is None else member.synced_epoch + 1
        address = member.signer.address
        member.synced_epoch = len(self.trees) - 1
        return [tree.proof(address).as_abi() for tree in self.trees[start:]]

    def party_path(self, member: _Member) -> Any:
        """``member``'s leaf in the active version (investing needs it)."""
        return self.trees[-1].party_path(member.signer.address).as_abi()

    def current_parties(self) -> list[ChecksumAddress]:
        return self.trees[-1].parties if self.trees else []

    def current_roles(self) -> PartyRoles:
        return self.trees[-1].roles if self.trees else PartyRoles()

    def entries(self, partner_bps: int) -> list[ShareEntry]:
        """The quarter's version: partners at ``partner_bps``, the fund at DEV_FUND_BPS, the
        MEs (operating and value-added alike) sharing the rest, the first the remainder."""
        mes = [m for m in self.members if m.share_class is not ShareClass.PARTNER]
        partners = [m for m in self.members if m.share_class is ShareClass.PARTNER]
        each, remainder = divmod(TOTAL_BPS - DEV_FUND_BPS - partner_bps * len(partners), len(mes))
        entries = [
            ShareEntry(m.signer.address, m.share_class, each + (remainder if i == 0 else 0))
            for i, m in enumerate(mes)
        ]
        entries += [ShareEntry(m.signer.address, ShareClass.PARTNER, partner_bps) for m in partners]
        entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, DEV_FUND_BPS))
        return sorted(entries, key=lambda e: e.sort_key)

    def settled(self, report: PeriodReport) -> None:
        """Mirror what the contract does with a profitable period: the users and revenue
        towards the target, the pool's part of the profit up to the sharing space."""
        self.users += report.users
        self.revenue += report.revenue
        if self.pool_bps and not self.pool_full:
            room = self.sharing_space * TOTAL_BPS - self.pool_accrued
            credit = self.pool_bps * report.profit
            if credit <= room:
                self.pool_accrued += credit
            else:
                self.pool_accrued += (room // self.pool_bps) * self.pool_bps
                self.pool_full = True
        if self.users >= self.target_users and self.revenue >= self.target_revenue:
            self.target_reached = True

    def can_claim(self, member: _Member) -> bool:
        """Whether ``member`` has something to claim (every period pays the others)."""
        if member.share_class is not ShareClass.VALUE_ADDED:
            return True
        grown = self.pool_accrued - member.pool_at_last_claim
        return self.target_reached and grown >= MIN_POOL_GROWTH * self.pool_bps


def _reports(rng: random.Random, scale: float, days: int) -> list[PeriodReport]:
    """A year of daily reports around ``scale`` (1.0: the target in about 10 months)."""
    reports = []
    for _ in range(days):
        users = max(1, round(scale * rng.uniform(50, 110)))
        revenue = users * rng.randint(30_000, 50_000)  # 300 to 500 RMB a user, in fen
        cost = round(revenue * rng.uniform(0.86, 0.94))
        reports.append(
            PeriodReport(
                users=users, units=users, revenue=revenue, cost=cost, profit=revenue - cost
            )
        )
    return reports


class _Rounds:
    """Signs transactions into the current round, then mines it as one block."""

    def __init__(self, rpc: BatchRpc, log: Callable[[str], None]) -> None:
        self.rpc = rpc
        self.log = log
        self.raw: list[bytes] = []
        self.labels: list[str] = []
        self.sent = 0
        self.events = 0
        self.by_name: Counter[str] = Counter()
        self.by_function: Counter[str] = Counter()
        self.topics: dict[str, str] = {}  # event topic -> name

    def add(self, signer: Signer, to: ChecksumAddress, fn_name: str, data: bytes) -> None:
        self.raw.append(signer.sign(to, data, GAS_BY_FUNCTION.get(fn_name, GAS)))
        self.labels.append(fn_name)
        self.by_function[fn_name] += 1

    def mine(self, timestamp: int | None) -> int:
        """Send the round, mine it at ``timestamp`` (now if None), check every receipt;
        the block's number."""
        hashes = self.rpc.send_raw(self.raw)
        self.rpc.call("evm_mine", [] if timestamp is None else [timestamp])
        block = self.rpc.call("eth_getBlockByNumber", ["latest", False])
        number = int(block["number"], 16)
        receipts = self.rpc.call("eth_getBlockReceipts", [block["number"]])
        if len(receipts) != len(hashes):
            raise RuntimeError(
                f"block {number} holds {len(receipts)} of the round's {len(hashes)} transactions"
            )
        failed = [r for r in receipts if r["status"] != "0x1"]
        if failed:
            label = dict(zip(hashes, self.labels, strict=True))
            raise RuntimeError(
                f"block {number}: {len(failed)} transactions reverted, the first "
                f"{label.get(failed[0]['transactionHash'], '?')} ({failed[0]['transactionHash']})"
            )
        for receipt in receipts:
            for log in receipt["logs"]:
                self.events += 1
                self.by_name[self.topics.get(log["topics"][0], log["topics"][0])] += 1
        self.sent += len(hashes)
        self.raw, self.labels = [], []
        return number


def _event_topics(artifacts: Mapping[str, Artifact]) -> dict[str, str]:
    topics: dict[str, str] = {}
    for artifact in artifacts.values():
        for item in artifact.abi:
            if item.get("type") == "event":
                types = ",".join(_canonical(i) for i in item["inputs"])
                topic = "0x" + keccak(text=f"{item['name']}({types})").hex()
                topics[topic] = str(item["name"])
    return topics


def _canonical(item: Mapping[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_canonical(c) for c in item["components"]) + ")" + kind[5:]
    return kind


def generate(
    w3: Web3,
    artifacts: Mapping[str, Artifact],
    config: YearConfig | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> History:
    """Deploy and play ``config``'s year on ``w3`` (an anvil, automining on entry and on
    exit; started with ``ANVIL_ARGS``)."""
    config = config or YearConfig()
    log = progress or (lambda message: None)
    started = time.perf_counter()
    rng = random.Random(config.seed)
    chain_id = w3.eth.chain_id

    # Setup through the SDK: the deployment, the platform's roles, the guideline.
    treasury, steward, auditor = (Account.create() for _ in range(3))
    operator = fresh_ledger(w3, artifacts)
    deployment = operator.deployment
    operator.registry.add_member(treasury.address, Role.TREASURY)
    operator.registry.add_member(steward.address, Role.STEWARD)
    operator.registry.add_member(auditor.address, Role.AUDITOR)
    operator.connect(steward).guidelines.publish_formula(Strategy.EXPLORE, EXPLORE)
    assert operator.sender is not None

    def signer(account: LocalAccount, nonce: int = 0) -> Signer:
        return Signer(account, chain_id, nonce)

    admin = signer(
        operator.sender.account, w3.eth.get_transaction_count(operator.sender.address, "pending")
    )
    mint = signer(treasury)
    admin.check()
    emcs: list[_Emc] = []
    for index in range(config.emcs):
        members = [
            _Member(
                signer(Account.create()),
                ShareClass.PARTNER
                if i < PARTNERS
                else (ShareClass.OPERATING if i % 2 == 0 else ShareClass.VALUE_ADDED),
                claim_day=rng.randrange(config.claim_every),
            )
            for i in range(config.parties)
        ]
        scale = 0.55 + 0.9 * index / max(1, config.emcs - 1)
        emcs.append(
            _Emc(index, signer(Account.create()), members, _reports(rng, scale, config.days))
        )

    registry = Encoder(RegistryClient.abi(artifacts))
    factory = Encoder(FactoryClient.abi(artifacts))
    token = Encoder(TokenClient.abi(artifacts))
    emc_calls = Encoder(EmcClient.abi(artifacts))
    rpc_url = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
    rpc = BatchRpc(rpc_url)
    rounds = _Rounds(rpc, log)
    rounds.topics = _event_topics(artifacts)
    send_started = time.perf_counter()
    rpc.call("evm_setAutomine", [False])
    try:
        # Round 0, now: every owner and member registered, then the EMCs created (one sender,
        # so in this order within the block).
        for emc in emcs:
            accounts = [(emc.owner, Role.ME)] + [
                (m.signer, Role.PARTNER if m.share_class is ShareClass.PARTNER else Role.ME)
                for m in emc.members
            ]
            for account, role in accounts:
                metadata = keccak(text=f"bench member {account.address}")
                data = registry("addMember", account.address, role.id, metadata)
                rounds.add(admin, deployment.registry, "addMember", data)
        for emc in emcs:
            data = factory(
                "createEmc",
                emc.owner.address,
                int(Strategy.EXPLORE),
                SMART_COOKING.as_abi(),
                EMC_METADATA,
            )
            rounds.add(admin, deployment.factory, "createEmc", data)
        created = rounds.mine(None)
        _read_emcs(w3, operator, emcs, created)
        log(f"{len(emcs)} EMCs with {config.parties} parties each registered in block {created}")

        now = int(w3.eth.get_block("latest")["timestamp"])
        year_start = now - now % DAY + 2 * DAY
        month_of = [(day * 12) // config.days for day in range(config.days)]
        quarter_of = [(day * config.versions) // config.days for day in range(config.days)]

        def month_profit(emc: _Emc, month: int) -> int:
            return sum(r.profit for d, r in enumerate(emc.reports) if month_of[d] == month)

        # Before the year: the first month's money, the owners' allowances.
        for emc in emcs:
            rounds.add(
                mint,
                deployment.token,
                "mint",
                token("mint", emc.owner.address, month_profit(emc, 0), keccak(text="month 0")),
            )
            rounds.add(
                emc.owner,
                deployment.token,
                "approve",
                token("approve", emc.address, MAX_UINT256),
            )
        rounds.mine(year_start - 12 * HOUR)

        for day in range(config.days):
            midnight = year_start + day * DAY
            if day == 0 or quarter_of[day] != quarter_of[day - 1]:
                partner_bps = PARTNER_BPS_BY_QUARTER[quarter_of[day]]
                _agree(rounds, emcs, emc_calls, partner_bps, midnight)
            month_ends = day + 1 == config.days or month_of[day + 1] != month_of[day]
            deadline = midnight + ATTESTATION_WINDOW
            if month_ends:
                attestations = _attest(rounds.rpc, emcs, emc_calls, auditor, day, deadline)
            for emc in emcs:
                report = emc.reports[day]
                if month_ends:
                    attestation = attestations[emc.index]
                    data = emc_calls("settleAttested", report.as_abi(), attestation.as_abi())
                    rounds.add(emc.owner, emc.address, "settleAttested", data)
                    fund = month_profit(emc, month_of[day]) * DEV_FUND_BPS // TOTAL_BPS // 2
                    purpose = keccak(text=f"development, month {month_of[day]}")
                    data = emc_calls("withdrawDevFund", emc.owner.address, fund, purpose)
                    rounds.add(emc.owner, emc.address, "withdrawDevFund", data)
                    if day + 1 < config.days:
                        month = month_of[day + 1]
                        data = token(
                            "mint",
                            emc.owner.address,
                            month_profit(emc, month),
                            keccak(text=f"month {month}"),
                        )
                        rounds.add(mint, deployment.token, "mint", data)
                else:
                    data = emc_calls("settle", report.as_abi())
                    rounds.add(emc.owner, emc.address, "settle", data)
                emc.settled(report)
            rounds.mine(midnight + 18 * HOUR)

            for emc in emcs:
                for member in emc.members:
                    if day % config.claim_every == member.claim_day and emc.can_claim(member):
                        data = emc_calls("claim", emc.claim_proofs(member))
                        rounds.add(member.signer, emc.address, "claim", data)
                        member.pool_at_last_claim = emc.pool_accrued
            rounds.mine(midnight + 20 * HOUR)
            # On each month's 15th the partners invest some of what they claimed.
            if (
                day >= 14
                and month_of[day - 14] == month_of[day]
                and (day == 14 or month_of[day - 15] != month_of[day])
            ):
                for emc in emcs:
                    for member in emc.members:
                        if member.share_class is not ShareClass.PARTNER:
                            continue
                        if not member.invested:
                            data = token("approve", emc.address, MAX_UINT256)
                            rounds.add(member.signer, deployment.token, "approve", data)
                            member.invested = True
                        data = emc_calls("invest", INVESTMENT, emc.party_path(member))
                        rounds.add(member.signer, emc.address, "invest", data)
                rounds.mine(midnight + 21 * HOUR)
            if (day + 1) % 30 == 0 or day + 1 == config.days:
                log(
                    f"day {day + 1}/{config.days}: {rounds.sent:,} transactions, "
                    f"{rounds.events:,} events"
                )
        last_block = int(rpc.call("eth_blockNumber"), 16)
    finally:
        rpc.call("evm_setAutomine", [True])
        rpc.close()
    send_seconds = time.perf_counter() - send_started
    setup_events = _count_events(BatchRpc(rpc_url), deployment.block, created - 1)
    return History(
        deployment=deployment,
        operator=operator,
        emcs=tuple(emc.address for emc in emcs),
        first_block=deployment.block,
        last_block=last_block,
        events=rounds.events + setup_events,
        transactions=rounds.sent,
        seconds=time.perf_counter() - started,
        send_seconds=send_seconds,
        events_by_name=dict(rounds.by_name.most_common()),
        transactions_by_function=dict(rounds.by_function.most_common()),
    )


HISTORY_FILE = "history.json"  # beside the anvil state file (rdh_chain.chain's STATE_FILENAME)


def save(history: History, folder: Path) -> None:
    """Write what ``load`` needs beside the chain's state (the anvil's state file, written
    when the anvil that holds the history exits): the figures and the admin's key."""
    assert history.operator.sender is not None
    record = {
        "deployment": dataclasses.asdict(history.deployment),
        "admin_key": history.operator.sender.account.key.hex(),
        "emcs": list(history.emcs),
        "first_block": history.first_block,
        "last_block": history.last_block,
        "events": history.events,
        "transactions": history.transactions,
        "seconds": history.seconds,
        "send_seconds": history.send_seconds,
        "events_by_name": history.events_by_name,
        "transactions_by_function": history.transactions_by_function,
    }
    folder.mkdir(parents=True, exist_ok=True)
    (folder / HISTORY_FILE).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")


def load(w3: Web3, artifacts: Mapping[str, Artifact], folder: Path) -> History:
    """The history ``save`` recorded in ``folder``, on ``w3`` (an anvil started on its state)."""
    record = json.loads((folder / HISTORY_FILE).read_text(encoding="utf-8"))
    deployment = Deployment(**record["deployment"])
    if int(w3.eth.block_number) < record["last_block"]:
        raise RuntimeError(f"the chain at {w3.provider} does not hold the history in {folder}")
    admin = Account.from_key(record["admin_key"])
    return History(
        deployment=deployment,
        operator=Ledger(w3, deployment, artifacts).connect(admin),
        emcs=tuple(record["emcs"]),
        first_block=record["first_block"],
        last_block=record["last_block"],
        events=record["events"],
        transactions=record["transactions"],
        seconds=record["seconds"],
        send_seconds=record["send_seconds"],
        events_by_name=record["events_by_name"],
        transactions_by_function=record["transactions_by_function"],
    )


def _read_emcs(w3: Web3, operator: Ledger, emcs: Sequence[_Emc], block: int) -> None:
    """Each EMC's address (from the factory's EmcCreated logs of ``block``) and terms."""
    created = operator.factory.contract.events.EmcCreated().get_logs(
        from_block=block, to_block=block
    )
    by_owner = {log["args"]["owner"]: log["args"]["emc"] for log in created}
    for emc in emcs:
        emc.address = to_checksum_address(by_owner[emc.owner.address])
        emc.client = operator.emc(emc.address)
        terms = emc.client.terms()
        emc.target_users = terms.target_users
        emc.target_revenue = terms.target_revenue
        emc.sharing_space = terms.sharing_space


def _agree(
    rounds: _Rounds, emcs: Iterable[_Emc], calls: Encoder, partner_bps: int, midnight: int
) -> None:
    """A new share version in every EMC: proposed in one block, signed by every party
    (against the typed data read back from the chain) and activated in the next."""
    proposed_at = midnight + 9 * HOUR
    emcs = list(emcs)
    for emc in emcs:
        emc.pending_entries = emc.entries(partner_bps)
        data = calls(
            "proposeVersion",
            [e.as_abi() for e in emc.pending_entries],
            bytes(32),
            proposed_at + SIGNING_WINDOW,
            emc.current_parties(),
            emc.current_roles().as_abi(),
        )
        rounds.add(emc.owner, emc.address, "proposeVersion", data)
    rounds.mine(proposed_at)
    # Every party signs the digest the contract computes for the version (one batch of
    # calls); the SDK's typed data, signed by eth_account, must give the same signature.
    digests = _call_each(
        rounds.rpc, [(emc.address, calls("versionDigest", emc.versions + 1)) for emc in emcs]
    )
    for emc, digest in zip(emcs, digests, strict=True):
        version_id = emc.versions + 1
        signatures = [
            PartySignature(m.signer.address, m.signer.sign_digest(digest)) for m in emc.members
        ]
        if emc is emcs[0]:
            assert emc.client is not None
            typed = emc.client.typed_data(version_id)
            expected = sign_version(emc.members[0].signer.account, typed)
            if expected != signatures[0]:
                raise RuntimeError("the parties' signatures differ from the SDK's")
        roles = ShareTree(emc.pending_entries).roles.as_abi()
        data = calls("activateVersion", version_id, pack_signatures(signatures, digest), roles)
        rounds.add(emc.owner, emc.address, "activateVersion", data)
        emc.versions = version_id
        emc.trees.append(ShareTree(emc.pending_entries))
        emc.pool_bps = sum(
            e.bps for e in emc.pending_entries if e.share_class is ShareClass.VALUE_ADDED
        )
    rounds.mine(proposed_at + HOUR)


def _attest(
    rpc: BatchRpc,
    emcs: Sequence[_Emc],
    calls: Encoder,
    auditor: LocalAccount,
    day: int,
    deadline: int,
) -> list[ReportAttestation]:
    """The auditor's attestation of each EMC's report of ``day``, signing the digests the
    contracts compute (one batch of calls); the first checked against the SDK's."""
    period = day + 1
    digests = _call_each(
        rpc,
        [
            (emc.address, calls("reportDigest", emc.reports[day].as_abi(), period, deadline))
            for emc in emcs
        ],
    )
    signer = Signer(auditor, 0)
    attestations = [
        ReportAttestation(auditor.address, deadline, signer.sign_digest(digest))
        for digest in digests
    ]
    first = emcs[0]
    assert first.client is not None
    typed = first.client.report_typed_data(first.reports[day], deadline=deadline, period=period)
    expected = sign_report(auditor, typed)
    if expected != attestations[0]:
        raise RuntimeError("the auditor's attestation differs from the SDK's")
    return attestations


def _call_each(rpc: BatchRpc, calls: Sequence[tuple[ChecksumAddress, bytes]]) -> list[bytes]:
    """``eth_call`` each (address, calldata) at the latest block, in one batch."""
    results = rpc.batch(
        ("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"]) for to, data in calls
    )
    return [bytes.fromhex(result[2:]) for result in results]


def _count_events(rpc: BatchRpc, first: int, last: int) -> int:
    """Logs from ``first`` to ``last`` (inclusive), every address."""
    if last < first:
        return 0
    logs = rpc.call("eth_getLogs", [{"fromBlock": hex(first), "toBlock": hex(last)}])
    return len(logs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__)
    parser.add_argument("--emcs", type=int, default=YearConfig.emcs)
    parser.add_argument("--parties", type=int, default=YearConfig.parties)
    parser.add_argument("--days", type=int, default=YearConfig.days)
    args = parser.parse_args(argv)
    config = YearConfig(emcs=args.emcs, parties=args.parties, days=args.days)
    from rdh_chain.toolchain.artifacts import load_artifacts

    artifacts = load_artifacts()
    with (
        tempfile.TemporaryDirectory(prefix="rdh-history-") as folder,
        AnvilNode(AnvilConfig(port=free_port(), extra_args=ANVIL_ARGS), Path(folder)) as node,
    ):
        w3 = connect(node.rpc_url)
        history = generate(
            w3, artifacts, config, progress=lambda m: print(f"... {m}", file=sys.stderr)
        )
    print(
        f"{history.events:,} events in {history.transactions:,} batched transactions, "
        f"blocks {history.first_block}-{history.last_block}, {history.seconds:.1f} s "
        f"({history.tx_per_s:,.0f} tx/s signed, sent, mined and checked)"
    )
    for name, count in history.events_by_name.items():
        print(f"  {count:>8,} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
