"""Turn EVM revert data into the Python exceptions of :mod:`rdh_chain.contract_errors`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from rdh_chain import contract_errors
from rdh_chain.exceptions import ContractRevertError, UnknownRevertError
from rdh_chain.types import (
    BidOutcome,
    EmcStatus,
    MemberStatus,
    Role,
    ShareClass,
    Strategy,
    VersionStatus,
)
from rdh_chain.validation import format_amount

_ERROR_STRING = function_signature_to_4byte_selector("Error(string)")
_PANIC = function_signature_to_4byte_selector("Panic(uint256)")


@dataclass(frozen=True)
class _ErrorAbi:
    name: str
    types: tuple[str, ...]
    names: tuple[str, ...]
    internal_types: tuple[str, ...]


# -- how an error's arguments read to a person ----------------------------------------------
# The contracts name their errors' arguments consistently, so the name says what a number
# is: a Unix time shown as a date, fen shown as RMB, basis points with their percentage.
# Role hashes read as role names and enums (their ABI ``internalType``) as their names.

_TIMES = frozenset({"deadline", "nowTime", "commitDeadline", "revealDeadline", "decidedAt"})
_FEN = frozenset(
    {
        "loss",
        "capital",
        "profit",
        "margin",
        "requested",
        "available",
        "balance",
        "needed",
        "allowance",
        "targetRevenue",
        "sharingSpace",
        "revenueAtFullScore",
    }
)
# Arguments whose meaning depends on the error.
_FEN_IN = {"EmcAmountTooLarge": frozenset({"value", "max"})}
_BPS_IN = {
    "EmcShareOutOfBounds": frozenset({"bps", "min", "max"}),
    "FactoryInvalidPartnerBounds": frozenset({"min", "max"}),
    "GuidelinesInvalidPartnerBounds": frozenset({"min", "max"}),
    "EmcBidAskTooHigh": frozenset({"max"}),
}
_ROLES = frozenset({"role", "neededRole"})
_ENUMS: dict[str, type[IntEnum]] = {
    "BidOutcome": BidOutcome,
    "EmcStatus": EmcStatus,
    "MemberStatus": MemberStatus,
    "ShareClass": ShareClass,
    "Strategy": Strategy,
    "VersionStatus": VersionStatus,
}
_ADMIN_ROLE = bytes(32)  # OpenZeppelin's DEFAULT_ADMIN_ROLE


def _date(timestamp: int) -> str:
    if timestamp == 0:
        return "never"
    try:
        return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):  # beyond what a date can show
        return str(timestamp)


def _rmb(fen: int) -> str:
    return f"{format_amount(fen)} RMB"


def _bps(bps: int) -> str:
    return f"{bps:,} bps ({bps / 100:.2f}%)"


def _role(role_id: bytes) -> str:
    if role_id == _ADMIN_ROLE:
        return "admin"
    try:
        return Role.from_id(role_id).value
    except ValueError:
        return "0x" + role_id.hex()


def _enum_name(kind: type[IntEnum], value: int) -> str:
    try:
        return kind(value).name.lower().replace("_", "-")
    except ValueError:
        return str(value)


def _readable_as(error: str, name: str, internal_type: str) -> Callable[[Any], str] | None:
    """How argument ``name`` of ``error`` is shown, or None for its plain form."""
    enum = _ENUMS.get(internal_type.removeprefix("enum ").rsplit(".", 1)[-1])
    if internal_type.startswith("enum ") and enum is not None:
        return lambda value: _enum_name(enum, value)
    if name in _ROLES and internal_type == "bytes32":
        return _role
    if name in _TIMES:
        return _date
    if name in _FEN or name in _FEN_IN.get(error, ()):
        return _rmb
    if name.endswith(("Bps", "bps")) or name in _BPS_IN.get(error, ()):
        return _bps
    return None


def readable(
    error: str, names: Iterable[str], internal_types: Iterable[str], values: Iterable[Any]
) -> str:
    """``name=value, ...`` of a custom error's arguments, as a person reads them."""
    shown = []
    for name, internal_type, value in zip(names, internal_types, values, strict=True):
        as_text = _readable_as(error, name, internal_type)
        if as_text is not None and not isinstance(value, bool):
            text = as_text(value)
        else:
            text = str(_pretty(value))
        shown.append(f"{name}={text}")
    return ", ".join(shown)


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
                    internal_types=tuple(
                        str(p.get("internalType", p["type"])) for p in item["inputs"]
                    ),
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
        shown = readable(abi.name, abi.names, abi.internal_types, values)
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
