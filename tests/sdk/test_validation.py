from __future__ import annotations

import pytest

from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.validation import format_amount, parse_amount, to_address, to_bytes32, to_uint

CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"


def test_to_address_returns_checksum_for_lower_case() -> None:
    assert to_address(CHECKSUMMED.lower()) == CHECKSUMMED


@pytest.mark.parametrize(
    "bad", ["", "0x123", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00", "0xZZ" + "0" * 38]
)
def test_to_address_raises_for_malformed(bad: str) -> None:
    with pytest.raises(InvalidInputError, match="not an Ethereum address"):
        to_address(bad, "owner")


def test_to_address_raises_for_wrong_checksum() -> None:
    wrong = CHECKSUMMED[:-1] + "D"  # flip one letter's case
    with pytest.raises(InvalidInputError, match="wrong checksum"):
        to_address(wrong)


def test_invalid_input_error_is_an_rdh_chain_error_and_value_error() -> None:
    assert issubclass(InvalidInputError, RdhChainError)
    assert issubclass(InvalidInputError, ValueError)


@pytest.mark.parametrize(
    ("text", "fen"),
    [("57,906.00", 5_790_600), ("0.01", 1), ("1_000", 100_000), (" 12.5 ", 1_250), ("0", 0)],
)
def test_parse_amount_returns_fen(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-1", "negative"),
        ("1.001", "more than 2 decimals"),
        ("ten", "not a number"),
        ("inf", "finite"),
    ],
)
def test_parse_amount_raises_with_reason(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_amount(text)


def test_format_amount_groups_thousands() -> None:
    assert format_amount(5_790_600) == "57,906.00"
    assert format_amount(-5) == "-0.05"


def test_to_uint_rejects_negative_bool_and_overflow() -> None:
    assert to_uint(65_535, "bps", "uint16") == 65_535
    for bad in (-1, True, 1 << 16):
        with pytest.raises(InvalidInputError):
            to_uint(bad, "bps", "uint16")


def test_to_bytes32_accepts_hex_and_rejects_wrong_length() -> None:
    assert to_bytes32("0x" + "11" * 32, "ref") == b"\x11" * 32
    with pytest.raises(InvalidInputError, match="32 bytes"):
        to_bytes32("0x1234", "ref")
