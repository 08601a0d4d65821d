"""Contract views read at one block in one JSON-RPC batch (web3's ``batch_requests``).

A page of the EMC list needs six views per EMC, a statement one position per provider:
sent one by one, each costs a round trip. Here they go out together, pinned to one block,
and come back keyed by field name as :meth:`ContractClient._read` keys them. A node that
refuses batches (or a batch that fails) is read one view at a time, which also turns a
revert into the SDK's exception.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from web3 import Web3
from web3.exceptions import Web3Exception

from rdh_chain.contracts.base import ContractClient
from rdh_chain.structs import abi_value

logger = logging.getLogger(__name__)

# Views per JSON-RPC batch request (nodes cap batches; Besu's default is 1,024).
BATCH_SIZE = 500


def _outputs(client: ContractClient, fn_name: str, arity: int) -> Sequence[Mapping[str, Any]]:
    abi: Sequence[Mapping[str, Any]] = client.contract.abi
    for item in abi:
        inputs: Sequence[Mapping[str, Any]] = item.get("inputs", ())
        named = item.get("type") == "function" and item.get("name") == fn_name
        if named and len(inputs) == arity:
            outputs: Sequence[Mapping[str, Any]] = item.get("outputs", ())
            return outputs
    raise KeyError(f"{client.artifact_name} has no view {fn_name} of {arity} inputs")


def _keyed(outputs: Sequence[Mapping[str, Any]], raw: Any) -> Any:
    if len(outputs) == 1:
        return abi_value(outputs[0], raw)
    return {
        out.get("name") or f"_{i}": abi_value(out, value)
        for i, (out, value) in enumerate(zip(outputs, raw, strict=True))
    }


class PinnedReads:
    """Views to read at ``block``: :meth:`add` them, then :meth:`execute` once."""

    def __init__(self, w3: Web3, block: int) -> None:
        self.w3 = w3
        self.block = block
        self._calls: list[tuple[ContractClient, str, tuple[Any, ...]]] = []

    def add(self, client: ContractClient, fn_name: str, *args: Any) -> int:
        """Queue ``client``'s view ``fn_name(*args)``; its index in :meth:`execute`'s list."""
        client.check_args(fn_name, args)
        self._calls.append((client, fn_name, args))
        return len(self._calls) - 1

    def execute(self) -> list[Any]:
        """Every queued view's value (structs keyed by field name), in the order added."""
        values: list[Any] = []
        for start in range(0, len(self._calls), BATCH_SIZE):
            chunk = self._calls[start : start + BATCH_SIZE]
            try:
                values.extend(self._batch(chunk))
            except (Web3Exception, ValueError, TypeError) as exc:
                logger.info(
                    "batch of %d views refused (%s); reading them one by one", len(chunk), exc
                )
                values.extend(c._read(f, *a, block=self.block) for c, f, a in chunk)
        return values

    def _batch(self, chunk: Sequence[tuple[ContractClient, str, tuple[Any, ...]]]) -> list[Any]:
        with self.w3.batch_requests() as batch:
            for client, fn_name, args in chunk:
                batch.add(
                    client.contract.functions[fn_name](*args).call(block_identifier=self.block)
                )
            replies = batch.execute()
        if len(replies) != len(chunk):
            raise ValueError(f"{len(replies)} replies to {len(chunk)} calls")
        return [
            _keyed(_outputs(client, fn_name, len(args)), raw)
            for (client, fn_name, args), raw in zip(chunk, replies, strict=True)
        ]
