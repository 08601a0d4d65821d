"""The gateway relays what wallets sign: parties' signatures of a share version (activated by
its own relayer once all are in), unsigned transactions for members' wallets, raw signed
transactions, their receipts and index rows, and report typed data for auditors.

Every test runs on the real anvil of the session (reverted after it) with an app of its
own whose sign-in store (where signatures are kept too) is a fresh SQLite file; wallets
sign with eth-account, as a browser wallet would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.abi import function_signature_to_4byte_selector
from fastapi.testclient import TestClient
from web3 import Web3

from api.auth.settings import AuthSettings
from api.main import create_app
from rdh_chain.agreements import sign_typed_data, typed_data_digest
from rdh_chain.bids import SealedBid
from rdh_chain.index import queries
from rdh_chain.index.db import IndexDb
from rdh_chain.index.ingest import Indexer
from rdh_chain.index.settings import IndexSettings
from rdh_chain.ledger import Ledger
from rdh_chain.signatures import SECP256K1_N, compact_signature
from rdh_chain.toolchain import Artifact
from rdh_chain.types import VersionStatus
from tests.api.auth_helpers import sign_in, sign_in_as_wallet
from tests.api.conftest import TEST_SITE
from tests.api.helpers import World
from tests.api.lifecycle import advance
from tests.support.wallets import contract_wallet

VERSION_2 = 2  # Smart Cooking's proposed version: the chef, the owner and me2 sign it


class Gateway:
    """An app on the session's world with a store of its own, and a client per wallet."""

    def __init__(self, world: World, store: Path, index: Path) -> None:
        self.world = world
        self.store_url = f"sqlite:///{store}"
        self.index_url = f"sqlite:///{index}"
        self.app = create_app(
            world.settings,
            index_url=self.index_url,
            auth_settings=AuthSettings(public_url=TEST_SITE, store_url=self.store_url),
        )
        self._clients: list[TestClient] = []

    def client(self, account: LocalAccount | None = None) -> TestClient:
        """A client signed in as ``account`` (or anonymous)."""
        client = TestClient(self.app)
        client.__enter__()
        self._clients.append(client)
        if account is not None:
            sign_in(client, account)
        return client

    def close(self) -> None:
        for client in self._clients:
            client.__exit__(None, None, None)


@pytest.fixture
def gw(world: World, w3: Web3, tmp_path: Path) -> Iterator[Gateway]:
    gateway = Gateway(world, tmp_path / "auth.sqlite", tmp_path / "index.sqlite")
    yield gateway
    gateway.close()


@pytest.fixture
def ledger(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    return Ledger(w3, world.deployment, artifacts)


def _signatures_url(world: World, version_id: int = VERSION_2) -> str:
    return f"/emcs/{world.smart_cooking}/versions/{version_id}/signatures"


def _typed(client: TestClient, world: World, version_id: int = VERSION_2) -> dict[str, Any]:
    answer = client.get(f"/emcs/{world.smart_cooking}/versions/{version_id}/typed-data")
    assert answer.status_code == 200, answer.text
    typed: dict[str, Any] = answer.json()
    return typed


def _sign_tx(account: LocalAccount, tx: dict[str, str]) -> str:
    """What a wallet does with ``eth_sendTransaction``'s parameter, as raw bytes."""
    assert tx["from"] == account.address
    fields: dict[str, Any] = {
        "to": tx["to"],
        "data": tx["data"],
        **{k: int(tx[k], 16) for k in ("value", "gas", "gasPrice", "chainId", "nonce")},
    }
    return "0x" + bytes(account.sign_transaction(fields).raw_transaction).hex()


def _relay(client: TestClient, account: LocalAccount, built: Any) -> dict[str, Any]:
    assert built.status_code == 200, built.text
    answer = client.post("/tx", json={"raw": _sign_tx(account, built.json())})
    assert answer.status_code == 200, answer.text
    status: dict[str, Any] = answer.json()
    assert status["state"] == "success"
    return status


def _events(status: dict[str, Any]) -> list[str]:
    return [e["event"] for e in status["receipt"]["events"]]


def _error(answer: Any, status: int, error: str, *words: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error"] == error, body
    for word in words:
        assert word in body["detail"], body["detail"]


def _sync_index(url: str, w3: Web3, world: World) -> None:
    db = IndexDb.open(url)
    try:
        indexer = Indexer(
            db, w3.provider, world.deployment, queries.default_decoder(), IndexSettings(url=url)
        )
        indexer.sync()
    finally:
        db.close()


# -- signatures and activation --------------------------------------------------------


def test_signatures_list_every_party_as_missing_before_anyone_signs(
    gw: Gateway, world: World
) -> None:
    answer = gw.client(world.owner).get(_signatures_url(world))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "proposed"
    assert body["signed"] == []
    assert body["missing"] == world.parties()
    assert [p["address"] for p in body["parties"]] == world.parties()
    assert body["activation"]["state"] == "waiting"
    assert "3 of 3 parties" in body["activation"]["detail"]
    assert body["deadline"] == "2101-01-01T00:00:00Z"


def test_last_signature_activates_the_version_with_the_relayer(
    gw: Gateway, world: World, ledger: Ledger, w3: Web3
) -> None:
    # The chef's wallet answers with v = 0/1, the owner's in EIP-2098 compact form, me2's as
    # most wallets do: all three are taken.
    chef, owner, me2 = gw.client(world.chef), gw.client(world.owner), gw.client(world.me2)
    typed = _typed(chef, world)
    full = {a.address: sign_typed_data(a, typed) for a in (world.chef, world.owner, world.me2)}
    forms = {
        world.chef.address: full[world.chef.address][:64]
        + bytes([full[world.chef.address][64] - 27]),
        world.owner.address: compact_signature(full[world.owner.address]),
        world.me2.address: full[world.me2.address],
    }

    first = chef.post(
        _signatures_url(world), json={"signature": "0x" + forms[world.chef.address].hex()}
    )
    assert first.status_code == 200, first.text
    assert first.json()["signed"] == [world.chef.address]
    assert first.json()["activation"]["state"] == "waiting"
    second = owner.post(
        _signatures_url(world), json={"signature": "0x" + forms[world.owner.address].hex()}
    )
    assert second.json()["activation"]["state"] == "waiting"
    assert sorted(second.json()["signed"]) == sorted([world.chef.address, world.owner.address])
    last = me2.post(
        _signatures_url(world), json={"signature": "0x" + forms[world.me2.address].hex()}
    )

    assert last.status_code == 200, last.text
    body = last.json()
    assert body["status"] == "active"
    assert body["missing"] == []
    activation = body["activation"]
    assert activation["state"] == "activated"
    assert activation["transaction_hash"].startswith("0x")
    emc = ledger.emc(world.smart_cooking)
    assert emc.version(VERSION_2).status is VersionStatus.ACTIVE
    assert emc.signers(VERSION_2) == world.parties()
    assert all(p["signed_at"] is not None for p in body["parties"])
    # The relayer sent it: an auditor reads the transaction, its sender and events.
    seen = gw.client(world.auditor).get(f"/tx/{activation['transaction_hash']}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["receipt"]["from"] == activation["relayer"]
    assert "VersionActivated" in _events(seen.json())
    # Read again later, the activation is found on the chain, then in the index.
    again = owner.get(_signatures_url(world)).json()["activation"]
    assert again["transaction_hash"] == activation["transaction_hash"]
    assert again["activated_at"] is not None
    _sync_index(gw.index_url, w3, world)
    indexed = owner.get(_signatures_url(world)).json()["activation"]
    assert indexed["transaction_hash"] == activation["transaction_hash"]
    assert indexed["block_number"] == activation["block_number"]


def test_signatures_survive_a_restart_and_are_shared_by_workers(
    gw: Gateway, world: World, tmp_path: Path
) -> None:
    chef = gw.client(world.chef)
    signature = sign_typed_data(world.chef, _typed(chef, world))
    assert chef.post(_signatures_url(world), json={"signature": "0x" + signature.hex()}).is_success

    # Another gateway process on the same store (a second worker, or after a restart).
    other = Gateway(world, Path(gw.store_url.removeprefix("sqlite:///")), tmp_path / "i2.sqlite")
    try:
        body = other.client(world.owner).get(_signatures_url(world)).json()
    finally:
        other.close()
    assert body["signed"] == [world.chef.address]


def test_a_signature_for_another_chain_id_is_refused_and_not_kept(
    gw: Gateway, world: World
) -> None:
    chef = gw.client(world.chef)
    typed = _typed(chef, world)
    other_chain = {**typed, "domain": {**typed["domain"], "chainId": 1}}
    signature = sign_typed_data(world.chef, other_chain)

    answer = chef.post(_signatures_url(world), json={"signature": "0x" + signature.hex()})

    _error(answer, 422, "InvalidSignatureError", "chain 31337", "another chain id", "typed-data")
    assert chef.get(_signatures_url(world)).json()["signed"] == []


def test_a_party_cannot_submit_another_partys_signature(gw: Gateway, world: World) -> None:
    chef = gw.client(world.chef)
    owners = sign_typed_data(world.owner, _typed(chef, world))

    answer = chef.post(_signatures_url(world), json={"signature": "0x" + owners.hex()})

    _error(answer, 422, "InvalidSignatureError", f"recovers to {world.owner.address}")
    assert chef.get(_signatures_url(world)).json()["signed"] == []


def test_a_contract_wallet_party_signs_and_the_emc_takes_its_signature(
    gw: Gateway, world: World, ledger: Ledger, w3: Web3
) -> None:
    # The chef's address becomes a one-key contract wallet (ERC-1271): its key is another.
    key = Account.create()
    contract_wallet(w3, key, at=world.chef.address)
    chef = gw.client()
    sign_in_as_wallet(chef, world.chef.address, key)
    digest = typed_data_digest(_typed(chef, world))
    wallets = bytes(key.unsafe_sign_hash(digest).signature)
    others = {a: sign_typed_data(a, _typed(chef, world)) for a in (world.owner, world.me2)}

    refused = chef.post(
        _signatures_url(world),
        json={"signature": "0x" + bytes(Account.create().unsafe_sign_hash(digest).signature).hex()},
    )
    taken = chef.post(_signatures_url(world), json={"signature": "0x" + wallets.hex()})
    for account, signature in others.items():
        last = gw.client(account).post(
            _signatures_url(world), json={"signature": "0x" + signature.hex()}
        )

    _error(refused, 422, "InvalidSignatureError", f"contract wallet {world.chef.address}")
    assert taken.status_code == 200, taken.text
    assert taken.json()["signed"] == [world.chef.address]
    assert last.json()["activation"]["state"] == "activated", last.text
    emc = ledger.emc(world.smart_cooking)
    assert emc.version(VERSION_2).status is VersionStatus.ACTIVE
    assert emc.signers(VERSION_2) == world.parties()


def _malleable_twin(signature: bytes) -> bytes:
    """The same signature with s flipped to n - s (and v with it): valid, but high s."""
    s = int.from_bytes(signature[32:64], "big")
    return signature[:32] + (SECP256K1_N - s).to_bytes(32, "big") + bytes([55 - signature[64]])


@pytest.mark.parametrize(
    ("mangle", "words"),
    [
        (
            lambda sig: (
                sig[:32]
                + (SECP256K1_N - int.from_bytes(sig[32:64], "big")).to_bytes(32, "big")
                + bytes([55 - sig[64]])
            ),
            "high s",
        ),
        (lambda sig: sig[:40], "40 bytes"),
        (lambda sig: sig[:64] + b"\x05", "v byte is 5"),
    ],
)
def test_a_malformed_or_malleable_signature_is_refused(
    gw: Gateway, world: World, mangle: Any, words: str
) -> None:
    chef = gw.client(world.chef)
    signature = mangle(sign_typed_data(world.chef, _typed(chef, world)))

    answer = chef.post(_signatures_url(world), json={"signature": "0x" + signature.hex()})

    _error(answer, 422, "InvalidSignatureError", words)


def test_a_version_in_force_takes_no_more_signatures(gw: Gateway, world: World) -> None:
    chef = gw.client(world.chef)
    signature = sign_typed_data(world.chef, _typed(chef, world, 1))

    answer = chef.post(_signatures_url(world, 1), json={"signature": "0x" + signature.hex()})

    _error(answer, 409, "VersionClosedError", "is active", "nothing left to sign")


def test_activation_retry_refuses_a_version_not_open(gw: Gateway, world: World) -> None:
    answer = gw.client(world.owner).post(f"/emcs/{world.smart_cooking}/versions/1/activation")
    _error(answer, 409, "VersionClosedError", "is active")


def test_activation_retry_waits_while_signatures_are_missing(gw: Gateway, world: World) -> None:
    answer = gw.client(world.owner).post(
        f"/emcs/{world.smart_cooking}/versions/{VERSION_2}/activation"
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["activation"]["state"] == "waiting"


# -- unsigned transactions and relays ----------------------------------------------------


def test_claim_is_built_signed_relayed_and_a_second_claim_is_refused(
    gw: Gateway, world: World, ledger: Ledger, w3: Web3
) -> None:
    chef = gw.client(world.chef)
    emc = ledger.emc(world.smart_cooking)
    claimable = emc.position(world.chef.address).claimable
    assert claimable > 0
    built = chef.post(f"/emcs/{world.smart_cooking}/tx/claim")
    tx = built.json()
    assert (tx["from"], tx["to"], tx["value"], tx["gasPrice"], tx["chainId"]) == (
        world.chef.address,
        world.smart_cooking,
        "0x0",
        "0x0",
        "0x7a69",
    )
    raw = _sign_tx(world.chef, tx)
    before = ledger.token.balance_of(world.chef.address)

    status = _relay(chef, world.chef, built)

    assert "Claimed" in _events(status)
    claimed = next(e for e in status["receipt"]["events"] if e["event"] == "Claimed")
    assert claimed["args"]["amount"] == claimable
    assert ledger.token.balance_of(world.chef.address) == before + claimable
    # A second claim: nothing is built, and the same signed bytes are not relayed again.
    _error(chef.post(f"/emcs/{world.smart_cooking}/tx/claim"), 409, "EmcNothingToClaim")
    nonce = w3.eth.get_transaction_count(world.chef.address)
    _error(chef.post("/tx", json={"raw": raw}), 422, "RelayRefusedError", "sent already")
    # Signed afresh at the next nonce, it is simulated, refused, and not sent.
    fresh = _raw_claim(w3, world.chef, world)
    _error(chef.post("/tx", json={"raw": fresh}), 409, "EmcNothingToClaim")
    assert w3.eth.get_transaction_count(world.chef.address) == nonce
    assert ledger.token.balance_of(world.chef.address) == before + claimable


def test_a_relayed_transaction_shows_its_index_rows_once_indexed(
    gw: Gateway, world: World, w3: Web3
) -> None:
    chef = gw.client(world.chef)
    status = _relay(chef, world.chef, chef.post(f"/emcs/{world.smart_cooking}/tx/claim"))
    tx_hash = status["transaction_hash"]
    assert status["indexed"] is False

    _sync_index(gw.index_url, w3, world)
    seen = chef.get(f"/tx/{tx_hash}")

    assert seen.status_code == 200, seen.text
    body = seen.json()
    assert body["indexed"] is True
    assert body["checkpoint_block"] >= body["receipt"]["block_number"]
    assert [r["kind"] for r in body["rows"]] == ["claim"]
    assert body["rows"][0]["account"]["address"] == world.chef.address
    assert body["rows"][0]["transaction_hash"] == tx_hash


_CLAIM_NO_PROOFS = (
    "0x"
    + (
        function_signature_to_4byte_selector(
            "claim(((uint256,address,uint16,uint16,uint16,bytes32[]),"
            "(uint256,address,uint16,uint16,uint16,bytes32[]))[])"
        )
        + abi_encode(["uint256", "uint256"], [32, 0])
    ).hex()
)


def _raw_claim(w3: Web3, account: LocalAccount, world: World, **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "to": world.smart_cooking,
        # claim(proofs) with no proofs: what a member that claimed before sends.
        "data": _CLAIM_NO_PROOFS,
        "value": 0,
        "gas": 200_000,
        "gasPrice": 0,
        "chainId": 31337,
        "nonce": w3.eth.get_transaction_count(account.address),
        **overrides,
    }
    return "0x" + bytes(account.sign_transaction(fields).raw_transaction).hex()


@pytest.mark.parametrize(
    ("signer", "overrides", "words"),
    [
        ("chef", {"chainId": 1}, ["signed for chain 1", "chain 31337"]),
        ("owner", {}, ["signed by", "not by the signed-in wallet"]),
        ("chef", {"to": "0x" + "12" * 20}, ["not one of this ledger's contracts"]),
        ("chef", {"nonce": 10_000}, ["nonce is 10000", "one before it is missing"]),
    ],
)
def test_raw_transactions_not_the_viewers_own_for_this_ledger_are_refused(
    gw: Gateway, world: World, w3: Web3, signer: str, overrides: dict[str, Any], words: list[str]
) -> None:
    account: LocalAccount = getattr(world, signer)
    raw = _raw_claim(w3, account, world, **overrides)
    nonce = w3.eth.get_transaction_count(account.address)

    answer = gw.client(world.chef).post("/tx", json={"raw": raw})

    _error(answer, 422, "RelayRefusedError", *words)
    assert w3.eth.get_transaction_count(account.address) == nonce


@pytest.mark.parametrize("raw", ["0xdeadbeef", "0x" + "00" * 40])
def test_raw_bytes_that_are_no_transaction_are_refused(gw: Gateway, world: World, raw: str) -> None:
    answer = gw.client(world.chef).post("/tx", json={"raw": raw})
    _error(answer, 422, "RelayRefusedError", "not a signed transaction")


def test_bids_are_committed_and_revealed_from_the_bidders_wallet(
    gw: Gateway, world: World, ledger: Ledger, w3: Web3
) -> None:
    latest = int(w3.eth.get_block("latest")["timestamp"])
    ledger.forget_nonces()
    owner = ledger.connect(world.owner).emc(world.smart_cooking)
    round_id, _ = owner.open_bid_round(latest + 3_600, latest + 7_200)
    sealed = SealedBid.seal(
        world.smart_cooking, round_id, world.me2.address, 50, 1_000_00, 400, b"\x0b" * 32
    )
    me2 = gw.client(world.me2)
    url = f"/emcs/{world.smart_cooking}/tx"
    reveal = {
        "round_id": round_id,
        "undertaken_users": "50",
        "undertaken_revenue": "1,000.00",
        "ask_bps": 400,
        "proposal_hash": "0x" + sealed.proposal_hash.hex(),
        "salt": "0x" + sealed.salt.hex(),
    }

    commit = {"round_id": round_id, "commitment": "0x" + sealed.commitment.hex()}
    status = _relay(me2, world.me2, me2.post(f"{url}/commit-bid", json=commit))
    assert "BidCommitted" in _events(status)
    _error(me2.post(f"{url}/reveal-bid", json=reveal), 409, "EmcRevealNotOpen")
    _error(
        me2.post(f"{url}/reveal-bid", json={**reveal, "ask_bps": 500}),
        422,
        "InvalidInputError",
        "do not hash to",
    )
    advance(w3, 3_601)
    status = _relay(me2, world.me2, me2.post(f"{url}/reveal-bid", json=reveal))

    assert "BidRevealed" in _events(status)
    assert ledger.emc(world.smart_cooking).bid(round_id, world.me2.address).ask_bps == 400


def test_an_investment_is_approved_then_invested(gw: Gateway, world: World, ledger: Ledger) -> None:
    ledger.forget_nonces()
    ledger.connect(world.treasury).token.mint(world.chef.address, 100_00)
    chef = gw.client(world.chef)
    url = f"/emcs/{world.smart_cooking}/tx"

    refused = chef.post(f"{url}/invest", json={"amount": "100.00"})
    _error(refused, 409, "ERC20InsufficientAllowance", "0.00 RMB", "tx/approve", '"100.00"')
    _relay(chef, world.chef, chef.post(f"{url}/approve", json={"amount": "100.00"}))
    status = _relay(chef, world.chef, chef.post(f"{url}/invest", json={"amount": "100.00"}))

    assert "Invested" in _events(status)
    assert ledger.emc(world.smart_cooking).capital_of(world.chef.address).invested == 100_00


def test_an_auditor_attests_the_report_the_owner_settles(
    gw: Gateway, world: World, ledger: Ledger
) -> None:
    report = {
        "users": "10",
        "units": "10",
        "revenue": "1,000.00",
        "cost": "400.00",
        "profit": "600.00",
    }
    auditor, owner = gw.client(world.auditor), gw.client(world.owner)
    url = f"/emcs/{world.smart_cooking}"
    typed = auditor.post(f"{url}/reports/typed-data", json=report)
    assert typed.status_code == 200, typed.text
    typed_data = typed.json()
    assert typed_data["primaryType"] == "PeriodReport"
    assert typed_data["message"]["period"] == 3
    assert typed_data["message"]["profit"] == 600_00
    signature = sign_typed_data(world.auditor, typed_data)
    attestation = {
        "auditor": world.auditor.address,
        "deadline": typed_data["message"]["deadline"],
        "signature": "0x" + compact_signature(signature).hex(),  # compact is normalized too
    }
    settle = {**report, "attestation": attestation}

    _error(gw.client(world.chef).post(f"{url}/tx/settle", json=settle), 403, "not_the_reporter")
    _error(owner.post(f"{url}/tx/settle", json=settle), 409, "ERC20InsufficientAllowance")
    _relay(owner, world.owner, owner.post(f"{url}/tx/approve", json={"amount": "600.00"}))
    status = _relay(owner, world.owner, owner.post(f"{url}/tx/settle", json=settle))

    settled = next(e for e in status["receipt"]["events"] if e["event"] == "PeriodSettled")
    assert settled["args"]["period"] == 3
    assert settled["args"]["auditor"] == world.auditor.address
    assert ledger.emc(world.smart_cooking).totals().periods == 3


def test_report_typed_data_refuses_a_past_deadline(gw: Gateway, world: World) -> None:
    answer = gw.client(world.auditor).post(
        f"/emcs/{world.smart_cooking}/reports/typed-data",
        json={
            "users": "1",
            "units": "1",
            "revenue": "1.00",
            "cost": "0",
            "profit": "1.00",
            "deadline": "2001-01-01T00:00:00Z",
        },
    )
    _error(answer, 409, "DeadlinePassedError", "has passed")


# -- refused wallets: every relaying route has one ---------------------------------------


def _bodies(world: World) -> dict[str, Any]:
    report = {"users": "1", "units": "1", "revenue": "1.00", "cost": "0", "profit": "1.00"}
    return {
        "signature": {"signature": "0x" + "11" * 65},
        "commit": {"round_id": 1, "commitment": "0x" + "22" * 32},
        "reveal": {
            "round_id": 1,
            "undertaken_users": "1",
            "undertaken_revenue": "1.00",
            "ask_bps": 1,
            "proposal_hash": "0x" + "00" * 32,
            "salt": "0x" + "00" * 32,
        },
        "amount": {"amount": "1.00"},
        "report": report,
        "raw": {"raw": "0xdeadbeef"},
    }


# (method, path template, body key, who is refused, status, error)
REFUSED: dict[tuple[str, str], list[tuple[str | None, int, str]]] = {
    ("GET", "/emcs/{address}/versions/{version_id}/signatures"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
        ("farm", 403, "not_a_member"),
    ],
    ("POST", "/emcs/{address}/versions/{version_id}/signatures"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
        ("farm", 403, "not_a_member"),
        ("auditor", 403, "not_a_party"),
    ],
    ("POST", "/emcs/{address}/versions/{version_id}/activation"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
    ],
    ("POST", "/emcs/{address}/tx/claim"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
    ],
    ("POST", "/emcs/{address}/tx/commit-bid"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "missing_role"),
        ("farm", 403, "missing_role"),  # a suspended partner
        ("auditor", 403, "missing_role"),
    ],
    ("POST", "/emcs/{address}/tx/reveal-bid"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "missing_role"),
    ],
    ("POST", "/emcs/{address}/tx/approve"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
    ],
    ("POST", "/emcs/{address}/tx/invest"): [
        (None, 401, "not_signed_in"),
        ("farm", 403, "not_a_member"),
    ],
    ("POST", "/emcs/{address}/tx/settle"): [
        (None, 401, "not_signed_in"),
        ("stranger", 403, "not_a_member"),
        ("me2", 403, "not_the_reporter"),
    ],
    ("POST", "/emcs/{address}/reports/typed-data"): [
        (None, 401, "not_signed_in"),
        ("owner", 403, "missing_role"),
        ("stranger", 403, "missing_role"),
    ],
    ("POST", "/tx"): [(None, 401, "not_signed_in")],
    ("GET", "/tx/{tx_hash}"): [(None, 401, "not_signed_in"), ("me2", 403, "not_yourself")],
}
_BODY = {
    "/emcs/{address}/versions/{version_id}/signatures": "signature",
    "/emcs/{address}/tx/commit-bid": "commit",
    "/emcs/{address}/tx/reveal-bid": "reveal",
    "/emcs/{address}/tx/approve": "amount",
    "/emcs/{address}/tx/invest": "amount",
    "/emcs/{address}/tx/settle": "report",
    "/emcs/{address}/reports/typed-data": "report",
    "/tx": "raw",
}
_RELAY_TAGS = {"agreements", "transactions", "reports"}


def test_every_relaying_route_has_refused_wallets(gw: Gateway) -> None:
    # The OpenAPI document lists every operation with its router's tags.
    routes = {
        (method.upper(), path)
        for path, operations in gw.app.openapi()["paths"].items()
        for method, operation in operations.items()
        if _RELAY_TAGS & set(operation.get("tags", ()))
    }
    assert routes == set(REFUSED)


@pytest.mark.parametrize(
    ("route", "who", "status", "error"),
    [(route, *case) for route, cases in REFUSED.items() for case in cases],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_relaying_route_refuses_the_wrong_wallet(
    gw: Gateway,
    world: World,
    ledger: Ledger,
    route: tuple[str, str],
    who: str | None,
    status: int,
    error: str,
) -> None:
    method, template = route
    tx_hash = _some_transaction_of(world, ledger)
    path = template.format(address=world.smart_cooking, version_id=VERSION_2, tx_hash=tx_hash)
    client = gw.client(None if who is None else getattr(world, who))
    body = _bodies(world).get(_BODY.get(template, ""))
    before = ledger.w3.eth.block_number

    answer = client.request(method, path, json=body)

    _error(answer, status, error)
    assert ledger.w3.eth.block_number == before  # nothing was sent


def _some_transaction_of(world: World, ledger: Ledger) -> str:
    """The hash of the chef's claim in the world (sent by the chef)."""
    emc = ledger.emc(world.smart_cooking)
    (log,) = emc.contract.events.Claimed().get_logs(
        argument_filters={"account": world.chef.address}, from_block=ledger.deployment.block
    )
    return "0x" + bytes(log["transactionHash"]).hex()


def test_relaying_routes_take_only_json_they_know(gw: Gateway, world: World) -> None:
    answer = gw.client(world.chef).post(
        f"/emcs/{world.smart_cooking}/tx/approve", json={"amount": "1.00", "spender": "x"}
    )
    _error(answer, 422, "InvalidInputError", "spender")


def test_signatures_of_a_version_never_proposed_is_not_found(gw: Gateway, world: World) -> None:
    answer = gw.client(world.owner).get(_signatures_url(world, 99))
    _error(answer, 404, "EmcUnknownVersion")


def test_a_refused_activation_is_kept_and_retried_once_put_right(
    gw: Gateway, world: World, ledger: Ledger
) -> None:
    clients = {a.address: (a, gw.client(a)) for a in (world.chef, world.owner, world.me2)}
    typed = _typed(clients[world.chef.address][1], world)
    ledger.forget_nonces()
    registry = ledger.connect(world.admin).registry
    registry.suspend(world.me2.address)  # after it signs, before the activation
    answers = [
        client.post(
            _signatures_url(world), json={"signature": "0x" + sign_typed_data(a, typed).hex()}
        )
        for a, client in clients.values()
    ]

    last = answers[-1].json()
    assert last["status"] == "proposed"
    assert last["missing"] == []
    assert last["activation"]["state"] == "refused"
    assert "EmcPartyNotActive" in last["activation"]["detail"]
    assert ledger.emc(world.smart_cooking).version(VERSION_2).status is VersionStatus.PROPOSED

    registry.reinstate(world.me2.address)
    retried = clients[world.owner.address][1].post(
        f"/emcs/{world.smart_cooking}/versions/{VERSION_2}/activation"
    )

    assert retried.status_code == 200, retried.text
    assert retried.json()["activation"]["state"] == "activated"
    assert ledger.emc(world.smart_cooking).version(VERSION_2).status is VersionStatus.ACTIVE


def test_a_wrong_method_on_the_signatures_path_allows_both_of_its_methods(
    gw: Gateway, world: World
) -> None:
    answer = gw.client().request("PUT", _signatures_url(world))

    assert answer.status_code == 405
    assert {"GET", "POST"} <= set(answer.headers["Allow"].split(", "))
    assert "use GET, POST." in answer.json()["detail"]
    # /tx is POST only, as documented (GET /tx/{tx_hash} is another path).
    raw = gw.client().request("PUT", "/tx")
    assert raw.status_code == 405
    assert raw.headers["Allow"] == "POST"
