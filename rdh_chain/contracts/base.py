"""What every contract client shares: reads, signed writes, events from receipts.

Reads key every struct by its Solidity field names (:meth:`ContractClient._read`), so a
field added in Solidity cannot shift the values after it, and each takes ``block=`` so
a page of reads, or a check against an index's checkpoint, sees one state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self, TypeVar

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractLogicError
from web3.types import BlockIdentifier

from rdh_chain.artifacts import Artifact
from rdh_chain.events import Event, EventDecoder, RawLog
from rdh_chain.exceptions import RdhChainError, ReadOnlyError
from rdh_chain.reverts import RevertDecoder
from rdh_chain.structs import abi_value
from rdh_chain.tx import TxResult, TxSender, UnsignedTx, build_transaction, revert_data
from rdh_chain.validation import check_abi_args

E = TypeVar("E", bound=Event)


class ContractClient:
    """A thin typed wrapper over one deployed contract.

    Reads and writes are separate methods; a client without a sender can only read.
    """

    artifact_name: ClassVar[str]
    # Artifacts whose functions the contract also serves (through a fallback module).
    module_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        w3: Web3,
        address: ChecksumAddress,
        artifacts: Mapping[str, Artifact],
        decoder: RevertDecoder,
        sender: TxSender | None = None,
        contract: Contract | None = None,
        event_decoder: EventDecoder | None = None,
    ) -> None:
        self.w3 = w3
        self.address = address
        self.artifacts = artifacts
        self.decoder = decoder
        self.sender = sender
        self.contract: Contract = contract or w3.eth.contract(
            address=address, abi=self.abi(artifacts)
        )
        self._event_decoder = event_decoder

    @classmethod
    def abi(cls, artifacts: Mapping[str, Artifact]) -> list[dict[str, Any]]:
        """The contract's ABI, with the functions, events and errors of its modules."""
        abi = list(artifacts[cls.artifact_name].abi)
        seen = {_abi_key(item) for item in abi}
        for name in cls.module_names:
            for item in artifacts[name].abi:
                if item.get("type") != "constructor" and _abi_key(item) not in seen:
                    seen.add(_abi_key(item))
                    abi.append(item)
        return abi

    def with_sender(self, sender: TxSender) -> Self:
        """The same contract, writing as ``sender``'s account (the web3 object is shared)."""
        return type(self)(
            self.w3,
            self.address,
            self.artifacts,
            self.decoder,
            sender,
            self.contract,
            self._event_decoder,
        )

    def check_args(self, fn_name: str, args: Sequence[Any]) -> None:
        """Refuse a bool, a negative or an oversized integer for ``fn_name`` with
        :class:`InvalidInputError`, before web3 encodes anything or the node is asked."""
        abi: Sequence[Mapping[str, Any]] = self.contract.abi
        for item in abi:
            inputs: Sequence[Mapping[str, Any]] = item.get("inputs", ())
            named = item.get("type") == "function" and item.get("name") == fn_name
            if named and len(inputs) == len(args):
                check_abi_args(inputs, args, f"{self.artifact_name}.{fn_name}")
                return

    def _call(self, fn_name: str, *args: Any, block: BlockIdentifier | None = None) -> Any:
        """``fn_name``'s result at ``block`` (the latest by default), as web3 decodes it."""
        self.check_args(fn_name, args)
        try:
            return self.contract.functions[fn_name](*args).call(block_identifier=block)
        except ContractLogicError as exc:
            action = f"{self.artifact_name}.{fn_name}"
            raise self.decoder.decode(revert_data(exc), action=action) from exc

    def _read(self, fn_name: str, *args: Any, block: BlockIdentifier | None = None) -> Any:
        """``fn_name``'s result at ``block`` with every struct keyed by its field names.

        One output is returned as itself (a struct as a dict, an array of structs as a
        tuple of dicts); several outputs as a dict by output name.
        """
        outputs = self._outputs(fn_name, len(args))
        raw = self._call(fn_name, *args, block=block)
        if len(outputs) == 1:
            return abi_value(outputs[0], raw)
        return {
            out.get("name") or f"_{i}": abi_value(out, value)
            for i, (out, value) in enumerate(zip(outputs, raw, strict=True))
        }

    def _outputs(self, fn_name: str, arity: int) -> Sequence[Mapping[str, Any]]:
        abi: Sequence[Mapping[str, Any]] = self.contract.abi
        for item in abi:
            inputs: Sequence[Mapping[str, Any]] = item.get("inputs", ())
            named = item.get("type") == "function" and item.get("name") == fn_name
            if named and len(inputs) == arity:
                outputs: Sequence[Mapping[str, Any]] = item.get("outputs", ())
                return outputs
        raise RdhChainError(f"{self.artifact_name} has no function {fn_name} of {arity} inputs")

    def _transact(self, fn_name: str, *args: Any) -> TxResult:
        if self.sender is None:
            raise ReadOnlyError(
                f"{self.artifact_name}.{fn_name} changes state: connect a wallet (with_sender)."
            )
        self.check_args(fn_name, args)
        data = self.contract.encode_abi(fn_name, args=list(args))
        return self.sender.transact(self.address, data, action=f"{self.artifact_name}.{fn_name}")

    def calldata(self, fn_name: str, *args: Any) -> bytes:
        """The calldata of ``fn_name(*args)``, checked as a send would check it, for a
        :class:`rdh_chain.pipeline.Call` that sends many transactions at once."""
        self.check_args(fn_name, args)
        return bytes.fromhex(self.contract.encode_abi(fn_name, args=list(args))[2:])

    def _unsigned(self, sender: ChecksumAddress, fn_name: str, *args: Any) -> UnsignedTx:
        """``fn_name(*args)`` as a transaction for ``sender``'s own wallet to sign (see
        :func:`rdh_chain.tx.build_transaction`); raises the decoded revert if it would fail."""
        self.check_args(fn_name, args)
        data = self.contract.encode_abi(fn_name, args=list(args))
        return build_transaction(
            self.w3,
            self.decoder,
            sender,
            self.address,
            data,
            action=f"{self.artifact_name}.{fn_name}",
        )

    @property
    def event_decoder(self) -> EventDecoder:
        """The decoder of this contract's events (the ledger's, shared, when it made us)."""
        if self._event_decoder is None:
            self._event_decoder = EventDecoder.from_abis([self.contract.abi])
        return self._event_decoder

    def events(self, result: TxResult, event_type: type[E]) -> list[E]:
        """The ``event_type`` events this contract emitted in ``result``'s receipt, in order.

        Decoded by :mod:`rdh_chain.events`, the decoder the index uses too.
        """
        logs = (RawLog.from_rpc(log) for log in result.receipt["logs"])
        decoded = self.event_decoder.decode_all(log for log in logs if log.address == self.address)
        return [d.event for d in decoded if isinstance(d.event, event_type)]

    def event(self, result: TxResult, event_type: type[E]) -> E:
        """The single ``event_type`` event of ``result``; its absence is a contract bug."""
        found = self.events(result, event_type)
        if len(found) != 1:
            raise RdhChainError(
                f"expected one {event_type.name} event in tx {result.tx_hash.hex()}, "
                f"found {len(found)}"
            )
        return found[0]


def _abi_key(item: Mapping[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    inputs = tuple(str(i.get("type")) for i in item.get("inputs", ()))
    return (str(item.get("type")), str(item.get("name", "")), inputs)
