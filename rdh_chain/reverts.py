"""Turn EVM revert data into the Python exceptions of :mod:`rdh_chain.contract_errors`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from rdh_chain import contract_errors
from rdh_chain.exceptions import ContractRevertError, UnknownRevertError

_ERROR_STRING = function_signature_to_4byte_selector("Error(string)")
_PANIC = function_signature_to_4byte_selector("Panic(uint256)")


@dataclass(frozen=True)
class _ErrorAbi:
    name: str
    types: tuple[str, ...]
    names: tuple[str, ...]


def _canonical_type(param: Mapping[str, Any]) -> str:
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def _pretty(value: Any) -> Any:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return to_checksum_address(value)
    return value


class RevertDecoder:
    """Maps 4-byte selectors of every custom error in the given ABIs to exception classes."""

    def __init__(self, abis: Iterable[list[dict[str, Any]]]) -> None:
        self._errors: dict[bytes, _ErrorAbi] = {}
        for abi in abis:
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = tuple(_canonical_type(p) for p in item["inputs"])
                signature = f"{item['name']}({','.join(types)})"
                self._errors[function_signature_to_4byte_selector(signature)] = _ErrorAbi(
                    name=item["name"],
                    types=types,
                    names=tuple(p["name"] for p in item["inputs"]),
                )
        self._classes = contract_errors.all_error_classes()

    @property
    def error_names(self) -> set[str]:
        return {e.name for e in self._errors.values()}

    def decode(self, data: bytes | str | None, *, action: str = "") -> ContractRevertError:
        """The exception for revert ``data`` (hex or bytes); ``action`` prefixes the message."""
        raw = _to_bytes(data)
        prefix = f"{action} reverted: " if action else "Reverted: "
        if len(raw) < 4:
            return UnknownRevertError(prefix + "no reason given (out of gas or a failed check).")
        selector, payload = raw[:4], raw[4:]
        if selector == _ERROR_STRING:
            (reason,) = abi_decode(["string"], payload)
            return UnknownRevertError(f"{prefix}{reason}")
        if selector == _PANIC:
            (code,) = abi_decode(["uint256"], payload)
            return UnknownRevertError(f"{prefix}panic 0x{code:02x} (arithmetic or bounds check).")
        abi = self._errors.get(selector)
        if abi is None:
            return UnknownRevertError(f"{prefix}unknown error 0x{raw.hex()}.")
        values = abi_decode(list(abi.types), payload)
        args = {n: _pretty(v) for n, v in zip(abi.names, values, strict=True)}
        cls = self._classes.get(abi.name, UnknownRevertError)
        shown = ", ".join(f"{k}={v}" for k, v in args.items())
        exc = cls(f"{prefix}{abi.name}({shown}). {cls.hint}".rstrip(), args=args)
        exc.error_name = abi.name
        return exc


def _to_bytes(data: bytes | str | None) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    text = data[2:] if data.startswith("0x") else data
    try:
        return bytes.fromhex(text)
    except ValueError:
        return b""
