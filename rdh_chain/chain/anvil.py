"""Run the local chain: anvil from npm (``@foundry-rs/anvil-linux-amd64``).

A node started with a state file loads it on start and writes it when it
exits on SIGTERM, so the ledger survives ``rdh chain down`` / ``up``. Its pid,
URL and settings go to a pid file in the data folder, so another process
(``rdh chain status``, ``rdh chain down``) can find and stop it.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from types import TracebackType
from typing import Any

from rdh_chain import paths
from rdh_chain.exceptions import ChainError, ToolchainError

ANVIL_BINARY = paths.NODE_MODULES / "@foundry-rs" / "anvil-linux-amd64" / "bin" / "anvil"
PID_FILENAME = "anvil.pid"
LOG_FILENAME = "anvil.log"
STATE_FILENAME = "state.json"
_LOG_TAIL_LINES = 25


@dataclass(frozen=True)
class AnvilConfig:
    """How to run anvil.

    Base fee and gas price are 0, as befits a permissioned ledger, but anvil
    still suggests a 1 gwei priority fee: senders that want free gas set
    ``maxFeePerGas`` and ``maxPriorityFeePerGas`` (or ``gasPrice``) to 0.
    """

    host: str = "127.0.0.1"
    port: int = 8545
    chain_id: int = 31337
    # Loaded on start if it exists, written when anvil exits on SIGTERM.
    state_file: Path | None = None
    # Also write the state file every N seconds, so a SIGKILL loses at most N seconds.
    state_interval: int | None = None
    block_time: float | None = None  # interval mining; None mines one block per transaction
    no_mining: bool = False  # mine only on `evm_mine`
    hardfork: str | None = None  # anvil's default (a superset of the contracts' cancun)
    # Keep only the last N blocks' states in memory (reads at older blocks fail). Anvil
    # copies the state into each block it keeps: a long history of a large state (the
    # simulated year) otherwise grows by gigabytes and slows down every block.
    prune_history: int | None = None
    extra_args: tuple[str, ...] = ()
    binary: Path = ANVIL_BINARY

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        """anvil's argument list."""
        args = [
            str(self.binary),
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--chain-id",
            str(self.chain_id),
            "--base-fee",
            "0",
            "--gas-price",
            "0",
            "--color",
            "never",
        ]
        if self.prune_history is None:
            # Keep every state in memory: otherwise anvil spills old states to
            # $HOME/.foundry/anvil/tmp, which must not depend on who runs it.
            args += ["--max-persisted-states", "0"]
        else:  # implies no state on disk either (anvil refuses both options together)
            args += ["--prune-history", str(self.prune_history)]
        if self.state_file is not None:
            args += ["--state", str(self.state_file)]
        if self.state_interval is not None:
            args += ["--state-interval", str(self.state_interval)]
        if self.block_time is not None:
            args += ["--block-time", f"{self.block_time:g}"]
        if self.no_mining:
            args.append("--no-mining")
        if self.hardfork is not None:
            args += ["--hardfork", self.hardfork]
        return args + list(self.extra_args)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("state_file", "binary"):
            data[key] = None if data[key] is None else str(data[key])
        data["extra_args"] = list(self.extra_args)
        return data

    @classmethod
    def persisted(cls, folder: Path, *, port: int, chain_id: int) -> AnvilConfig:
        """The embedded local node (``rdh chain up``, ``make run``): on ``port``, its state
        saved in ``folder``; a crash (not a Ctrl-C) loses at most 30 seconds of blocks."""
        return cls(
            port=port, chain_id=chain_id, state_file=folder / STATE_FILENAME, state_interval=30
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AnvilConfig:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("state_file") is not None:
            values["state_file"] = Path(values["state_file"])
        if "binary" in values:
            values["binary"] = Path(values["binary"])
        values["extra_args"] = tuple(values.get("extra_args", ()))
        return cls(**values)


@dataclass(frozen=True)
class NodeStatus:
    """A running node as its pid file describes it, with its current block if it answers."""

    pid: int
    rpc_url: str
    chain_id: int
    state_file: Path | None
    log_file: Path
    block_number: int | None


def default_data_dir() -> Path:
    """``<data_dir()>/anvil``: the pid file, the log and (by default) the state file."""
    return paths.data_dir() / "anvil"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nothing listens on now (another process may still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def rpc_request(
    url: str, method: str, params: list[Any] | None = None, timeout: float = 2.0
) -> Any:
    """One JSON-RPC call without web3, for probing a node. Raises OSError if none answers."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []})
    request = urllib.request.Request(
        url, data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        reply = json.loads(response.read())
    if "error" in reply:
        raise ChainError(f"{method} at {url} failed: {reply['error']}")
    return reply["result"]


def port_in_use(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # An exited child not yet reaped by its parent still has a pid: a zombie.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _is_anvil_on_port(pid: int, port: int) -> bool:
    # Guards against a recycled pid: never signal a process that is not our anvil.
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [a.decode(errors="replace") for a in argv]
    return (
        bool(args)
        and Path(args[0]).name == "anvil"
        and any(a == "--port" and b == str(port) for a, b in itertools.pairwise(args))
    )


class AnvilNode:
    """One anvil process: started here, or found through its pid file.

    Use as a context manager for a node that lives as long as a block of code,
    or :func:`start_background` / :func:`stop_background` for one that outlives
    the command that started it.
    """

    def __init__(self, config: AnvilConfig | None = None, data_dir: Path | None = None) -> None:
        config = config or AnvilConfig()
        if config.state_file is not None:
            # anvil runs in the data folder: a relative path must not change meaning.
            config = replace(config, state_file=config.state_file.resolve())
        self.config = config
        self.data_dir = (data_dir or default_data_dir()).resolve()
        self._process: subprocess.Popen[bytes] | None = None
        self._pid: int | None = None

    def __repr__(self) -> str:
        return f"AnvilNode({self.rpc_url!r}, pid={self._pid}, data_dir={str(self.data_dir)!r})"

    @property
    def rpc_url(self) -> str:
        return self.config.rpc_url

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def pid_file(self) -> Path:
        return self.data_dir / PID_FILENAME

    @property
    def log_file(self) -> Path:
        return self.data_dir / LOG_FILENAME

    @classmethod
    def from_pidfile(cls, data_dir: Path | None = None) -> AnvilNode | None:
        """The node recorded in ``data_dir``'s pid file, or None if none runs.

        A pid file left by a node that is gone is removed.
        """
        data_dir = (data_dir or default_data_dir()).resolve()
        pid_file = data_dir / PID_FILENAME
        try:
            record = json.loads(pid_file.read_text(encoding="utf-8"))
            pid = int(record["pid"])
            config = AnvilConfig.from_json(record["config"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            pid_file.unlink(missing_ok=True)  # unreadable: nothing can be found through it
            return None
        if not (_pid_alive(pid) and _is_anvil_on_port(pid, config.port)):
            pid_file.unlink(missing_ok=True)
            return None
        node = cls(config, data_dir)
        node._pid = pid
        return node

    def is_running(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            return False
        # A multi-threaded process that exited can stay unreapable for a moment
        # while its threads wind down; _pid_alive already counts it as gone.
        return self._pid is not None and _pid_alive(self._pid)

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    def start(self, timeout: float = 30.0) -> None:
        """Start anvil and return once it answers ``eth_chainId`` with the configured id."""
        if self.is_running():
            raise ChainError(f"This anvil is already running at {self.rpc_url} (pid {self._pid}).")
        other = AnvilNode.from_pidfile(self.data_dir)
        if other is not None:
            raise ChainError(
                f"anvil already runs from {self.data_dir} at {other.rpc_url} (pid {other.pid}); "
                "run `rdh chain down` first."
            )
        binary = self.config.binary
        if not os.access(binary, os.X_OK):
            raise ToolchainError(f"anvil not found at {binary}; run `npm ci` (or `make install`).")
        if port_in_use(self.config.host, self.config.port):
            raise ChainError(
                f"Port {self.config.port} on {self.config.host} is already in use; "
                "stop what listens there or choose another port."
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.config.state_file is not None:
            self.config.state_file.parent.mkdir(parents=True, exist_ok=True)

        with self.log_file.open("wb") as log:
            self._process = subprocess.Popen(
                self.config.command(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                # Its own session: a Ctrl-C in the terminal that ran `rdh chain up`
                # must not kill a node meant to outlive that command.
                start_new_session=True,
            )
        self._pid = self._process.pid
        try:
            self._wait_until_ready(timeout)
        except BaseException:
            self._kill()
            raise
        self._write_pidfile()

    def _wait_until_ready(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while True:
            code = self._process.poll()
            if code is not None:
                raise ChainError(
                    f"anvil exited with code {code} while starting; its log "
                    f"({self.log_file}) ends with:\n{self.log_tail()}"
                )
            with contextlib.suppress(OSError, ValueError, http.client.HTTPException):
                chain_id = int(rpc_request(self.rpc_url, "eth_chainId", timeout=1.0), 16)
                if chain_id != self.config.chain_id:
                    raise ChainError(
                        f"The node at {self.rpc_url} reports chain id {chain_id}, "
                        f"expected {self.config.chain_id}."
                    )
                return
            if time.monotonic() > deadline:
                raise ChainError(
                    f"anvil did not answer at {self.rpc_url} within {timeout:g}s; its log "
                    f"({self.log_file}) ends with:\n{self.log_tail()}"
                )
            time.sleep(0.05)

    def _write_pidfile(self) -> None:
        record = {"pid": self._pid, "rpc_url": self.rpc_url, "config": self.config.to_json()}
        tmp = self.pid_file.with_name(f".{PID_FILENAME}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        tmp.replace(self.pid_file)

    def _remove_pidfile(self) -> None:
        # Only our own record: another node may have been started from this folder since.
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            if int(json.loads(self.pid_file.read_text(encoding="utf-8"))["pid"]) == self._pid:
                self.pid_file.unlink()

    def _wait_exit(self, timeout: float) -> bool:
        if self._process is not None:
            try:
                self._process.wait(timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        assert self._pid is not None
        deadline = time.monotonic() + timeout
        while _pid_alive(self._pid):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def _kill(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._wait_exit(10.0)

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop anvil; True if it exited on SIGTERM, having written its state file.

        False means it had to be killed after ``timeout`` seconds, so the state
        file may miss the latest blocks. The pid file is removed either way.
        """
        graceful = True
        if self._pid is not None and self.is_running():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGTERM)
            if not self._wait_exit(timeout):
                graceful = False
                self._kill()
        if self._process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(5.0)  # reap it, or it lingers as a zombie
        self._remove_pidfile()
        self._process = None
        self._pid = None
        return graceful

    def status(self) -> NodeStatus:
        """This node's settings and current block number (None if it does not answer)."""
        if self._pid is None:
            raise ChainError("This anvil has not been started.")
        try:
            block: int | None = int(rpc_request(self.rpc_url, "eth_blockNumber"), 16)
        except (OSError, ValueError, ChainError):
            block = None
        return NodeStatus(
            pid=self._pid,
            rpc_url=self.rpc_url,
            chain_id=self.config.chain_id,
            state_file=self.config.state_file,
            log_file=self.log_file,
            block_number=block,
        )

    def __enter__(self) -> AnvilNode:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_background(
    config: AnvilConfig | None = None, data_dir: Path | None = None, timeout: float = 30.0
) -> AnvilNode:
    """Start a node that outlives this process (``rdh chain up``).

    Without a config it listens on 127.0.0.1:8545 and persists its state to
    ``<data_dir>/state.json``.
    """
    data_dir = (data_dir or default_data_dir()).resolve()
    node = AnvilNode(config or AnvilConfig(state_file=data_dir / STATE_FILENAME), data_dir)
    node.start(timeout)
    return node


def stop_background(data_dir: Path | None = None, timeout: float = 30.0) -> bool:
    """Stop the node recorded in ``data_dir`` (``rdh chain down``); False if none ran.

    Raises :class:`ChainError` if it had to be killed, since its state file may
    then miss the latest blocks.
    """
    node = AnvilNode.from_pidfile(data_dir)
    if node is None:
        return False
    pid = node.pid
    if not node.stop(timeout):
        raise ChainError(
            f"anvil (pid {pid}) did not exit within {timeout:g}s of SIGTERM and was "
            f"killed; {node.config.state_file or 'its state'} may miss the latest blocks."
        )
    return True


def status(data_dir: Path | None = None) -> NodeStatus | None:
    """The node recorded in ``data_dir`` (``rdh chain status``), or None if none runs."""
    node = AnvilNode.from_pidfile(data_dir)
    return None if node is None else node.status()
