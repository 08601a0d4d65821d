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
    assert str(exc).startswith("EMC.proposeVersion reverted: EmcShareTotalNot100(totalBps=9999).")
    assert "10,000" in str(exc)


def test_decode_checksums_address_args(decoder: RevertDecoder) -> None:
    address = "0x" + "ab" * 20
    data = function_signature_to_4byte_selector("EmcNothingToClaim(address)") + encode(
        ["address"], [address]
    )

    exc = decoder.decode("0x" + data.hex())

    assert isinstance(exc, contract_errors.EmcNothingToClaim)
    assert exc.args_by_name["account"] == "0xABaBaBaBABabABabAbAbABAbABabababaBaBABaB"


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
