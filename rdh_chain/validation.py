"""Checks on the form of inputs, made before anything is signed or sent.

People type RMB amounts and counts as text; :func:`parse_amount` and
:func:`parse_count` accept one plain form and refuse everything else with a message
naming it, and check the figure against the contract field it goes to
(:mod:`rdh_chain.limits`). The SDK takes fen as integers: :func:`to_uint` and
:func:`to_fen` refuse a bool, a negative or an oversized value, and
:func:`check_abi_args` applies them to every argument a client encodes.

Beyond that, the SDK checks only what cannot even be encoded (a malformed address,
basis points outside a uint16). Whether shares add up to 10,000 or a balance covers
a payment is the contract's to judge: its custom error comes back as a Python
exception with the same meaning, so the rule lives in one place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.address import is_address, to_checksum_address

from rdh_chain.exceptions import InvalidInputError
from rdh_chain.limits import UINT256, Limit

# The accepted forms: 1234, 1234.5, 1234.56, 1,234 and 1,234,567.89. Commas separate
# every group of three digits or none; no leading zeros, no signs, exponents or spaces.
_WHOLE = r"(?:[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]*|0)"
_AMOUNT = re.compile(rf"{_WHOLE}(?:\.[0-9]{{1,2}})?")
_COUNT = re.compile(_WHOLE)
_EXPONENT = re.compile(r"[0-9.,]*[0-9][eE][+-]?[0-9]+")
_DIGITS_AND_SEPARATORS = re.compile(r"[0-9.,]+")
AMOUNT_FORM = (
    "use digits with at most two decimals and, if you like, commas between groups of "
    "three: 1234, 1234.56 or 1,234,567.89"
)
COUNT_FORM = "use whole digits and, if you like, commas between groups of three: 20000 or 20,000"
# The same forms as JSON Schema patterns (surrounding spaces allowed), for the gateway's schema.
AMOUNT_PATTERN = rf"^\s*{_AMOUNT.pattern}\s*$"
COUNT_PATTERN = rf"^\s*{_COUNT.pattern}\s*$"
# More digits than any uint256 has; longer input is refused without converting it.
_MAX_DIGITS = 80


# Longer input (past an address with its quotes) is quoted by its start and its length only.
_SHOWN_CHARS = 50


def shown(value: object) -> str:
    """``value`` as a message quotes it: its ``repr``, cut to a short prefix and its length
    when long (a request's path segment may be 100 KB)."""
    text = repr(value)
    if len(text) <= _SHOWN_CHARS + 2:
        return text
    size = f"{len(value):,} characters" if isinstance(value, str) else f"{len(text):,} long"
    return f"{text[:_SHOWN_CHARS]}... ({size})"


def to_address(value: str, what: str = "address") -> ChecksumAddress:
    """``value`` as a checksum address, or an error naming ``what`` was wrong (quoting a
    long ``value`` by its start only)."""
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not is_address(text.lower()):
        raise InvalidInputError(
            f"{what} {shown(value)} is not an Ethereum address: expected 0x followed by 40 hex "
            "digits."
        )
    digits = text[2:] if text[:2].lower() == "0x" else text
    mixed_case = digits not in (digits.lower(), digits.upper())
    if mixed_case and to_checksum_address(text) != text:  # EIP-55: case encodes a checksum
        raise InvalidInputError(
            f"{what} {shown(value)} has a wrong checksum (mixed case); re-copy it or use lower "
            "case."
        )
    return to_checksum_address(text)


# -- integers the SDK is given ------------------------------------------------------------


def to_uint(value: int, what: str, abi_type: str | Limit = "uint256") -> int:
    """``value`` if it is a non-negative integer that fits ``abi_type`` (or the limit)."""
    limit = abi_type if isinstance(abi_type, Limit) else Limit(abi_type, "", why=f"a {abi_type}")
    _check_int(value, what, "")
    if value > limit.max:
        raise _too_large(what, _count_text(value), limit, fen=False)
    return value


def to_fen(value: int, what: str, limit: Limit = UINT256) -> int:
    """``value`` fen if it is a non-negative integer within ``limit``; messages in RMB."""
    _check_int(value, what, " fen")
    if value > limit.max:
        raise _too_large(what, _rmb_text(value), limit, fen=True)
    return value


def check_abi_args(inputs: Sequence[Mapping[str, Any]], args: Sequence[Any], what: str) -> None:
    """Refuse what web3 could not encode for these ABI ``inputs``: a bool, a negative or an
    oversized unsigned integer, also inside structs and arrays. Other types are left to
    web3's own checks (addresses are checksummed by then)."""
    for param, value in zip(inputs, args, strict=False):
        _check_abi_value(value, param, f"{what} {param.get('name') or '?'}")


def _check_abi_value(value: Any, param: Mapping[str, Any], what: str) -> None:
    abi_type = str(param["type"])
    if abi_type.endswith("]"):
        if isinstance(value, list | tuple):
            item = {**param, "type": abi_type[: abi_type.rindex("[")]}
            for i, element in enumerate(value):
                _check_abi_value(element, item, f"{what}[{i}]")
    elif abi_type == "tuple":
        if isinstance(value, list | tuple):
            for component, element in zip(param["components"], value, strict=False):
                _check_abi_value(element, component, f"{what}.{component['name']}")
    elif abi_type.startswith("uint"):
        to_uint(value, what, abi_type)


def _check_int(value: object, what: str, unit: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInputError(f"{what} must be a whole number, got {shown(value)}.")
    if value < 0:
        raise InvalidInputError(f"{what} must not be negative, got {_count_text(value)}{unit}.")


# -- text people type -------------------------------------------------------------------


def parse_amount(
    text: str, what: str = "amount", limit: Limit = UINT256, *, positive: bool = False
) -> int:
    """An RMB amount such as ``"57,906.00"`` in fen (the token's unit), within ``limit``.

    Accepted: ``1234``, ``1234.5``, ``1234.56``, ``1,234`` and ``1,234,567.89``
    (surrounding spaces are ignored). ``positive`` refuses zero, for the contract
    functions that do.
    """
    cleaned = _text(text, what, AMOUNT_FORM)
    if not _AMOUNT.fullmatch(cleaned):
        raise _malformed(text, what, _why_not(cleaned, decimals=True), AMOUNT_FORM)
    whole, _, fraction = cleaned.partition(".")
    digits = whole.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        raise _too_large(what, f"of {len(digits):,} digits", limit, fen=True)
    fen = int(digits) * 100 + int(fraction.ljust(2, "0"))
    if fen > limit.max:
        raise _too_large(what, _rmb_text(fen), limit, fen=True)
    if positive and fen == 0:
        raise InvalidInputError(f"{_named(what, text)}: it must be more than 0 RMB.")
    return fen


def parse_count(text: str, what: str, limit: Limit = UINT256) -> int:
    """A whole number such as ``"20,000"`` (users, units), within ``limit``."""
    cleaned = _text(text, what, COUNT_FORM)
    if not _COUNT.fullmatch(cleaned):
        raise _malformed(text, what, _why_not(cleaned, decimals=False), COUNT_FORM)
    digits = cleaned.replace(",", "")
    if len(digits) > _MAX_DIGITS:
        raise _too_large(what, f"of {len(digits):,} digits", limit, fen=False)
    value = int(digits)
    if value > limit.max:
        raise _too_large(what, f"{value:,}", limit, fen=False)
    return value


def _text(text: object, what: str, form: str) -> str:
    if not isinstance(text, str):
        raise InvalidInputError(f"{_named(what, text)} is not text; {form}.")
    return text.strip()


def _why_not(text: str, *, decimals: bool) -> str:
    """What keeps ``text`` from being an amount (or, without ``decimals``, a count)."""
    if not text:
        return "it is empty"
    if text[0] in "-\N{MINUS SIGN}":
        return f"{'amounts' if decimals else 'counts'} cannot be negative"
    if text[0] == "+":
        return "it takes no sign"
    if any(c.isspace() for c in text):
        return "it has a space inside"
    if any(c.isdigit() and not c.isascii() for c in text):
        return "only the digits 0-9 are accepted"
    if "_" in text:
        return "underscores are not accepted"
    if _EXPONENT.fullmatch(text):
        return "exponents are not accepted"
    if not _DIGITS_AND_SEPARATORS.fullmatch(text) or not any(c.isdigit() for c in text):
        return "it is not a number"
    whole, point, fraction = text.partition(".")
    if point and not decimals:
        return "it must be a whole number"
    if "." in fraction:
        return "it has more than one decimal point"
    if "," in fraction:
        return "its commas are misplaced"
    if point and not (whole and fraction):
        return "a decimal point needs a digit on each side (0.5, 5 or 5.00)"
    if len(fraction) > 2:
        return "it has more than two decimals (RMB counts in fen)"
    digits = whole.replace(",", "")
    if len(digits) > 1 and digits.startswith("0"):
        return "leading zeros are not accepted"
    return "its commas are misplaced"


def _malformed(text: str, what: str, why: str, form: str) -> InvalidInputError:
    return InvalidInputError(f"{_named(what, text)}: {why}; {form}.")


def _too_large(what: str, shown: str, limit: Limit, *, fen: bool) -> InvalidInputError:
    largest = _rmb_text(limit.max) if fen else f"{limit.max:,}"
    subject = f"{what} {shown}" if what else shown
    return InvalidInputError(f"{subject} is too large: at most {largest} ({limit.reason(fen)}).")


def _named(what: str, text: object) -> str:
    return f"{what} {shown(text)}" if what else shown(text)


def _count_text(value: int) -> str:
    # Python refuses to print ints of over 4,300 digits; nobody needs to read them.
    return f"{value:,}" if value.bit_length() <= 1024 else f"of {value.bit_length():,} bits"


def _rmb_text(fen: int) -> str:
    return f"{format_amount(fen)} RMB" if fen.bit_length() <= 1024 else _count_text(fen) + " fen"


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
            raise InvalidInputError(f"{what} {shown(value)} is not hex.") from exc
    if len(raw) != 32:
        raise InvalidInputError(f"{what} must be 32 bytes (0x + 64 hex digits), got {len(raw)}.")
    return raw
