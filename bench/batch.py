"""Pre-signed transactions sent as JSON-RPC batches: what builds a long history fast.

The SDK's ``TxSender`` estimates, signs, sends and waits for each transaction: right for
users, about 320 tx/s here. A history of 100,000 events needs tens of thousands of
transactions, so the history generator signs them locally with known nonces and a fixed
gas limit, sends hundreds per HTTP request, and mines them itself (``evm_mine``) in
blocks whose order it controls: a transaction only depends on blocks before its own, or
on earlier nonces of its own sender.

Signing is the SDK's bulk signer (:mod:`rdh_chain.raw_tx`: a legacy EIP-155 transaction over
coincurve, several times faster than ``eth_account``'s general path); :meth:`Signer.check`
compares the two, and the generator calls it for every account kind before it starts.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import coincurve
from eth_abi.abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from eth_typing import ABIFunction, ChecksumAddress
from eth_utils.abi import function_abi_to_4byte_selector, get_abi_input_types

from rdh_chain.raw_tx import LegacySigner, LegacyTx, check_signer

BATCH = 500  # JSON-RPC calls per HTTP request


@dataclass
class Signer:
    """One account's transactions, numbered from ``nonce``: gas price 0, no value."""

    account: LocalAccount
    chain_id: int
    nonce: int = 0

    def __post_init__(self) -> None:
        self._signer = LegacySigner(self.account, self.chain_id)
        self._key = coincurve.PrivateKey(bytes(self.account.key))

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def sign(self, to: ChecksumAddress, data: bytes, gas: int) -> bytes:
        """The next transaction (it takes the next nonce), signed: raw bytes to send."""
        raw = self._signer.sign(LegacyTx(self.nonce, 0, gas, to, 0, data))
        self.nonce += 1
        return raw

    def sign_digest(self, digest: bytes) -> bytes:
        """A 65-byte signature (r, s, v = 27 or 28) of a 32-byte digest, as wallets sign
        EIP-712 messages; it takes no nonce."""
        signature = self._key.sign_recoverable(digest, hasher=None)
        return signature[:64] + bytes([27 + signature[64]])

    def check(self) -> None:
        """Raise unless the signer gives eth_account's bytes for the same transaction."""
        check_signer(self._signer)


class RpcError(RuntimeError):
    """A JSON-RPC call in a batch came back with an error."""


class BatchRpc:
    """JSON-RPC over one kept-alive HTTP connection, single calls or batches."""

    def __init__(self, url: str, timeout: float = 600.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.hostname is None:
            raise ValueError(f"no host in {url!r}")
        self._host, self._port = parsed.hostname, parsed.port or 80
        self._path = parsed.path or "/"
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._id = 0

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _post(self, body: bytes) -> Any:
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    self._host, self._port, timeout=self._timeout
                )
            try:
                self._conn.request("POST", self._path, body, {"Content-Type": "application/json"})
                response = self._conn.getresponse()
                payload = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()  # a dropped keep-alive connection: reconnect once
                if attempt:
                    raise
                continue
            if response.status != 200:
                raise RpcError(f"HTTP {response.status}: {payload[:200]!r}")
            return json.loads(payload)
        raise AssertionError("unreachable")

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """One call's result; raise :class:`RpcError` on an error."""
        return self.batch([(method, params)])[0]

    def batch(self, calls: Iterable[tuple[str, Sequence[Any]]]) -> list[Any]:
        """Every call's result, in order, ``BATCH`` calls per request; raise on any error."""
        pending = list(calls)
        results: list[Any] = []
        for start in range(0, len(pending), BATCH):
            chunk = pending[start : start + BATCH]
            first = self._id
            body = [
                {"jsonrpc": "2.0", "id": first + i, "method": method, "params": list(params)}
                for i, (method, params) in enumerate(chunk)
            ]
            self._id += len(chunk)
            replies = self._post(json.dumps(body).encode())
            if isinstance(replies, dict):  # a whole-batch error
                raise RpcError(str(replies.get("error", replies)))
            by_id = {reply["id"]: reply for reply in replies}
            for i, (method, _) in enumerate(chunk):
                reply = by_id[first + i]
                if "error" in reply:
                    raise RpcError(f"{method}: {reply['error']}")
                results.append(reply["result"])
        return results

    def send_raw(self, raw: Sequence[bytes]) -> list[str]:
        """``eth_sendRawTransaction`` for each, batched; their hashes."""
        return self.batch(("eth_sendRawTransaction", ["0x" + tx.hex()]) for tx in raw)


class Encoder:
    """Calldata for a contract's functions straight through eth_abi (web3's ``encode_abi``
    costs about a millisecond a call, which a history of 60,000 transactions notices)."""

    def __init__(self, abi: Sequence[Mapping[str, Any]]) -> None:
        self._functions: dict[str, tuple[bytes, list[str]]] = {}
        for item in abi:
            if item.get("type") == "function":
                name = str(item["name"])
                if name in self._functions:
                    raise ValueError(f"{name} is overloaded: the encoder names functions alone")
                fn = cast(ABIFunction, item)
                self._functions[name] = (
                    function_abi_to_4byte_selector(fn),
                    list(get_abi_input_types(fn)),
                )

    def __call__(self, fn_name: str, *args: Any) -> bytes:
        selector, types = self._functions[fn_name]
        return selector + abi_encode(types, list(args))
