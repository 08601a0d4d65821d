from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from rdh_chain import limits
from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.validation import (
    check_abi_args,
    format_amount,
    parse_amount,
    parse_count,
    to_address,
    to_bytes32,
    to_fen,
    to_uint,
)

CHECKSUMMED = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
# Spelled out rather than imported, so that a change of wording shows here.
AMOUNT_FORM = (
    "use digits with at most two decimals and, if you like, commas between groups of "
    "three: 1234, 1234.56 or 1,234,567.89"
)
COUNT_FORM = "use whole digits and, if you like, commas between groups of three: 20000 or 20,000"
UINT128_MAX_RMB = "3,402,823,669,209,384,634,633,746,074,317,682,114.55"


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


# -- parse_amount: the accepted forms -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234", 123_400),
        ("1234.5", 123_450),
        ("1234.56", 123_456),
        ("1,234", 123_400),
        ("1,234,567.89", 123_456_789),
        ("57,906.00", 5_790_600),
        ("999", 99_900),
        ("1000000", 100_000_000),
        ("0", 0),
        ("0.01", 1),
        ("0.5", 50),
        (" 12.5 ", 1_250),  # surrounding spaces are ignored
    ],
)
def test_parse_amount_returns_exact_fen_for_accepted_form(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


# -- parse_amount: every other form, refused with the reason and the accepted form ---------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1e10", "exponents are not accepted"),
        ("1E2", "exponents are not accepted"),
        ("1.5e3", "exponents are not accepted"),
        ("1_000", "underscores are not accepted"),
        ("1,0,0", "its commas are misplaced"),
        ("12,34", "its commas are misplaced"),
        ("1,2345", "its commas are misplaced"),
        ("1000,000", "its commas are misplaced"),
        (",123", "its commas are misplaced"),
        ("1.234,56", "its commas are misplaced"),
        ("1.005", "it has more than two decimals (RMB counts in fen)"),
        ("0.001", "it has more than two decimals (RMB counts in fen)"),
        ("+5", "it takes no sign"),
        ("-100", "amounts cannot be negative"),
        ("-0.01", "amounts cannot be negative"),
        ("\N{MINUS SIGN}5", "amounts cannot be negative"),
        ("1 000", "it has a space inside"),
        ("1\u00a0000", "it has a space inside"),
        ("", "it is empty"),
        ("   ", "it is empty"),
        ("inf", "it is not a number"),
        ("Infinity", "it is not a number"),
        ("nan", "it is not a number"),
        ("ten", "it is not a number"),
        ("0x10", "it is not a number"),
        ("¥5", "it is not a number"),
        (".", "it is not a number"),
        ("\u0661\u0662\u0663", "only the digits 0-9 are accepted"),  # Arabic-Indic 123
        ("\uff11\uff12", "only the digits 0-9 are accepted"),  # full-width 12
        ("1\u0660", "only the digits 0-9 are accepted"),
        (".5", "a decimal point needs a digit on each side (0.5, 5 or 5.00)"),
        ("5.", "a decimal point needs a digit on each side (0.5, 5 or 5.00)"),
        ("1.2.3", "it has more than one decimal point"),
        ("01", "leading zeros are not accepted"),
        ("0,123", "leading zeros are not accepted"),
    ],
)
def test_parse_amount_refuses_form_naming_the_accepted_one(text: str, reason: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_amount(text, "--revenue")
    assert str(refused.value) == f"--revenue {text!r}: {reason}; {AMOUNT_FORM}."


def test_parse_amount_refuses_value_above_field_naming_field_value_and_largest() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_amount(UINT128_MAX_RMB[:-1] + "6", "--revenue", limits.REPORT_REVENUE)
    assert str(refused.value) == (
        "--revenue 3,402,823,669,209,384,634,633,746,074,317,682,114.56 RMB is too large: "
        f"at most {UINT128_MAX_RMB} RMB (PeriodReport.revenue is a uint128 of fen)."
    )
    assert parse_amount(UINT128_MAX_RMB, "--revenue", limits.REPORT_REVENUE) == 2**128 - 1


def test_parse_amount_refuses_80_digits_in_one_line() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_amount("9" * 80, "AMOUNT", limits.MINT)
    assert str(refused.value) == (
        f"AMOUNT {format_amount(int('9' * 80) * 100)} RMB is too large: at most "
        "47,223,664,828,696,452,136.95 RMB (more could never be settled: an EMC's "
        "cumulative profit is a uint72 of fen)."
    )
    assert "\n" not in str(refused.value)


def test_parse_amount_refuses_thousands_of_digits_without_converting_them() -> None:
    # int() refuses strings of over 4,300 digits; the refusal is ours, with its reason.
    with pytest.raises(InvalidInputError) as refused:
        parse_amount("1" * 5_000, "AMOUNT", limits.INVESTED)
    assert str(refused.value) == (
        "AMOUNT of 5,000 digits is too large: at most 792,281,625,142,643,375,935,439,503.35 "
        "RMB (CapitalAccount.invested is a uint96 of fen)."
    )


def test_parse_amount_refuses_zero_when_positive() -> None:
    assert parse_amount("0.00", "AMOUNT") == 0
    with pytest.raises(InvalidInputError) as refused:
        parse_amount("0.00", "AMOUNT", positive=True)
    assert str(refused.value) == "AMOUNT '0.00': it must be more than 0 RMB."


def test_parse_amount_refuses_what_is_not_text() -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_amount(1e30, "revenue")  # type: ignore[arg-type]
    assert str(refused.value) == f"revenue 1e+30 is not text; {AMOUNT_FORM}."


@given(st.integers(min_value=0, max_value=2**256 - 1))
@example(0)
@example(2**256 - 1)
def test_parse_amount_reads_back_what_format_amount_writes(fen: int) -> None:
    text = format_amount(fen)
    assert parse_amount(text) == fen
    assert parse_amount(text.replace(",", "")) == fen


@given(st.text(alphabet="0123456789.,-+eE_ ", max_size=14) | st.text(max_size=8))
@example("1,234,567.89")
@example("1,23,456")
def test_parse_amount_accepts_only_exact_decimals(text: str) -> None:
    """Whatever it accepts means the same as the plain decimal; it fails only as input."""
    try:
        fen = parse_amount(text)
    except InvalidInputError:
        return
    cleaned = text.strip()
    assert cleaned.isascii()
    whole = cleaned.partition(".")[0]
    groups = whole.split(",")
    assert len(groups) == 1 or (len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]))
    assert fen == Decimal(cleaned.replace(",", "")) * 100


# -- parse_count ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "count"), [("20000", 20_000), ("20,000", 20_000), ("0", 0)])
def test_parse_count_returns_whole_number(text: str, count: int) -> None:
    assert parse_count(text, "--users") == count


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.5", "it must be a whole number"),
        ("10.00", "it must be a whole number"),
        ("1e3", "exponents are not accepted"),
        ("1_000", "underscores are not accepted"),
        ("-1", "counts cannot be negative"),
        ("+1", "it takes no sign"),
        ("2,00", "its commas are misplaced"),
        ("\u0661", "only the digits 0-9 are accepted"),
        ("", "it is empty"),
    ],
)
def test_parse_count_refuses_form_naming_the_accepted_one(text: str, reason: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_count(text, "--users", limits.REPORT_USERS)
    assert str(refused.value) == f"--users {text!r}: {reason}; {COUNT_FORM}."


def test_parse_count_refuses_value_above_field() -> None:
    assert parse_count(f"{2**64 - 1:,}", "--users", limits.REPORT_USERS) == 2**64 - 1
    with pytest.raises(InvalidInputError) as refused:
        parse_count(str(2**64), "--users", limits.REPORT_USERS)
    assert str(refused.value) == (
        "--users 18,446,744,073,709,551,616 is too large: at most 18,446,744,073,709,551,615 "
        "(PeriodReport.users is a uint64)."
    )


# -- integers the SDK is given -------------------------------------------------------------


def test_format_amount_groups_thousands() -> None:
    assert format_amount(5_790_600) == "57,906.00"
    assert format_amount(-5) == "-0.05"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "bps must be a whole number, got True."),
        (1.0, "bps must be a whole number, got 1.0."),
        ("1", "bps must be a whole number, got '1'."),
        (-1, "bps must not be negative, got -1."),
        (1 << 16, "bps 65,536 is too large: at most 65,535 (a uint16)."),
        (10**5_000, "bps of 16,610 bits is too large: at most 65,535 (a uint16)."),
    ],
    ids=["bool", "float", "str", "negative", "2**16", "10**5000"],
)
def test_to_uint_refuses_bool_float_negative_and_overflow(value: object, message: str) -> None:
    assert to_uint(65_535, "bps", "uint16") == 65_535
    with pytest.raises(InvalidInputError) as refused:
        to_uint(value, "bps", "uint16")  # type: ignore[arg-type]
    assert str(refused.value) == message


def test_to_fen_speaks_rmb_and_names_the_field() -> None:
    assert to_fen(2**72 - 1, "--profit", limits.CUMULATIVE_PROFIT) == 2**72 - 1
    with pytest.raises(InvalidInputError) as refused:
        to_fen(2**72, "--profit", limits.CUMULATIVE_PROFIT)
    assert str(refused.value) == (
        "--profit 47,223,664,828,696,452,136.96 RMB is too large: at most "
        "47,223,664,828,696,452,136.95 RMB (an EMC's cumulative profit is a uint72 of fen)."
    )
    with pytest.raises(InvalidInputError) as negative:
        to_fen(-5, "amount")
    assert str(negative.value) == "amount must not be negative, got -5 fen."


def test_check_abi_args_reaches_into_structs_and_arrays() -> None:
    inputs: list[dict[str, Any]] = [
        {"name": "to", "type": "address"},
        {
            "name": "report",
            "type": "tuple",
            "components": [{"name": "users", "type": "uint64"}, {"name": "ok", "type": "bool"}],
        },
        {"name": "amounts", "type": "uint16[]"},
    ]
    check_abi_args(inputs, ["0x" + "00" * 20, (5, True), [1, 2]], "C.f")
    with pytest.raises(InvalidInputError) as in_struct:
        check_abi_args(inputs, ["0x" + "00" * 20, (True, True), []], "C.f")
    assert str(in_struct.value) == "C.f report.users must be a whole number, got True."
    with pytest.raises(InvalidInputError) as in_array:
        check_abi_args(inputs, ["0x" + "00" * 20, (5, True), [1, -2]], "C.f")
    assert str(in_array.value) == "C.f amounts[1] must not be negative, got -2."


def test_to_bytes32_accepts_hex_and_rejects_wrong_length() -> None:
    assert to_bytes32("0x" + "11" * 32, "ref") == b"\x11" * 32
    with pytest.raises(InvalidInputError, match="32 bytes"):
        to_bytes32("0x1234", "ref")
