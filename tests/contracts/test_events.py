"""Events an auditor can replay (audit finding 13): a whole lifecycle, read back from logs.

Two EMCs live through everything the contracts do. EMC A (target reached, pool filled):
a reporter, two share versions, profit periods, claims that mix value-added and other
credit, an investment, notices, a sealed-bid round, an attested loss paid from capital, a
fund withdrawal and a sweep. EMC B (short of its target): investments, attested losses
that wipe the capital out and dissolve it, capital claims of the released pool, a sweep
after dissolution. The registry suspends, reinstates and revokes meanwhile.

Every log at the EMCs', the factory's, the registry's and the token's addresses must decode
with the SDK's ABIs (``EmcClient.abi`` merges EMC and EMCModule), the new fields must say
what the chain holds, and the totals an auditor sums from the logs alone must equal the
contracts' views.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_typing import ChecksumAddress
from eth_utils.abi import event_abi_to_log_topic
from eth_utils.crypto import keccak
from web3.contract import Contract
from web3.types import EventData, RPCEndpoint

from rdh_chain import events as ev
from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.events import (
    CapitalReturned,
    Claimed,
    EmcDissolved,
    EventDecoder,
    LossAbsorbed,
    RawLog,
    TargetReached,
    ValueAddedPoolFilled,
    fetch_logs,
)
from rdh_chain.exceptions import ArtifactError
from rdh_chain.structs import snake_case
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcStatus,
    EmcTerms,
    PeriodReport,
    Role,
    ShareClass,
    ShareEntry,
)
from tests.contracts.helpers import (
    TERMS_REASON,
    Cast,
    attest,
    increase_time,
    latest_timestamp,
    new_account,
    revert,
    snapshot,
)

TERMS_A = EmcTerms(10, 100_000, 2_000, 10**7, metadata=keccak(text="EMC A"))
TERMS_B = EmcTerms(10**6, 10**12, 10**6, 50_000, metadata=keccak(text="EMC B"))
REASON = keccak(text="missed deliveries")
PURPOSE = keccak(text="test kitchen")
PLACES = keccak(text="places offered")
# Events the ABIs declare that no call of these contracts emits, and why.
NEVER_EMITTED = {
    "EIP712DomainChanged": "the EMC's EIP-712 domain is fixed (ERC-5267 declares the event)",
    "Burned": "no fiat is paid out in this lifecycle",
    "EmcTermsGenerated": "both EMCs have terms set by hand (test_guidelines.py covers it)",
}
_VERSION_TYPEHASH = keccak(
    text="ShareVersion(uint256 versionId,ShareEntry[] entries,bytes32 documentHash,uint256 nonce,"
    "uint256 deadline)ShareEntry(address account,uint8 shareClass,uint16 bps)"
)
_ENTRY_TYPEHASH = keccak(text="ShareEntry(address account,uint8 shareClass,uint16 bps)")


@dataclass
class Lifecycle:
    cast: Cast
    a: EmcClient
    b: EmcClient
    results: dict[str, TxResult] = field(default_factory=dict)

    def logs(self, address: ChecksumAddress, contract: Contract) -> list[EventData]:
        return decode_all(self.cast, address, contract)


def _entries_a(cast: Cast, owner_bps: int, me1_bps: int) -> list[ShareEntry]:
    m = cast.mes
    return [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(m[1].address, ShareClass.OPERATING, me1_bps),
        ShareEntry(m[1].address, ShareClass.VALUE_ADDED, 500),
        ShareEntry(m[0].address, ShareClass.OPERATING, owner_bps),
        ShareEntry(m[2].address, ShareClass.VALUE_ADDED, 500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]


def _attested(cast: Cast, emc: EmcClient, report: PeriodReport) -> TxResult:
    owner = cast.as_(cast.owner)
    return owner.settle(emc, report, attest(cast, emc, report))[1]


def _run(cast: Cast) -> Lifecycle:
    admin, owner = cast.as_(cast.admin), cast.as_(cast.owner)
    m = cast.mes
    r: dict[str, TxResult] = {}
    address_a, r["create_a"] = admin.factory.create_emc_with_terms(
        m[0].address, TERMS_A, TERMS_REASON
    )
    address_b, r["create_b"] = admin.factory.create_emc_with_terms(
        m[0].address, TERMS_B, TERMS_REASON
    )
    a, b = owner.emc(address_a), owner.emc(address_b)
    life = Lifecycle(cast, a, b, r)

    # -- EMC A --------------------------------------------------------------------------
    r["reporter"] = a.set_reporter(m[1].address)
    _, r["v1_a"] = cast.agree(address_a, _entries_a(cast, 5_000, 2_000))
    cast.mint(m[1].address, 10_000)
    reporter = cast.as_(m[1])
    _, r["p1_a"] = reporter.settle(
        reporter.emc(address_a), PeriodReport(5, 5, 50_000, 40_000, 10_000)
    )
    # Target reached (10 users, 110,000 fen) and the pool filled: 20,000 fen of profit fit.
    _, r["p2_a"] = owner.settle(a, PeriodReport(5, 5, 60_000, 30_000, 30_000))
    for name, wallet in (("claim_me1", m[1]), ("claim_me2", m[2]), ("claim_chef", cast.chef)):
        _, r[name] = cast.as_(wallet).emc(address_a).claim()
    cast.mint(m[2].address, 5_000)
    investor = cast.as_(m[2])
    _, r["invest_a"] = investor.invest(investor.emc(address_a), 5_000)
    r["resign"] = cast.as_(cast.chef).emc(address_a).resign(2, REASON)
    r["terminate"] = a.terminate(cast.chef.address, 1, REASON)
    _, r["v2_a"] = cast.agree(address_a, _entries_a(cast, 4_500, 2_500))
    now = latest_timestamp(cast.w3)
    round_id, r["open"] = a.open_bid_round(now + 1_000, now + 2_000, PLACES)
    sealed = SealedBid.seal(address_a, round_id, m[3].address, 1_000, 50_000, 300, PLACES)
    bidder = cast.as_(m[3]).emc(address_a)
    r["commit"] = bidder.commit_bid(round_id, sealed.commitment)
    increase_time(cast.w3, 1_001)
    r["reveal"] = bidder.reveal_sealed(sealed)
    increase_time(cast.w3, 1_000)
    r["invite"] = a.invite_bids(round_id, [m[3].address])
    r["p3_a"] = _attested(cast, a, PeriodReport(1, 1, 1_000, 2_000, 0))  # a loss of 1,000
    r["withdraw"] = a.withdraw_dev_fund(m[4].address, 2_500, PURPOSE)
    cast.mint(address_a, 77)
    _, r["sweep_a"] = cast.as_(cast.treasury).emc(address_a).sweep()

    # -- the registry, meanwhile ----------------------------------------------------------
    registry = admin.registry
    registry.suspend(m[5].address, keccak(text="audit"))
    registry.reinstate(m[5].address, keccak(text="cleared"))
    newcomer = new_account()
    registry.add_member(newcomer.address, Role.PARTNER, keccak(text="newcomer"))
    registry.set_metadata(newcomer.address, keccak(text="newcomer, updated"))
    registry.revoke_role(newcomer.address, Role.PARTNER)

    # -- EMC B --------------------------------------------------------------------------
    entries_b = [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(m[0].address, ShareClass.OPERATING, 7_000),
        ShareEntry(m[3].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]
    cast.agree(address_b, entries_b)
    owner.settle(b, PeriodReport(10, 10, 200_000, 100_000, 100_000))  # the pool: 10,000 fen
    for wallet, amount in ((m[3], 20_000), (cast.chef, 10_000)):
        cast.mint(wallet.address, amount)
        ledger = cast.as_(wallet)
        ledger.invest(ledger.emc(address_b), amount)
    r["p2_b"] = _attested(cast, b, PeriodReport(1, 1, 5_000, 30_000, 0))  # 25,000 covered
    r["p3_b"] = _attested(cast, b, PeriodReport(1, 1, 0, 30_000, 0))  # 5,000: wiped, dissolved
    _, r["capital_me3"] = cast.as_(m[3]).emc(address_b).claim_capital()
    _, r["capital_chef"] = cast.as_(cast.chef).emc(address_b).claim_capital()
    _, r["claim_b_chef"] = cast.as_(cast.chef).emc(address_b).claim()
    cast.mint(address_b, 5)
    _, r["sweep_b"] = b.sweep()
    return life


@pytest.fixture(scope="module")
def life(cast: Cast) -> Iterator[Lifecycle]:
    """The lifecycle, run once for the module's tests and rolled back after them."""
    snapshot_id = snapshot(cast.w3)
    cast.refresh()
    try:
        yield _run(cast)
    finally:
        revert(cast.w3, snapshot_id)
        cast.refresh()


def decode_all(cast: Cast, address: ChecksumAddress, contract: Contract) -> list[EventData]:
    """Every log ``address`` emitted since the deployment, decoded with ``contract``'s ABI;
    a log no event of the ABI matches fails the test."""
    by_topic = {
        event_abi_to_log_topic(item): item["name"]
        for item in contract.abi
        if item["type"] == "event" and not item.get("anonymous")
    }
    raw = cast.w3.eth.get_logs(
        {"address": address, "fromBlock": cast.deployment.block, "toBlock": "latest"}
    )
    decoded = []
    for log in raw:
        name = by_topic.get(bytes(log["topics"][0]))
        assert name is not None, f"log {log['topics'][0].hex()} at {address} matches no event"
        decoded.append(contract.events[name]().process_log(log))
    return decoded


def _of(logs: list[EventData], name: str) -> list[dict[str, Any]]:
    return [dict(log["args"]) for log in logs if log["event"] == name]


def _emc_contract(cast: Cast, address: ChecksumAddress) -> Contract:
    return cast.w3.eth.contract(address=address, abi=EmcClient.abi(cast.artifacts))


# -- every log decodes ----------------------------------------------------------------------


def test_every_log_of_the_lifecycle_decodes_with_the_sdk_abis(life: Lifecycle) -> None:
    cast = life.cast
    ledger = cast.ledger
    sources = {
        life.a.address: _emc_contract(cast, life.a.address),
        life.b.address: _emc_contract(cast, life.b.address),
        ledger.factory.address: ledger.factory.contract,
        ledger.registry.address: ledger.registry.contract,
        ledger.token.address: ledger.token.contract,
    }
    seen: Counter[str] = Counter()
    for address, contract in sources.items():
        logs = life.logs(address, contract)
        assert logs, address
        # The receipts hold nothing else at these addresses: every log was found and decoded.
        seen.update(log["event"] for log in logs)
    declared = {
        item["name"]
        for contract in sources.values()
        for item in contract.abi
        if item["type"] == "event"
    }
    # Every kind of event is in the lifecycle's logs, except those nothing emits (listed).
    assert set(seen) == declared - set(NEVER_EMITTED)
    assert set(NEVER_EMITTED) <= declared


def test_each_transaction_emits_only_decodable_logs_at_rdh_chain_addresses(
    life: Lifecycle,
) -> None:
    # Receipts, not the log index: nothing in a lifecycle transaction is emitted elsewhere.
    cast = life.cast
    ours = {
        life.a.address,
        life.b.address,
        cast.ledger.factory.address,
        cast.ledger.registry.address,
        cast.ledger.token.address,
    }
    for name, result in life.results.items():
        for log in result.receipt["logs"]:
            assert log["address"] in ours, (name, log["address"])


# -- what the new fields say ------------------------------------------------------------


def test_version_activated_carries_the_versions_header(life: Lifecycle) -> None:
    for emc in (life.a, life.b):
        logs = life.logs(emc.address, emc.contract)
        activated = _of(logs, "VersionActivated")
        assert [e["versionId"] for e in activated] == list(range(1, len(activated) + 1))
        for event in activated:
            version = emc.version(event["versionId"])
            assert bytes(event["structHash"]) == version.struct_hash
            assert event["partyCount"] == version.party_count
            assert event["valueAddedBps"] == version.value_added_bps
            assert (event["epoch"], event["fromPeriod"]) == (version.epoch, version.from_period)
            # Its signers are the version's parties: the event does not repeat them.
            assert "signers" not in event
            assert event["partyCount"] == len(emc.parties(event["versionId"]))
            assert event["previousId"] == event["versionId"] - 1
    a_activated = _of(life.logs(life.a.address, life.a.contract), "VersionActivated")
    assert [(e["partyCount"], e["valueAddedBps"], e["fromPeriod"]) for e in a_activated] == [
        (4, 1_000, 1),
        (4, 1_000, 3),
    ]


def test_struct_hash_can_be_rebuilt_from_version_proposed(life: Lifecycle) -> None:
    # An auditor rebuilds the EIP-712 struct hash every party signed from the proposal.
    for emc in (life.a, life.b):
        logs = life.logs(emc.address, emc.contract)
        proposed = {e["versionId"]: e for e in _of(logs, "VersionProposed")}
        for event in _of(logs, "VersionActivated"):
            # One word an entry (ShareEntries.sol); the parties signed them as structs.
            words = proposed[event["versionId"]]["entries"]
            entries = [ShareEntry.from_word(word) for word in words]
            hashes = b"".join(
                keccak(
                    encode(
                        ["bytes32", "address", "uint8", "uint16"],
                        [_ENTRY_TYPEHASH, e.account, int(e.share_class), e.bps],
                    )
                )
                for e in entries
            )
            proposal = proposed[event["versionId"]]
            struct_hash = keccak(
                encode(
                    ["bytes32", "uint256", "bytes32", "bytes32", "uint256", "uint256"],
                    [
                        _VERSION_TYPEHASH,
                        event["versionId"],
                        keccak(hashes),
                        bytes(proposal["documentHash"]),
                        proposal["nonce"],
                        proposal["deadline"],
                    ],
                )
            )
            assert struct_hash == bytes(event["structHash"])


def test_claimed_splits_each_payout_into_value_added_and_the_rest(life: Lifecycle) -> None:
    cast, a = life.cast, life.a
    claims = {
        name: a.event(life.results[name], Claimed)
        for name in ("claim_me1", "claim_me2", "claim_chef")
    }
    # ME 1: operating 2,000 bps of 40,000 fen (8,000) and value-added 500 bps of the 20,000
    # the pool filled at (1,000).
    assert claims["claim_me1"].as_dict() == {
        "account": cast.mes[1].address,
        "amount": 9_000,
        "value_added": 1_000,
        "total_paid": 9_000,
    }
    assert (claims["claim_me2"].amount, claims["claim_me2"].value_added) == (1_000, 1_000)
    assert (claims["claim_chef"].amount, claims["claim_chef"].value_added) == (4_000, 0)
    b_claim = life.b.event(life.results["claim_b_chef"], Claimed)
    assert (b_claim.amount, b_claim.value_added) == (10_000, 0)


def test_period_settled_records_the_reporter_and_the_auditor(life: Lifecycle) -> None:
    cast, a = life.cast, life.a
    settled = _of(life.logs(a.address, a.contract), "PeriodSettled")
    assert [(e["period"], e["reporter"], e["auditor"]) for e in settled] == [
        (1, cast.mes[1].address, ZERO_ADDRESS),
        (2, cast.owner.address, ZERO_ADDRESS),
        (3, cast.owner.address, cast.auditor.address),
    ]
    assert [e["versionId"] for e in settled] == [1, 1, 2]
    filled = a.event(life.results["p2_a"], ValueAddedPoolFilled)
    assert filled.as_dict() == {"period": 2, "full_at_profit": 20_000, "accrued": 2_000 * 10_000}
    reached = a.event(life.results["p2_a"], TargetReached)
    assert reached.as_dict() == {"period": 2, "users": 10, "revenue": 110_000}


def test_loss_absorbed_says_what_capital_is_left_and_whether_an_era_ended(
    life: Lifecycle,
) -> None:
    a, b = life.a, life.b
    assert a.event(life.results["p3_a"], LossAbsorbed).as_dict() == {
        "period": 3,
        "loss": 1_000,
        "covered": 1_000,
        "cumulative_losses": 1_000,
        "capital_left": 4_000,
        "new_era": False,
    }
    assert b.event(life.results["p2_b"], LossAbsorbed).as_dict() == {
        "period": 2,
        "loss": 25_000,
        "covered": 25_000,
        "cumulative_losses": 25_000,
        "capital_left": 5_000,
        "new_era": False,
    }
    assert b.event(life.results["p3_b"], LossAbsorbed).as_dict() == {
        "period": 3,
        "loss": 30_000,
        "covered": 5_000,
        "cumulative_losses": 55_000,
        "capital_left": 0,
        "new_era": True,
    }


def test_emc_dissolved_says_where_the_released_pool_went(life: Lifecycle) -> None:
    b = life.b
    assert b.status() is EmcStatus.DISSOLVED
    # Short of the target: ME 3's 1,000 bps of 100,000 fen (10,000) are released, all owed
    # to the investors (their capital bore 30,000 of losses).
    assert b.event(life.results["p3_b"], EmcDissolved).as_dict() == {
        "period": 3,
        "losses": 55_000,
        "threshold": 50_000,
        "capital": 0,
        "pool_released": 10_000,
        "pool_to_investors": 10_000,
        "pool_to_dev_fund": 0,
        "losses_covered": 30_000,
    }
    # By the losses their capital bore (19,999 and 9,999 after flooring): 6,666, then the
    # last claimant takes the rest.
    returned = [
        b.event(life.results[name], CapitalReturned).as_dict()
        for name in ("capital_me3", "capital_chef")
    ]
    assert returned == [
        {"account": life.cast.mes[3].address, "amount": 0, "units": 0, "pool_share": 6_666},
        {"account": life.cast.chef.address, "amount": 0, "units": 0, "pool_share": 3_334},
    ]


def test_factory_template_deployed_names_the_template_and_the_module(life: Lifecycle) -> None:
    cast = life.cast
    factory = cast.ledger.factory
    logs = life.logs(factory.address, factory.contract)
    deployed = _of(logs, "TemplateDeployed")
    assert len(deployed) == 1
    template, module = deployed[0]["template"], deployed[0]["module"]
    assert template == factory.implementation()
    assert module == life.a.module() == life.b.module()
    created = {e["emc"]: e for e in _of(logs, "EmcCreated")}
    for emc, terms in ((life.a, TERMS_A), (life.b, TERMS_B)):
        event = created[emc.address]
        assert (event["owner"], event["operator"]) == (cast.owner.address, cast.admin.address)
        assert cast.ledger.factory.emc_at(event["id"]) == emc.address
        initialized = _of(life.logs(emc.address, emc.contract), "EmcInitialized")
        assert len(initialized) == 1
        assert initialized[0]["owner"] == cast.owner.address
        assert EmcTerms.from_abi(initialized[0]["terms"]) == terms
    overridden = {e["id"]: e for e in _of(logs, "EmcTermsOverridden")}
    assert overridden[created[life.a.address]["id"]]["reason"] == TERMS_REASON


def test_emc_reports_its_registry_and_token(life: Lifecycle) -> None:
    deployment = life.cast.deployment
    for emc in (life.a, life.b):
        assert emc.contract.functions.registry().call() == deployment.registry
        assert emc.contract.functions.token().call() == deployment.token


# -- an auditor's replay -----------------------------------------------------------------


def test_totals_replayed_from_the_logs_equal_the_contracts_views(life: Lifecycle) -> None:
    cast = life.cast
    token_logs = life.logs(cast.ledger.token.address, cast.ledger.token.contract)
    for emc in (life.a, life.b):
        logs = life.logs(emc.address, emc.contract)
        settled = _of(logs, "PeriodSettled")
        totals = emc.totals()
        assert len(settled) == totals.periods
        assert sum(e["report"]["profit"] for e in settled) == totals.profit
        assert settled[-1]["cumulativeProfit"] == totals.profit
        assert sum(e["report"]["users"] for e in settled) == totals.users
        assert sum(e["report"]["revenue"] for e in settled) == totals.revenue
        # What each account was paid: its claims, the last one's running total.
        paid: dict[ChecksumAddress, int] = {}
        for e in _of(logs, "Claimed"):
            paid[e["account"]] = paid.get(e["account"], 0) + e["amount"]
            assert e["totalPaid"] == paid[e["account"]]
        for account, amount in paid.items():
            assert emc.position(account).paid == amount
        withdrawn = sum(e["amount"] for e in _of(logs, "DevFundWithdrawn"))
        assert withdrawn == totals.dev_fund_withdrawn
        capital = emc.capital_totals()
        assert sum(e["amount"] for e in _of(logs, "Invested")) == capital.invested
        losses = _of(logs, "LossAbsorbed")
        assert sum(e["loss"] for e in losses) == capital.losses
        assert sum(e["covered"] for e in losses) == capital.losses_covered
        returned = _of(logs, "CapitalReturned")
        assert sum(e["amount"] for e in returned) == capital.returned
        assert sum(e["poolShare"] for e in returned) == capital.pool_paid
        # The credit it holds: every transfer in, less every transfer out.
        transfers = _of(token_logs, "Transfer")
        held = sum(t["value"] for t in transfers if t["to"] == emc.address) - sum(
            t["value"] for t in transfers if t["from"] == emc.address
        )
        assert held == cast.balance(emc.address)
        # Everything that entered is what it holds and what left; beyond the profits and
        # the investments, the credit sent straight to it, which the sweeps moved to the fund.
        swept = sum(e["amount"] for e in _of(logs, "Swept"))
        left = totals.paid + capital.losses_covered + capital.returned + capital.pool_paid
        assert held + left - totals.profit - capital.invested == swept


def test_departure_notices_and_bids_replay_from_the_logs(life: Lifecycle) -> None:
    cast, a = life.cast, life.a
    logs = life.logs(a.address, a.contract)
    notices = _of(logs, "DepartureNoticed")
    assert [(e["account"], e["by"], e["effectivePeriod"]) for e in notices] == [
        (cast.chef.address, cast.chef.address, 4),
        (cast.chef.address, cast.owner.address, 3),  # the owner shortened it
    ]
    assert a.departure_of(cast.chef.address).effective_period == notices[-1]["effectivePeriod"]
    opened = _of(logs, "BidRoundOpened")
    assert [e["roundId"] for e in opened] == [1]
    assert _of(logs, "BidCommitted")[0]["bidder"] == cast.mes[3].address
    revealed = _of(logs, "BidRevealed")[0]
    assert (revealed["undertakenUsers"], revealed["askBps"]) == (1_000, 300)
    assert list(_of(logs, "BidsInvited")[0]["invited"]) == [cast.mes[3].address]
    reporters = _of(logs, "ReporterChanged")
    assert reporters == [{"previous": ZERO_ADDRESS, "reporter": cast.mes[1].address}]
    assert a.reporter() == cast.mes[1].address


# -- the SDK's own decoder (rdh_chain.events) ------------------------------------------


def _in_abi_order(param: dict[str, Any], value: Any) -> Any:
    """A value of ``rdh_chain.events`` as web3 decodes it: structs keyed by Solidity names."""
    abi_type = param["type"]
    if abi_type == "tuple":
        return {
            c["name"]: _in_abi_order(c, getattr(value, snake_case(c["name"])))
            for c in param["components"]
        }
    if abi_type.startswith("tuple["):
        inner = {**param, "type": abi_type[: abi_type.rindex("[")]}
        return tuple(_in_abi_order(inner, v) for v in value)
    if isinstance(value, ShareEntry):
        return value.as_abi()  # packed one to a word on chain
    if isinstance(value, tuple):
        return [_in_abi_order(param, v) for v in value]
    return int(value) if isinstance(value, IntEnum) else value


def test_the_sdk_decoder_reads_every_log_as_web3_does(life: Lifecycle) -> None:
    cast = life.cast
    ledger = cast.ledger
    decoder = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
    abis = {
        item["name"]: item
        for artifact in cast.artifacts.values()
        for item in artifact.abi
        if item["type"] == "event"
    }
    sources = {
        life.a.address: _emc_contract(cast, life.a.address),
        life.b.address: _emc_contract(cast, life.b.address),
        ledger.factory.address: ledger.factory.contract,
        ledger.registry.address: ledger.registry.contract,
        ledger.token.address: ledger.token.contract,
    }
    head = cast.w3.eth.block_number
    raw = fetch_logs(cast.w3.provider, cast.deployment.block, head, list(sources))
    by_web3 = {
        (bytes(e["blockHash"]), e["logIndex"]): e
        for address, contract in sources.items()
        for e in life.logs(address, contract)
    }
    assert len(raw) == len(by_web3)
    decoded = decoder.decode_all(raw)
    assert len(decoded) == len(raw)
    for item in decoded:
        expected = by_web3[item.log.key]
        event = item.event
        assert event.name == expected["event"]
        assert item.log.address == expected["address"]
        assert item.log.transaction_hash == bytes(expected["transactionHash"])
        abi = abis[event.name]
        got = {
            p["name"]: _in_abi_order(p, getattr(event, snake_case(p["name"])))
            for p in abi["inputs"]
        }
        want = dict(expected["args"])
        assert _plain(got) == _plain(want), event.name


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value


def test_raw_logs_read_the_same_from_json_and_from_receipts(life: Lifecycle) -> None:
    cast = life.cast
    result = life.results["v2_a"]
    from_receipt = [RawLog.from_rpc(log) for log in result.receipt["logs"]]
    block = result.receipt["blockNumber"]
    from_json = [
        log
        for log in fetch_logs(cast.w3.provider, block, block)
        if log.transaction_hash == bytes(result.receipt["transactionHash"])
    ]
    assert from_json == from_receipt
    assert from_json[0].block_timestamp == cast.w3.eth.get_block(block)["timestamp"]


def test_the_decoder_refuses_an_abi_whose_event_differs_from_its_class() -> None:
    changed = {
        "type": "event",
        "name": "Claimed",
        "anonymous": False,
        "inputs": [
            {"name": "account", "type": "address", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
        ],
    }
    unknown = {**changed, "name": "SomethingNew"}
    with pytest.raises(ArtifactError, match="update the class"):
        EventDecoder.from_abis([[changed]])
    with pytest.raises(ArtifactError, match="has no class"):
        EventDecoder.from_abis([[unknown]])


def test_a_log_of_another_contract_decodes_to_nothing(life: Lifecycle) -> None:
    decoder = EventDecoder.from_abis(a.abi for a in life.cast.artifacts.values())
    log = fetch_logs(life.cast.w3.provider, 0, life.cast.w3.eth.block_number)[0]
    foreign = replace(log, topics=(keccak(text="Foreign(uint256)"), *log.topics[1:]))
    assert decoder.decode(foreign) is None
    assert decoder.decode(replace(log, topics=())) is None


def test_the_generated_decoders_read_what_the_generic_readers_read(life: Lifecycle) -> None:
    """Static events decode through generated functions; the per-field readers (kept for
    events with dynamic data) must give the same values, field for field."""
    cast = life.cast
    generated = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
    generic = EventDecoder.from_abis(a.abi for a in cast.artifacts.values())
    for codec in generic._codecs.values():
        codec.fast = None
    raw = fetch_logs(cast.w3.provider, cast.deployment.block, cast.w3.eth.block_number)
    fast = generated.decode_all(raw)
    assert {type(d.event) for d in fast} >= {ev.PeriodSettled, ev.Claimed, ev.Transfer}
    assert fast == generic.decode_all(raw)
    settled = next(d for d in fast if isinstance(d.event, ev.PeriodSettled))
    with pytest.raises(ArtifactError, match="topics"):
        generated.decode(replace(settled.log, topics=settled.log.topics[:1]))


def test_raw_logs_from_json_are_from_rpc(life: Lifecycle) -> None:
    cast = life.cast
    reply = cast.w3.provider.make_request(
        RPCEndpoint("eth_getLogs"),
        [{"fromBlock": hex(cast.deployment.block), "toBlock": hex(cast.w3.eth.block_number)}],
    )
    logs = reply["result"]
    assert logs
    assert [RawLog.from_json(log) for log in logs] == [RawLog.from_rpc(log) for log in logs]
