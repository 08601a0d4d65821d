"""The gateway's relay of an activation, measured from a second process over loopback.

``python -m bench.relay [--rounds N] [--parties P] [--output PATH]``: a private anvil, a
deployment with P ME parties (the first owns an EMC), and a gateway (uvicorn, one worker)
in a process of its own. Each round the owner proposes a share version through the SDK,
every party signs it in its own wallet, and each posts its signature to the gateway
(signed in with SIWE, over HTTP/1.1 keep-alive): the last POST is answered once the
gateway's relayer has activated the version (estimate, sign, send, receipt). The figures
are the wall-clock times of those POSTs as the client saw them.

``measure`` returns ``{"<endpoint>": {"rps": x, "p99_ms": y, "p50_ms": z, "count": n}}``
for ``bench/results.json`` under ``"gateway"``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from rich.console import Console
from rich.table import Table
from siwe import SiweMessage
from siwe.siwe import ISO8601Datetime
from web3 import Web3

from bench.setup import fresh_ledger
from rdh_chain.agreements import sign_typed_data
from rdh_chain.chain import AnvilConfig, AnvilNode, connect, free_port
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain.artifacts import Artifact, load_artifacts
from rdh_chain.types import ZERO_ADDRESS, EmcTerms, Role, ShareClass, ShareEntry

SIGNATURE = "POST /emcs/{a}/versions/{id}/signatures"
LAST_SIGNATURE = "POST /emcs/{a}/versions/{id}/signatures (last: relayed activation)"
TERMS = EmcTerms(
    target_users=1_000, target_revenue=1_000_000_00, sharing_space=1_000_00, loss_threshold=500_00
)
RESULTS = Path(__file__).with_name("results.json")


@dataclass(frozen=True)
class Party:
    account: LocalAccount
    client: httpx.Client


def _sign_in(client: httpx.Client, account: LocalAccount) -> None:
    offered = client.get("/auth/nonce").raise_for_status().json()
    text = SiweMessage(
        domain=offered["domain"],
        address=account.address,
        uri=offered["uri"],
        version=offered["version"],
        chain_id=offered["chain_id"],
        issued_at=ISO8601Datetime.from_datetime(datetime.now(UTC)),
        nonce=offered["nonce"],
        statement=offered["statement"],
    ).prepare_message()
    signature = "0x" + bytes(account.sign_message(encode_defunct(text=text)).signature).hex()
    client.post("/auth/siwe", json={"message": text, "signature": signature}).raise_for_status()


@contextmanager
def _gateway(data_dir: Path, rpc_url: str) -> Iterator[str]:
    """A gateway in a process of its own on a free port; its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "RDH_RPC_URL": rpc_url,
        "RDH_DATA_DIR": str(data_dir),
        "RDH_AUTH_PUBLIC_URL": url,
    }
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)]
    log = (data_dir / "gateway.log").open("w")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/auth/nonce", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the gateway did not start; see {data_dir / 'gateway.log'}")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _entries(parties: list[LocalAccount], round_no: int) -> list[ShareEntry]:
    """Every party an operating share (a different split each round), the fund 10%."""
    shares = [9_000 // len(parties)] * len(parties)
    shares[0] += 9_000 - sum(shares)
    if len(parties) > 1:  # move a basis point each round, so each version differs
        shift = round_no % (shares[1] - 1) + 1
        shares[0], shares[1] = shares[0] + shift, shares[1] - shift
    entries = [
        ShareEntry(p.address, ShareClass.OPERATING, bps)
        for p, bps in zip(parties, shares, strict=True)
    ]
    return [*entries, ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000)]


def _figures(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "rps": round(len(ordered) / sum(ordered), 1),
        "p50_ms": round(statistics.median(ordered) * 1_000, 2),
        "p99_ms": round(p99 * 1_000, 2),
        "count": len(ordered),
    }


def measure(
    w3: Web3, artifacts: Mapping[str, Artifact], rpc_url: str, rounds: int, party_count: int
) -> dict[str, dict[str, float]]:
    """The relay figures (see the module) over ``rounds`` versions of ``party_count``
    parties."""
    admin = fresh_ledger(w3, artifacts)
    accounts: list[LocalAccount] = [Account.create() for _ in range(party_count)]
    for account in accounts:
        admin.registry.add_member(account.address, Role.ME)
    address, _ = admin.factory.create_emc_with_terms(
        accounts[0].address, TERMS, keccak(text="bench: the relay of activations")
    )
    owner = Ledger(w3, admin.deployment, artifacts).connect(accounts[0])
    emc = owner.emc(address)
    others: list[float] = []
    last: list[float] = []
    with tempfile.TemporaryDirectory(prefix="rdh-bench-relay-") as folder:
        data_dir = Path(folder)
        admin.deployment.save(data_dir / "deployment.json")
        with _gateway(data_dir, rpc_url) as url:
            parties = [Party(a, httpx.Client(base_url=url, timeout=120)) for a in accounts]
            try:
                for party in parties:
                    _sign_in(party.client, party.account)
                for round_no in range(rounds):
                    version_id, _ = emc.propose_version(_entries(accounts, round_no))
                    typed = emc.typed_data(version_id)
                    path = f"/emcs/{address}/versions/{version_id}/signatures"
                    for i, party in enumerate(sorted(parties, key=lambda p: p.account.address)):
                        body = {"signature": "0x" + sign_typed_data(party.account, typed).hex()}
                        started = time.perf_counter()
                        answer = party.client.post(path, json=body).raise_for_status().json()
                        (last if i == len(parties) - 1 else others).append(
                            time.perf_counter() - started
                        )
                    if answer["activation"]["state"] != "activated":
                        raise RuntimeError(f"version {version_id} not activated: {answer}")
            finally:
                for party in parties:
                    party.client.close()
    found = {LAST_SIGNATURE: _figures(last)}
    if others:
        found[SIGNATURE] = _figures(others)
    return found


def print_table(figures: Mapping[str, Mapping[str, float]], console: Console) -> None:
    table = Table(title="gateway relay (1 connection, sequential)")
    for column in ("endpoint", "requests/s", "p50 ms", "p99 ms", "count"):
        table.add_column(column, justify="left" if column == "endpoint" else "right")
    for endpoint, row in figures.items():
        table.add_row(
            endpoint,
            f"{row['rps']:,.1f}",
            f"{row['p50_ms']:,.2f}",
            f"{row['p99_ms']:,.2f}",
            f"{int(row['count'])}",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relay", description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="versions activated")
    parser.add_argument("--parties", type=int, default=3, help="parties of each version")
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"merge the figures into this results file under 'gateway' (e.g. {RESULTS})",
    )
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="rdh-bench-") as chain_dir,
        AnvilNode(AnvilConfig(port=free_port()), Path(chain_dir)) as node,
    ):
        w3 = connect(node.rpc_url)
        figures = measure(w3, load_artifacts(), node.rpc_url, args.rounds, args.parties)
    print_table(figures, Console())
    if args.output is not None:
        results: dict[str, Any] = (
            json.loads(args.output.read_text()) if args.output.exists() else {}
        )
        results.setdefault("gateway", {}).update(figures)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
