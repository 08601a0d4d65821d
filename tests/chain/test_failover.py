"""Several nodes in RDH_RPC_URL: the SDK fails over when one stops, and never sends twice.

Two proxies stand for two nodes of one network in front of the session's anvil; one is
taken down mid-run, or takes a transaction and vanishes before answering. The admin's
nonce, read from anvil directly, counts what was sent: each intent exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.chain.failover import FailoverProvider
from rdh_chain.deployment import deploy
from rdh_chain.exceptions import ChainError, ChainNotRunningError
from rdh_chain.ledger import Ledger
from rdh_chain.pipeline import Call, Pipeline
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import Role
from tests.support.rpc_proxy import rpc_proxy


def _operator(w3: Web3, artifacts: dict[str, Artifact], admin: LocalAccount) -> Ledger:
    deployment = deploy(TxSender(w3, admin, Ledger.decoder_for(artifacts)), artifacts)
    return Ledger(w3, deployment, artifacts).connect(admin)


def _nonce(anvil: AnvilNode, account: LocalAccount) -> int:
    return Web3(Web3.HTTPProvider(anvil.rpc_url)).eth.get_transaction_count(account.address)


def test_sends_go_on_through_the_second_node_when_the_first_stops(
    anvil: AnvilNode, artifacts: dict[str, Artifact]
) -> None:
    admin = Account.create()
    members = [Account.create().address for _ in range(10)]
    with rpc_proxy(anvil.rpc_url) as first, rpc_proxy(anvil.rpc_url) as second:
        w3 = connect(f"{first.url},{second.url}")
        assert isinstance(w3.provider, FailoverProvider)
        operator = _operator(w3, artifacts, admin)
        before = _nonce(anvil, admin)
        for member in members[:5]:
            operator.registry.add_member(member, Role.PARTNER)
        first.stop()
        for member in members[5:]:
            operator.registry.add_member(member, Role.PARTNER)

        assert (w3.provider.failovers, w3.provider.endpoint_uri) == (1, second.url)
        assert second.calls["eth_sendRawTransaction"] == 5
        assert all(operator.registry.has_role(m, Role.PARTNER) for m in members)
    assert _nonce(anvil, admin) == before + 10


def test_a_send_the_node_took_before_vanishing_is_not_sent_again(
    anvil: AnvilNode, artifacts: dict[str, Artifact]
) -> None:
    """The first node forwards the transaction, then drops the connection unanswered: the
    second node knows it, so its hash is the answer and nothing is signed again."""
    admin = Account.create()
    member = Account.create().address
    with rpc_proxy(anvil.rpc_url) as first, rpc_proxy(anvil.rpc_url) as second:
        w3 = connect(f"{first.url},{second.url}")
        operator = _operator(w3, artifacts, admin)
        before = _nonce(anvil, admin)
        first.vanish_after_send = True

        result = operator.registry.add_member(member, Role.PARTNER)

        assert result.receipt["status"] == 1
        assert second.calls["eth_sendRawTransaction"] == 1  # the same bytes, turned down
        assert second.calls["eth_getTransactionByHash"] >= 1
        assert operator.registry.has_role(member, Role.PARTNER)
    assert _nonce(anvil, admin) == before + 1


def test_a_pipeline_batch_fails_over_without_sending_twice(
    anvil: AnvilNode, artifacts: dict[str, Artifact]
) -> None:
    admin = Account.create()
    with rpc_proxy(anvil.rpc_url) as first, rpc_proxy(anvil.rpc_url) as second:
        w3 = connect(f"{first.url},{second.url}")
        operator = _operator(w3, artifacts, admin)
        registry = operator.registry
        before = _nonce(anvil, admin)
        accounts = [Account.create().address for _ in range(30)]
        add = [registry.calldata("addMember", a, Role.ME.id, bytes(32)) for a in accounts]
        calls = [
            Call(admin, registry.address, data, a) for a, data in zip(accounts, add, strict=True)
        ]
        first.vanish_after_send = True  # takes the whole batch of sends, answers nothing

        report = Pipeline(w3, operator.decoder).send(calls)

        assert report.ok, [o.describe() for o in report.failures]
        assert second.calls["eth_getTransactionByHash"] >= 30
    assert _nonce(anvil, admin) == before + 30


def test_no_node_answering_names_every_node() -> None:
    with pytest.raises(ChainNotRunningError, match=r"127\.0\.0\.1:9 \(ConnectionError\), "):
        connect("http://127.0.0.1:9,http://127.0.0.1:10")


def test_a_node_down_at_start_is_passed_over(anvil: AnvilNode) -> None:
    w3 = connect(f"http://127.0.0.1:9,{anvil.rpc_url}")

    assert w3.eth.block_number >= 0
    assert isinstance(w3.provider, FailoverProvider)
    assert w3.provider.endpoint_uri == anvil.rpc_url


def test_nodes_of_different_chains_are_refused(anvil: AnvilNode, tmp_path: Path) -> None:
    with (
        AnvilNode(AnvilConfig(port=free_port(), chain_id=4242), tmp_path) as other,
        pytest.raises(ChainError, match="of different chains"),
    ):
        connect(f"{anvil.rpc_url},{other.rpc_url}")
