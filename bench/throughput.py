"""Transactions per second: the SDK's TxSender against a plain web3.py send loop, and the
SDK's pipeline (``rdh_chain.pipeline``) sending many at once.

The first two send the same state-changing call (a one-fen ``SettlementToken.transfer``
between two registered MEs) to the same automining anvil, one at a time, waiting
for each receipt. Each side has its own sender account so neither disturbs the
other's nonces. The sides take turns in short chunks, alternating which goes first,
so load from elsewhere on the machine (other processes, anvil's own housekeeping)
falls on both alike; a side's rate is all its transactions over all its time.

The pipeline sends the same transfers (estimated, signed locally, sent and their receipts
collected in JSON-RPC batches) ``BATCHED_PER_TURN`` at a time, in turns between the others.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.middleware import Web3Middleware
from web3.types import Nonce, RPCEndpoint, RPCResponse, TxParams, Wei

from bench.setup import fresh_ledger
from rdh_chain.contracts import TokenClient
from rdh_chain.pipeline import Call, Pipeline
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import Role

# The SDK's TxSender polls for receipts from 2 ms up; the raw loop polls every 2 ms (web3's
# default of 100 ms would cap it near 10 tx/s), so the comparison is about the work per
# transaction, not the polling interval.
POLL_LATENCY = 0.002
FUNDS = 10**9
BATCHED_PER_TURN = 1_000

Loop = Callable[[int], None]


@dataclass
class Side:
    """One way of sending, timed turn by turn."""

    chunk: int  # transactions per turn
    turns: list[float] = field(default_factory=list)  # wall-clock seconds of each turn
    cpu: float = 0.0  # this process's CPU seconds over all turns
    rpc: dict[str, float] = field(default_factory=dict)  # JSON-RPC calls per tx, by method

    def run(self, loop: Loop) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        loop(self.chunk)
        self.turns.append(time.perf_counter() - wall)
        self.cpu += time.process_time() - cpu

    @property
    def count(self) -> int:
        return self.chunk * len(self.turns)

    @property
    def tx_per_s(self) -> float:
        return self.count / sum(self.turns)

    @property
    def best(self) -> float:
        """The fastest turn's rate: the closest to an otherwise idle machine."""
        return self.chunk / min(self.turns)

    @property
    def cpu_ms_per_tx(self) -> float:
        """Client work per transaction (encoding, signing, web3, HTTP). Unlike tx/s it
        hardly moves with the load other processes put on the machine."""
        return 1000 * self.cpu / self.count


@dataclass(frozen=True)
class Throughput:
    sdk: Side
    raw: Side
    batched: Side

    @property
    def ratio(self) -> float:
        return self.sdk.tx_per_s / self.raw.tx_per_s


class _SdkLoop:
    """``TokenClient.transfer`` through the SDK's TxSender."""

    def __init__(self, token: TokenClient, to: ChecksumAddress) -> None:
        self.token = token
        self.to = to

    def __call__(self, count: int) -> None:
        for _ in range(count):
            self.token.transfer(self.to, 1)


class _RawLoop:
    """The same transfer as a web3.py user writes it without the SDK."""

    def __init__(
        self, w3: Web3, token: Contract, account: LocalAccount, to: ChecksumAddress
    ) -> None:
        self.w3 = w3
        self.token = token
        self.account = account
        self.to = to
        self.chain_id = w3.eth.chain_id
        self.nonce = int(w3.eth.get_transaction_count(account.address, "pending"))

    def __call__(self, count: int) -> None:
        for _ in range(count):
            params: TxParams = {
                "from": self.account.address,
                "nonce": Nonce(self.nonce),
                "gasPrice": Wei(0),
                "chainId": self.chain_id,
            }
            # No "gas": build_transaction estimates it, as TxSender does.
            tx = self.token.functions.transfer(self.to, 1).build_transaction(params)
            signed = self.account.sign_transaction(cast(dict[str, Any], tx))
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, poll_latency=POLL_LATENCY)
            if receipt["status"] != 1:
                raise RuntimeError(f"raw transfer reverted: {tx_hash.hex()}")
            self.nonce += 1


class _BatchedLoop:
    """The same transfers through :class:`rdh_chain.pipeline.Pipeline`, ``count`` at once."""

    def __init__(self, token: TokenClient, sender: LocalAccount, to: ChecksumAddress) -> None:
        self.pipeline = Pipeline(token.w3, token.decoder)
        self.token = token
        self.sender = sender
        self.data = token.calldata("transfer", to, 1)

    def __call__(self, count: int) -> None:
        call = Call(self.sender, self.token.address, self.data, "transfer")
        self.pipeline.send([call] * count).raise_for_failures()

    def rpc_per_tx(self, count: int) -> dict[str, float]:
        """Which JSON-RPC calls one transaction costs: batches bypass web3's middleware, so
        the pipeline counts them (plus one ``eth_getBlockByNumber`` a send, for the gas
        price, through web3)."""
        before = self.pipeline.rpc_calls.copy()
        self(count)
        sent = self.pipeline.rpc_calls - before
        return {method: calls / count for method, calls in sorted(sent.items())}


def _rpc_per_tx(w3: Web3, loop: Loop, count: int) -> dict[str, float]:
    """Which JSON-RPC calls one transaction costs (an untimed pass)."""
    seen: Counter[str] = Counter()

    class Count(Web3Middleware):
        def wrap_make_request(self, make_request: Any) -> Any:
            def middleware(method: RPCEndpoint, params: Any) -> RPCResponse:
                seen[method] += 1
                response: RPCResponse = make_request(method, params)
                return response

            return middleware

    # Innermost (layer 0): it counts what reaches the node, including the calls web3's
    # own middleware makes (its validation asks eth_chainId).
    w3.middleware_onion.inject(Count, name="bench_count", layer=0)
    try:
        loop(count)
    finally:
        w3.middleware_onion.remove("bench_count")
    return {method: calls / count for method, calls in sorted(seen.items())}


def measure(w3: Web3, artifacts: Mapping[str, Artifact], count: int, chunk: int) -> Throughput:
    """Send ``count`` transfers per side, taking turns ``chunk`` transfers at a time."""
    if count % chunk:
        raise ValueError(f"count ({count}) must be a multiple of chunk ({chunk})")
    treasury, *payers = (Account.create() for _ in range(7))
    sdk_from, sdk_to, raw_from, raw_to, batch_from, batch_to = payers
    operator = fresh_ledger(w3, artifacts)
    operator.registry.add_member(treasury.address, Role.TREASURY)
    for payer in payers:
        operator.registry.add_member(payer.address, Role.ME)
    mint = operator.connect(treasury).token.mint
    mint(sdk_from.address, FUNDS)
    mint(raw_from.address, FUNDS)
    mint(batch_from.address, FUNDS)

    sdk_loop = _SdkLoop(operator.connect(sdk_from).token, sdk_to.address)
    token = w3.eth.contract(address=operator.deployment.token, abi=artifacts["SettlementToken"].abi)
    raw_loop = _RawLoop(w3, token, raw_from, raw_to.address)
    batched_loop = _BatchedLoop(operator.connect(batch_from).token, batch_from, batch_to.address)
    # Warm up every path (the first transfer writes a zero balance; caches fill).
    sdk_loop(5)
    raw_loop(5)
    batched_loop(5)
    sdk = Side(chunk, rpc=_rpc_per_tx(w3, sdk_loop, 10))
    raw = Side(chunk, rpc=_rpc_per_tx(w3, raw_loop, 10))
    batched = Side(BATCHED_PER_TURN, rpc=batched_loop.rpc_per_tx(100))

    turns: tuple[tuple[Side, Loop], ...] = ((sdk, sdk_loop), (raw, raw_loop))
    rounds = count // chunk
    for i in range(rounds):
        for side, loop in turns if i % 2 == 0 else turns[::-1]:
            side.run(loop)
        if i % max(1, rounds // 3) == 0:  # three batched turns spread over the run
            batched.run(batched_loop)
    return Throughput(sdk, raw, batched)
