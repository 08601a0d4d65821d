"""Solidity structs by field name.

A struct read from the chain (a call's result or an event's argument) becomes one of
the frozen dataclasses of :mod:`rdh_chain.types` by matching names, never positions:
a field added in Solidity cannot shift the values after it. The dataclass's type
hints say how each value converts (addresses checksummed, enums, nested structs).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from enum import IntEnum
from functools import cache
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from rdh_chain.exceptions import ArtifactError

T = TypeVar("T")

# Solidity names that are Python keywords or read badly in snake case.
_ALIASES = {"class": "share_class", "from": "from_"}
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


@cache
def snake_case(name: str) -> str:
    """A Solidity name in Python: ``partnerMinBps`` -> ``partner_min_bps``."""
    return _ALIASES.get(name) or _CAMEL_HUMP.sub(r"_\1", name).lower()


@cache
def checksum(address: str | bytes) -> ChecksumAddress:
    """The checksummed form of a 20-byte address (cached: logs repeat the same few)."""
    return to_checksum_address(address)


def components_to_mapping(components: Sequence[Mapping[str, Any]], value: Any) -> Any:
    """An ABI tuple decoded by position (eth_abi) keyed by its components' names, nested."""
    out: dict[str, Any] = {}
    for component, item in zip(components, value, strict=True):
        out[component["name"]] = abi_value(component, item)
    return out


def abi_value(param: Mapping[str, Any], value: Any) -> Any:
    """Key tuples (and arrays of tuples) of one decoded ABI value by their components' names."""
    abi_type = str(param["type"])
    if not abi_type.startswith("tuple"):
        return value
    components = param["components"]
    if abi_type == "tuple":
        return components_to_mapping(components, value)
    return tuple(abi_value({**param, "type": abi_type[: abi_type.rindex("[")]}, v) for v in value)


def struct_from_abi(cls: type[T], value: Mapping[str, Any]) -> T:
    """``cls`` (a dataclass) from a struct keyed by its Solidity field names.

    Fields Solidity has and ``cls`` does not are ignored (a newer contract still reads);
    a field ``cls`` needs and the struct lacks is an :class:`ArtifactError`.
    """
    if hasattr(value, "_asdict"):  # web3's decode_tuples named tuples
        value = value._asdict()
    by_name = {snake_case(k): v for k, v in value.items()}
    kwargs: dict[str, Any] = {}
    for name, hint, has_default in _fields(cls):  # type: ignore[arg-type]
        if name not in by_name:
            if has_default:
                continue
            raise ArtifactError(
                f"{cls.__name__}.{name} is missing from the chain's struct (fields: "
                f"{', '.join(sorted(value))}); the build artifacts and the SDK disagree"
            )
        kwargs[name] = convert(hint, by_name[name])
    return cls(**kwargs)


def convert(hint: Any, value: Any) -> Any:
    """``value`` as the Python type ``hint`` (as the SDK's dataclasses declare them)."""
    if hint is ChecksumAddress:
        return checksum(value)
    if hint in (int, bool):
        return hint(value)
    if hint is bytes:
        return bytes(value)
    if isinstance(hint, type) and issubclass(hint, IntEnum):
        return hint(int(value))
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if isinstance(value, int) and hasattr(hint, "from_word"):
            return hint.from_word(value)  # a struct the contracts pack into one word
        return struct_from_abi(hint, value)
    origin = get_origin(hint)
    if origin is tuple:
        args = get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(convert(args[0], v) for v in value)
        return tuple(convert(a, v) for a, v in zip(args, value, strict=True))
    raise ArtifactError(f"no ABI conversion for the type {hint!r}")


@cache
def _fields(cls: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    hints = get_type_hints(cls)
    return tuple(
        (
            f.name,
            hints[f.name],
            f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
        if f.init
    )
