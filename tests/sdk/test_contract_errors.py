"""Every custom error in the compiled ABIs decodes into its own exception class."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector

from rdh_chain import contract_errors
from rdh_chain.exceptions import (
    AccessDeniedError,
    BadInputRevertError,
    ContractRevertError,
    StateRevertError,
    UnknownRevertError,
)
from rdh_chain.reverts import RevertDecoder
from rdh_chain.toolchain import Artifact
from rdh_chain.types import Role


@pytest.fixture(scope="module")
def decoder(artifacts: dict[str, Artifact]) -> RevertDecoder:
    return RevertDecoder(a.abi for a in artifacts.values())


def test_every_abi_error_has_a_class_with_a_hint(decoder: RevertDecoder) -> None:
    classes = contract_errors.all_error_classes()
    missing = decoder.error_names - set(classes)
    assert not missing, f"add classes to rdh_chain/contract_errors.py for: {sorted(missing)}"
    for name in decoder.error_names:
        cls = classes[name]
        assert issubclass(cls, AccessDeniedError | BadInputRevertError | StateRevertError), name
        assert cls.hint.endswith("."), name


def test_decode_returns_class_and_named_args_for_custom_error(decoder: RevertDecoder) -> None:
    data = function_signature_to_4byte_selector("EmcShareTotalNot100(uint256)") + encode(
        ["uint256"], [9_999]
    )

    exc = decoder.decode(data, action="EMC.proposeVersion")

    assert isinstance(exc, contract_errors.EmcShareTotalNot100)
    assert exc.error_name == "EmcShareTotalNot100"
    assert exc.args_by_name == {"totalBps": 9_999}
    assert str(exc).startswith(
        "EMC.proposeVersion reverted: EmcShareTotalNot100(totalBps=9,999 bps (99.99%))."
    )
    assert "10,000" in str(exc)


def test_decode_checksums_address_args(decoder: RevertDecoder) -> None:
    address = "0x" + "ab" * 20
    data = function_signature_to_4byte_selector("EmcNothingToClaim(address)") + encode(
        ["address"], [address]
    )

    exc = decoder.decode("0x" + data.hex())

    assert isinstance(exc, contract_errors.EmcNothingToClaim)
    assert exc.args_by_name["account"] == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"


def _error(signature: str, *values: object) -> bytes:
    types = signature[signature.index("(") + 1 : -1].split(",")
    return function_signature_to_4byte_selector(signature) + encode(types, list(values))


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        # Unix times read as dates (UTC).
        (
            _error("EmcDeadlinePassed(uint256,uint256)", 1_596_240_000, 1_598_918_399),
            "EmcDeadlinePassed(deadline=2020-08-01 00:00:00 UTC, nowTime=2020-08-31 23:59:59 UTC)",
        ),
        (
            _error("EmcRoundDecided(uint256,uint256)", 3, 1_596_240_000),
            "EmcRoundDecided(roundId=3, decidedAt=2020-08-01 00:00:00 UTC)",
        ),
        # Fen read as RMB.
        (
            _error("EmcDevFundInsufficient(uint256,uint256)", 100_000_00, 86_859_00),
            "EmcDevFundInsufficient(requested=100,000.00 RMB, available=86,859.00 RMB)",
        ),
        (
            _error("EmcAttestationRequired(uint256,uint256)", 300_000_00, 50_000_05),
            "EmcAttestationRequired(loss=300,000.00 RMB, capital=50,000.05 RMB)",
        ),
        (
            _error("ERC20InsufficientBalance(address,uint256,uint256)", "0x" + "ab" * 20, 5, 100),
            "ERC20InsufficientBalance(sender=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, "
            "balance=0.05 RMB, needed=1.00 RMB)",
        ),
        (
            _error("EmcAmountTooLarge(uint256,uint256)", 2**72, 2**72 - 1),
            f"EmcAmountTooLarge(value={2**72 // 100:,}.{2**72 % 100:02d} RMB, "
            f"max={(2**72 - 1) // 100:,}.{(2**72 - 1) % 100:02d} RMB)",
        ),
        # Role hashes read as role names, OpenZeppelin's zero role as admin.
        (
            _error("RegistryUnauthorized(address,bytes32)", "0x" + "ab" * 20, Role.OPERATOR.id),
            "RegistryUnauthorized(account=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, "
            "role=operator)",
        ),
        (
            _error(
                "AccessControlUnauthorizedAccount(address,bytes32)", "0x" + "ab" * 20, bytes(32)
            ),
            "AccessControlUnauthorizedAccount(account=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, "
            "neededRole=admin)",
        ),
        # Enums read as their names; basis points with their percentage.
        (
            _error("EmcWrongStatus(uint8,uint8)", 2, 1),
            "EmcWrongStatus(actual=dissolved, expected=active)",
        ),
        (
            _error(
                "EmcShareOutOfBounds(address,uint8,uint256,uint256,uint256)",
                "0x" + "ab" * 20,
                0,
                700,
                200,
                600,
            ),
            "EmcShareOutOfBounds(account=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, "
            "class=partner, bps=700 bps (7.00%), min=200 bps (2.00%), max=600 bps (6.00%))",
        ),
        (
            _error("EmcBidNotRevealed(uint256,address,uint8)", 1, "0x" + "ab" * 20, 4),
            "EmcBidNotRevealed(roundId=1, bidder=0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB, "
            "outcome=not-invited)",
        ),
        # Counts and ids stay plain numbers.
        (
            _error("EmcVersionStale(uint256,uint256,uint256)", 3, 1, 2),
            "EmcVersionStale(versionId=3, nonce=1, current=2)",
        ),
    ],
    ids=lambda value: value.split("(")[0] if isinstance(value, str) else "data",
)
def test_decode_shows_dates_rmb_role_and_enum_names_not_raw_values(
    decoder: RevertDecoder, data: bytes, shown: str
) -> None:
    exc = decoder.decode(data, action="EMC.call")

    assert str(exc).startswith(f"EMC.call reverted: {shown}. "), str(exc)


def test_decode_keeps_the_raw_values_for_programs(decoder: RevertDecoder) -> None:
    exc = decoder.decode(
        _error("RegistryUnauthorized(address,bytes32)", "0x" + "ab" * 20, Role.AUDITOR.id)
    )

    assert exc.args_by_name["role"] == "0x" + Role.AUDITOR.id.hex()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, "no reason given"),
        (b"", "no reason given"),
        (
            function_signature_to_4byte_selector("Error(string)") + encode(["string"], ["nope"]),
            "nope",
        ),
        (
            function_signature_to_4byte_selector("Panic(uint256)") + encode(["uint256"], [0x11]),
            "0x11",
        ),
        (bytes.fromhex("deadbeef"), "unknown error 0xdeadbeef"),
    ],
)
def test_decode_returns_unknown_revert_for_non_custom_data(
    decoder: RevertDecoder, data: bytes | None, expected: str
) -> None:
    exc = decoder.decode(data)

    assert type(exc) is UnknownRevertError
    assert isinstance(exc, ContractRevertError)
    assert expected in str(exc)
