"""Settings shared by the CLI, the gateway and the demo, read from ``RDH_*`` variables."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

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

    @classmethod
    def resolved(cls, **overrides: Any) -> Settings:
        """The settings of ``overrides`` and ``RDH_*``; where neither names the node (the RPC
        URL), what the data folder records runs: the chain of ``make run`` (its
        :class:`RunRecord`, which also gives the chain id and the gateway), else a local
        anvil started by ``rdh chain up`` (its pid file). So a second shell finds the demo
        on whatever URL it was started."""
        settings = cls(**overrides)
        if "rpc_url" in settings.model_fields_set:
            return settings
        record = RunRecord.load(settings.data_dir)
        if record is not None:
            update: dict[str, Any] = {"rpc_url": record.rpc_url}
            if "chain_id" not in settings.model_fields_set:
                update["chain_id"] = record.chain_id
            if not {"api_host", "api_port"} & settings.model_fields_set:
                update["api_host"], update["api_port"] = record.api_host, record.api_port
            return settings.model_copy(update=update)
        anvil_url = _running_anvil_url(settings.anvil_dir)
        if anvil_url is not None:
            return settings.model_copy(update={"rpc_url": anvil_url})
        return settings

    @property
    def run_file(self) -> Path:
        """What ``make run`` started (:class:`RunRecord`), while it runs."""
        return self.data_dir / RUN_FILENAME

    @property
    def gateway_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

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


RUN_FILENAME = "run.json"
_ANVIL_PID_FILENAME = "anvil.pid"  # rdh_chain.chain.anvil's, read here without importing it


@dataclass(frozen=True)
class RunRecord:
    """What ``make run`` (``rdh demo run``) started, kept in the data folder while it runs
    (``run.json``), so that the CLI in another shell uses the same chain and gateway."""

    pid: int  # the demo's process: the record is void once it is gone
    rpc_url: str
    chain_id: int
    api_host: str
    api_port: int
    started_at: str  # ISO 8601, UTC

    @property
    def gateway_url(self) -> str:
        return f"http://{self.api_host}:{self.api_port}"

    def save(self, data_dir: Path) -> Path:
        """Write the record (through a rename, so a reader never sees half of it)."""
        path = data_dir / RUN_FILENAME
        data_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{RUN_FILENAME}.{os.getpid()}.tmp")
        data = asdict(self) | {"gateway_url": self.gateway_url}
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, data_dir: Path) -> RunRecord | None:
        """The record of a demo that still runs, or None (none, unreadable, or its process
        is gone, e.g. killed before it could remove the record)."""
        try:
            data = json.loads((data_dir / RUN_FILENAME).read_text(encoding="utf-8"))
            record = cls(
                pid=int(data["pid"]),
                rpc_url=str(data["rpc_url"]),
                chain_id=int(data["chain_id"]),
                api_host=str(data["api_host"]),
                api_port=int(data["api_port"]),
                started_at=str(data["started_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return record if _process_alive(record.pid) else None

    @staticmethod
    def remove(data_dir: Path, pid: int) -> None:
        """Remove the record if it is the one process ``pid`` wrote."""
        path = data_dir / RUN_FILENAME
        try:
            if int(json.loads(path.read_text(encoding="utf-8"))["pid"]) == pid:
                path.unlink()
        except (OSError, ValueError, KeyError, TypeError):
            pass


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    try:  # an exited child its parent has not reaped yet is gone too
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _running_anvil_url(anvil_dir: Path) -> str | None:
    """The RPC URL in the pid file of a local anvil (``rdh chain up``) that still runs."""
    try:
        data = json.loads((anvil_dir / _ANVIL_PID_FILENAME).read_text(encoding="utf-8"))
        pid, url = int(data["pid"]), str(data["rpc_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url if _process_alive(pid) else None


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
