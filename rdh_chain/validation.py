"""Checks on the form of inputs, made before anything is sent.

The SDK checks only what cannot even be encoded (a malformed address, a negative
number, basis points outside a uint16). Whether shares add up to 10,000 or an
amount is positive is the contract's to judge: its custom error comes back as a
Python exception with the same meaning, so the rule lives in one place.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address

from rdh_chain.exceptions import InvalidInputError

_UINT_BITS = {f"uint{bits}": bits for bits in (16, 32, 64, 96, 128, 256)}


def to_address(value: str, what: str = "address") -> ChecksumAddress:
    """``value`` as a checksum address, or an error naming ``what`` was wrong."""
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not is_address(text.lower()):
        raise InvalidInputError(
            f"{what} {value!r} is not an Ethereum address: expected 0x followed by 40 hex digits."
        )
    digits = text[2:] if text[:2].lower() == "0x" else text
    mixed_case = digits not in (digits.lower(), digits.upper())
    if mixed_case and to_checksum_address(text) != text:  # EIP-55: case encodes a checksum
        raise InvalidInputError(
            f"{what} {value!r} has a wrong checksum (mixed case); re-copy it or use lower case."
        )
    return to_checksum_address(text)


def to_uint(value: int, what: str, abi_type: str = "uint256") -> int:
    """``value`` if it is a non-negative integer that fits ``abi_type``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be a whole number, got {value!r}.")
    if value < 0:
        raise InvalidInputError(f"{what} must not be negative, got {value}.")
    bits = _UINT_BITS[abi_type]
    if value >= 1 << bits:
        raise InvalidInputError(f"{what} {value} is too large (at most 2**{bits} - 1).")
    return value


def parse_amount(text: str, what: str = "amount") -> int:
    """An RMB amount such as ``"57,906.00"`` in fen (the token's unit)."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidInputError(f"{what} {text!r} is not a number, e.g. 1234.56 (RMB).") from exc
    if not value.is_finite():
        raise InvalidInputError(f"{what} {text!r} is not a finite number.")
    fen = value * 100
    if fen != fen.to_integral_value():
        raise InvalidInputError(f"{what} {text!r} has more than 2 decimals; RMB counts in fen.")
    if fen < 0:
        raise InvalidInputError(f"{what} must not be negative, got {text}.")
    return int(fen)


def format_amount(fen: int) -> str:
    """Fen as an RMB string with two decimals and thousands separators."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def to_bytes32(value: str | bytes, what: str) -> bytes:
    """A 32-byte reference from hex (``0x`` + 64 digits) or raw bytes."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = value[2:] if value.startswith("0x") else value
        try:
            raw = bytes.fromhex(text)
        except ValueError as exc:
            raise InvalidInputError(f"{what} {value!r} is not hex.") from exc
    if len(raw) != 32:
        raise InvalidInputError(f"{what} must be 32 bytes (0x + 64 hex digits), got {len(raw)}.")
    return raw
