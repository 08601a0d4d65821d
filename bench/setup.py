"""A fresh deployment for one measurement, signed by a fresh admin."""

from __future__ import annotations

from collections.abc import Mapping

from eth_account import Account
from web3 import Web3

from rdh_chain.deployment import deploy
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.tx import TxSender


def fresh_ledger(w3: Web3, artifacts: Mapping[str, Artifact]) -> Ledger:
    """A new deployment, as a ledger signing as its admin (also an operator).

    A new admin each time: its sender's cached nonce cannot clash with a sender
    left over from an earlier deployment.
    """
    admin = Account.create()
    deployment = deploy(TxSender(w3, admin, Ledger.decoder_for(artifacts)), artifacts)
    return Ledger(w3, deployment, artifacts).connect(admin)
