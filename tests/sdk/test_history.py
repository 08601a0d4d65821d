"""rdh_chain.history on the Smart Cooking demo: the rows, their names, filters and exports.

The demo is seeded once for the module (profiles in a temporary data folder), its events
read from the chain as the auditor's CLI reads them, then each test looks at the rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3

from rdh_chain.demo import MES, PARTNERS, PROFILES, YUAN, DemoCast, seed
from rdh_chain.deployment import deploy
from rdh_chain.events import Decoded, EventDecoder, VersionProposed, fetch_logs
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.history import (
    COLUMNS,
    HistoryFilter,
    HistoryRow,
    RowKind,
    build_history,
    filter_rows,
    member_metadata,
    read_csv,
    read_json,
    to_csv,
    to_json,
)
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import MatchStatus, ProfileStore, match_profiles
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import ZERO_ADDRESS

CHEF_PAID = 57_906 * YUAN


@dataclass(frozen=True)
class Demo:
    ledger: Ledger
    cast: DemoCast
    emc: ChecksumAddress
    store: ProfileStore
    decoded: list[Decoded]

    def names(self) -> dict[ChecksumAddress, str]:
        matches = match_profiles(member_metadata(self.decoded), self.store)
        return {a: m.label for a, m in matches.items() if m.label is not None}

    def rows(self) -> list[HistoryRow]:
        return build_history(self.decoded, self.names())


def read_events(ledger: Ledger, emcs: list[ChecksumAddress]) -> list[Decoded]:
    decoder = EventDecoder.from_abis(a.abi for a in ledger.artifacts.values())
    addresses = [*ledger.deployment.contracts.values(), *emcs]
    head = ledger.w3.eth.block_number
    return decoder.decode_all(
        fetch_logs(ledger.w3.provider, ledger.deployment.block, head, addresses)
    )


@pytest.fixture(scope="module")
def demo(
    w3: Web3, artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Demo:
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, cast.admin, Ledger.decoder_for(artifacts)), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    store = ProfileStore.in_data_dir(tmp_path_factory.mktemp("demo-data"))
    emc = seed(ledger, cast, store)
    return Demo(ledger, cast, emc, store, read_events(ledger, [emc]))


def test_history_of_the_demo_has_each_kind_of_row_it_lived(demo: Demo) -> None:
    rows = demo.rows()
    # 21 members added (the admin and the registrar at deployment, 19 wallets of the demo
    # less the admin, the EMC as a contract) and the admin's profile recorded afterwards;
    # 11 MEs and 4 partners signed version 1.
    assert Counter(r.kind for r in rows) == {
        RowKind.MEMBERSHIP: 22,
        RowKind.CREATED: 1,
        RowKind.TERMS: 2,
        RowKind.VERSION_PROPOSED: 1,
        RowKind.VERSION_SIGNED: 15,
        RowKind.VERSION_ACTIVATED: 1,
        RowKind.SETTLEMENT: 1,
        RowKind.CLAIM: 1,
    }
    emc_rows = filter_rows(rows, HistoryFilter(emc=demo.emc))
    # All but the registry's rows, and the EMC's own registration as a contract.
    assert len(emc_rows) == 23
    assert {r.emc for r in emc_rows} == {demo.emc}
    assert [(r.block_number, r.log_index) for r in rows] == sorted(
        (r.block_number, r.log_index) for r in rows
    )


def test_the_chefs_claim_row_is_his_57906_rmb_with_its_transaction(demo: Demo) -> None:
    chef = demo.cast.partners["chef"].address
    (claim,) = [r for r in demo.rows() if r.kind is RowKind.CLAIM]
    assert claim.account is not None
    assert (claim.account.address, claim.account.name) == (chef, "Chef Zhang Weili")
    assert (claim.amount, claim.value_added, claim.emc, claim.period) == (
        CHEF_PAID,
        0,  # the chef's share is a partner's, not the value-added pool's
        demo.emc,
        2,  # claimed after period 1 was settled
    )
    record = claim.record()
    assert (record["amount_fen"], record["amount_rmb"]) == (5_790_600, "57906.00")
    assert claim.detail == "claimed 57,906.00 RMB (0.00 value-added); paid 57,906.00 RMB in all"
    w3 = demo.ledger.w3
    receipt = w3.eth.get_transaction_receipt(HexBytes(claim.transaction_hash))
    assert receipt["status"] == 1
    assert receipt["from"] == chef
    assert (receipt["blockNumber"], bytes(receipt["blockHash"])) == (
        claim.block_number,
        claim.block_hash,
    )
    assert claim.block_time == w3.eth.get_block(claim.block_number)["timestamp"]
    assert record["block_time"] is not None
    assert record["block_time"].endswith("+00:00")


def test_the_settlement_row_has_the_sources_month(demo: Demo) -> None:
    (settled,) = [r for r in demo.rows() if r.kind is RowKind.SETTLEMENT]
    owner = demo.cast.owner.address
    assert settled.account is not None
    assert (settled.account.address, settled.account.name) == (
        owner,
        "Smart Cooking ME (Zhang Yu)",
    )
    assert (settled.period, settled.version, settled.users) == (1, 1, 20_000)
    assert (settled.revenue, settled.cost, settled.profit) == (
        4_000_000 * YUAN,
        3_034_900 * YUAN,
        965_100 * YUAN,
    )
    # Month 1 was not attested (the explore guideline asks it only of losses).
    assert settled.auditor is None
    assert "not attested" in settled.detail


def test_signed_rows_name_every_party_of_version_1(demo: Demo) -> None:
    signed = [r for r in demo.rows() if r.kind is RowKind.VERSION_SIGNED]
    names = {r.account.name for r in signed if r.account is not None}
    assert {"Chef Zhang Weili", "Huifa Group", "The duck farm", "Haier Smart Home Platform"} <= (
        names
    )
    assert "Manufacturing ME" in names
    assert len(names) == 15
    assert {r.version for r in signed} == {1}
    assert {r.transaction_hash for r in signed} == {
        r.transaction_hash for r in demo.rows() if r.kind is RowKind.VERSION_ACTIVATED
    }


def test_signed_rows_come_from_the_proposal_the_activation_does_not_list_them(
    demo: Demo,
) -> None:
    proposals = [d.event for d in demo.decoded if isinstance(d.event, VersionProposed)]
    signed = [r for r in demo.rows() if r.kind is RowKind.VERSION_SIGNED]
    # One row per party of the proposal, in signing order (by address).
    assert [r.account.address for r in signed if r.account is not None] == list(
        proposals[0].parties
    )
    assert ZERO_ADDRESS not in proposals[0].parties  # the fund holds a share, signs nothing
    # Without the proposal among the events read, the activation alone, naming nobody.
    without = [d for d in demo.decoded if not isinstance(d.event, VersionProposed)]
    rows = build_history(without, demo.names())
    assert not [r for r in rows if r.kind is RowKind.VERSION_SIGNED]
    (activated,) = [r for r in rows if r.kind is RowKind.VERSION_ACTIVATED]
    assert activated.involved == ()


def test_member_filter_keeps_every_row_naming_the_chef(demo: Demo) -> None:
    chef = demo.cast.partners["chef"].address
    rows = filter_rows(demo.rows(), HistoryFilter(member=chef))
    assert [r.kind for r in rows] == [
        RowKind.MEMBERSHIP,  # added as partner
        RowKind.VERSION_PROPOSED,  # named in the entries
        RowKind.VERSION_SIGNED,
        RowKind.VERSION_ACTIVATED,  # among the signers
        RowKind.CLAIM,
    ]


def test_kind_and_period_filters(demo: Demo) -> None:
    rows = demo.rows()
    kinds = frozenset({RowKind.CLAIM, RowKind.SETTLEMENT})
    assert [r.kind for r in filter_rows(rows, HistoryFilter(kinds=kinds))] == [
        RowKind.SETTLEMENT,
        RowKind.CLAIM,
    ]
    period_1 = filter_rows(rows, HistoryFilter(emc=demo.emc, period_from=1, period_to=1))
    assert len(period_1) == 21  # everything but the claim
    later = filter_rows(rows, HistoryFilter(period_from=2, period_to=5))
    assert [r.kind for r in later] == [RowKind.CLAIM]
    # Registry rows have no period, so a period range leaves them out.
    assert not filter_rows(
        rows, HistoryFilter(kinds=frozenset({RowKind.MEMBERSHIP}), period_from=1)
    )


@pytest.mark.parametrize(
    ("period", "first", "last", "message"),
    [
        (None, 3, 2, "The period range 3-2 is empty"),
        (0, None, None, "Periods are numbered from 1; got period_from 0"),
        (None, -1, None, "Periods are numbered from 1"),
        (1, 1, None, "either --period N or --from/--to"),
    ],
)
def test_bad_period_ranges_are_refused(
    period: int | None, first: int | None, last: int | None, message: str
) -> None:
    def make() -> HistoryFilter:
        period_from, period_to = HistoryFilter.periods(period, first, last)
        return HistoryFilter(period_from=period_from, period_to=period_to)

    with pytest.raises(InvalidInputError, match=message):
        make()


def test_csv_and_json_exports_read_back_into_the_same_rows(demo: Demo, tmp_path: Path) -> None:
    rows = demo.rows()
    csv_text = to_csv(rows)
    lines = csv_text.splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert len(lines) == 1 + len(rows)
    assert read_csv(csv_text) == rows
    json_text = to_json(rows)
    assert read_json(json_text) == rows
    chef_line = next(line for line in lines if line.startswith("claim,Claimed,"))
    assert ",5790600,57906.00,0,0.00," in chef_line
    assert "Chef Zhang Weili" in chef_line


def test_demo_profiles_match_the_registry_and_a_changed_metadata_does_not(demo: Demo) -> None:
    cast = demo.cast
    metadata = member_metadata(demo.decoded)
    verdicts = match_profiles(metadata, demo.store)
    wallets = cast.wallets()
    for name, account in wallets.items():
        verdict = verdicts[account.address]
        assert verdict.status is MatchStatus.MATCHED, name
        assert verdict.profile == PROFILES[name]
    # Members the demo gave no profile (the factory as registrar, the EMC as a contract).
    missing = {a for a, v in verdicts.items() if v.status is MatchStatus.MISSING}
    assert demo.emc in missing
    assert len(missing) == 2
    # An operator records another hash for the duck farm: its profile is no longer trusted.
    farm = cast.partners["duck-farm"].address
    demo.ledger.connect(cast.admin).registry.set_metadata(farm, keccak(text="changed"))
    after = read_events(demo.ledger, [demo.emc])
    verdict = match_profiles(member_metadata(after), demo.store)[farm]
    assert (verdict.status, verdict.label) == (MatchStatus.MISMATCH, "The duck farm (unverified)")
    names = {r.account.name for r in build_history(after, _labels(after, demo.store)) if r.account}
    assert "The duck farm (unverified)" in names


def _labels(decoded: list[Decoded], store: ProfileStore) -> dict[ChecksumAddress, str]:
    matches = match_profiles(member_metadata(decoded), store)
    return {a: m.label for a, m in matches.items() if m.label is not None}
