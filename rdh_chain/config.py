"""Settings shared by the CLI, the gateway and the demo, read from ``RDH_*`` variables."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from web3 import Web3

from rdh_chain.artifacts import load_artifacts
from rdh_chain.chain.connect import connect
from rdh_chain.deployment import Deployment
from rdh_chain.ledger import Ledger
from rdh_chain.paths import data_dir
from rdh_chain.wallet import KeystoreDir


class Settings(BaseSettings):
    """Where the chain, the data folder and the gateway are.

    The defaults are the embedded setup: a local anvil on 127.0.0.1:8545 whose
    state, keystores and deployment record live in ``.rdh/``.
    """

    model_config = SettingsConfigDict(env_prefix="RDH_", frozen=True)

    rpc_url: str = "http://127.0.0.1:8545"
    data_dir: Path = Field(default_factory=data_dir)
    chain_id: int = 31337
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Gateway worker processes (``make run``): each serves the index's reads on its own core;
    # they share the index (SQLite in WAL mode, or PostgreSQL) with the one indexer.
    api_workers: int = Field(default=1, ge=1, le=64)

    @property
    def deployment_file(self) -> Path:
        return self.data_dir / "deployment.json"

    @property
    def anvil_dir(self) -> Path:
        """The local node's pid file, log and state file (``AnvilConfig.persisted``)."""
        return self.data_dir / "anvil"

    @property
    def keystores(self) -> KeystoreDir:
        return KeystoreDir(self.data_dir / "keystores")

    @property
    def anvil_port(self) -> int:
        """The port of a local node, taken from ``rpc_url``."""
        tail = self.rpc_url.rsplit(":", 1)[-1].split("/", 1)[0]
        return int(tail) if tail.isdigit() else 8545


class LedgerFactory:
    """Opens read-only ledgers for one settings object, sharing its Web3 and artifacts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def w3(self) -> Web3:
        return connect(self.settings.rpc_url)

    def open(self) -> Ledger:
        """A read-only ledger; says first whether the node answers, then the deployment."""
        w3 = self.w3
        deployment = Deployment.load(self.settings.deployment_file)
        deployment.check(w3)
        return Ledger(w3, deployment, load_artifacts())
