"""rdh_chain.reports: the EIP-712 typed data an auditor signs to attest a period report.

The SDK's typed data must hash to the contract's own digest (``EMC.reportDigest``), and a
wallet built from nothing but the README ("Typed data (EIP-712)") must produce an
attestation the contract accepts: here the digest is rebuilt by hand from the README's type
strings with eth_abi and keccak, and signed with coincurve (libsecp256k1), not eth_account.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from coincurve import PrivateKey
from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from rdh_chain import reports
from rdh_chain.agreements import typed_data_digest, typed_data_json
from rdh_chain.contracts import EmcClient
from rdh_chain.events import PeriodSettled
from rdh_chain.exceptions import RdhChainError, ReadOnlyError
from rdh_chain.reports import report_from_typed_data, report_typed_data, sign_report
from rdh_chain.types import EmcTerms, PeriodReport, ReportAttestation, Role, ShareClass, ShareEntry
from tests.sdk.conftest import SdkWorld

README = Path(__file__).resolve().parents[2] / "README.md"
UINT64, UINT128, UINT256 = 2**64 - 1, 2**128 - 1, 2**256 - 1
REPORTS = {
    "loss": PeriodReport(5, 7, 100_000, 400_000, 0, keccak(text="statement")),
    "profit": PeriodReport(20_000, 20_000, 400_000_000, 303_490_000, 96_510_000),
    "zero": PeriodReport(0, 0, 0, 0, 0),
    "widest": PeriodReport(UINT64, UINT64, UINT128, UINT128, UINT128, b"\xff" * 32),
}


@dataclass(frozen=True)
class Attesting:
    """An EMC of alice's whose terms attest every report, with alice's operating share."""

    world: SdkWorld
    emc: EmcClient
    auditor_key: PrivateKey
    auditor: ChecksumAddress


def _address_of(key: PrivateKey) -> ChecksumAddress:
    """The Ethereum address of a coincurve key, by hand: keccak of the public point."""
    return to_checksum_address(keccak(key.public_key.format(compressed=False)[1:])[-20:])


@pytest.fixture
def attesting(sdk: SdkWorld) -> Attesting:
    admin = sdk.ledger.connect(sdk.admin)
    key = PrivateKey()
    auditor = _address_of(key)
    admin.registry.add_member(auditor, Role.AUDITOR)
    terms = EmcTerms(100, 1_000_000, 50_000, 1_000_000, attest_all_reports=True)
    address, _ = admin.factory.create_emc_with_terms(
        sdk.alice.address, terms, keccak(text="every report audited")
    )
    alice = sdk.ledger.connect(sdk.alice)
    emc = alice.emc(address)
    alice.agree(emc, [ShareEntry(sdk.alice.address, ShareClass.OPERATING, 10_000)], [sdk.alice])
    sdk.ledger.connect(sdk.treasury).token.mint(sdk.alice.address, 10**9)
    return Attesting(sdk, emc, key, auditor)


# -- the README's strings, encoded by hand -------------------------------------------------


def _readme() -> str:
    # Markdown wraps long code spans; a line break inside one reads as a space.
    return re.sub(r"\s*\n\s*", " ", README.read_text(encoding="utf-8"))


def _readme_type(primary: str) -> str:
    found = re.findall(rf"`({primary}\([^`]*\))`", _readme())
    assert found, f"README.md names no {primary}(...) type string"
    return str(found[0])


def _readme_domain() -> tuple[str, str]:
    match = re.search(r"with name `([^`]+)`, version `([^`]+)`", _readme())
    assert match, "README.md names no EIP-712 domain name and version"
    return match.group(1), match.group(2)


def _fields(type_string: str) -> list[tuple[str, str]]:
    """``Name(t1 a,t2 b)`` -> ``[(t1, a), (t2, b)]``."""
    inner = type_string[type_string.index("(") + 1 : -1]
    return [(kind, name) for kind, name in (f.split(" ") for f in inner.split(","))]


def _struct_hash(type_string: str, values: dict[str, Any]) -> bytes:
    """EIP-712 ``hashStruct`` of a struct of atomic fields (strings hashed, as the spec says)."""
    kinds, encoded = ["bytes32"], [keccak(text=type_string)]
    for kind, name in _fields(type_string):
        if kind == "string":
            kinds.append("bytes32")
            encoded.append(keccak(text=values[name]))
        else:
            kinds.append(kind)
            encoded.append(values[name])
    return keccak(encode(kinds, encoded))


def _readme_digest(
    chain_id: int, emc: ChecksumAddress, report: PeriodReport, period: int, deadline: int
) -> bytes:
    name, version = _readme_domain()
    domain = _struct_hash(
        _readme_type("EIP712Domain"),
        {"name": name, "version": version, "chainId": chain_id, "verifyingContract": emc},
    )
    message = _struct_hash(
        _readme_type("PeriodReport"),
        {
            "period": period,
            "users": report.users,
            "units": report.units,
            "revenue": report.revenue,
            "cost": report.cost,
            "profit": report.profit,
            "documentHash": report.document_hash,
            "deadline": deadline,
        },
    )
    return keccak(b"\x19\x01" + domain + message)


def _coincurve_sign(key: PrivateKey, digest: bytes) -> bytes:
    """A 65-byte ``r || s || v`` signature of ``digest`` by libsecp256k1 (always low-s)."""
    compact = key.sign_recoverable(digest, hasher=None)
    return compact[:64] + bytes([compact[64] + 27])


def _contract_digest(emc: EmcClient, report: PeriodReport, period: int, deadline: int) -> bytes:
    return bytes(emc.contract.functions.reportDigest(report.as_abi(), period, deadline).call())


# -- digests -------------------------------------------------------------------------------


def test_readme_names_the_contract_type_string() -> None:
    # The contract's type hash is keccak of this exact string (EMCSettlement._REPORT_TYPEHASH).
    assert _readme_type("PeriodReport") == (
        "PeriodReport(uint256 period,uint64 users,uint64 units,uint128 revenue,uint128 cost,"
        "uint128 profit,bytes32 documentHash,uint256 deadline)"
    )
    assert [f["type"] + " " + f["name"] for f in reports.REPORT_TYPES["PeriodReport"]] == [
        f"{kind} {name}" for kind, name in _fields(_readme_type("PeriodReport"))
    ]


@pytest.mark.parametrize("name", sorted(REPORTS))
@pytest.mark.parametrize(("period", "deadline"), [(1, 1), (2, 1_800_000_000), (UINT256, UINT256)])
def test_report_typed_data_hashes_to_the_contract_digest(
    attesting: Attesting, name: str, period: int, deadline: int
) -> None:
    emc, report = attesting.emc, REPORTS[name]
    typed = report_typed_data(emc.w3.eth.chain_id, emc.address, report, period, deadline)
    digest = _contract_digest(emc, report, period, deadline)

    signable = encode_typed_data(full_message=typed)
    assert keccak(b"\x19" + signable.version + signable.header + signable.body) == digest
    assert typed_data_digest(typed) == digest
    # The JSON form (bytes as 0x-hex) is what wallets get; it hashes the same.
    assert typed_data_digest(typed_data_json(typed)) == digest
    assert _readme_digest(emc.w3.eth.chain_id, emc.address, report, period, deadline) == digest


def test_emc_client_report_typed_data_is_for_the_next_period(attesting: Attesting) -> None:
    emc, report = attesting.emc, REPORTS["profit"]
    typed = emc.report_typed_data(report, deadline=99)
    assert typed["primaryType"] == "PeriodReport"
    assert typed["domain"] == {
        "name": "rdh-chain EMC",
        "version": "1",
        "chainId": emc.w3.eth.chain_id,
        "verifyingContract": emc.address,
    }
    assert (typed["message"]["period"], typed["message"]["deadline"]) == (1, 99)
    assert emc.report_typed_data(report, deadline=99, period=5)["message"]["period"] == 5


def test_emc_client_report_typed_data_refuses_when_the_sdk_disagrees_with_the_contract(
    attesting: Attesting, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An SDK whose type list drifted from the contract's (users as uint32) is caught before
    # any wallet signs it.
    drifted = copy.deepcopy(reports.REPORT_TYPES)
    drifted["PeriodReport"][1] = {"name": "users", "type": "uint32"}
    monkeypatch.setattr(reports, "REPORT_TYPES", drifted)
    with pytest.raises(RdhChainError, match="does not match the contract's digest"):
        attesting.emc.report_typed_data(REPORTS["loss"], deadline=99)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_from_typed_data_gives_back_the_report_period_and_deadline(name: str) -> None:
    report = REPORTS[name]
    emc = to_checksum_address("0x" + "e1" * 20)
    typed = report_typed_data(31337, emc, report, 3, 1_800_000_000)
    assert report_from_typed_data(typed) == (report, 3, 1_800_000_000)
    # Read back from the JSON a wallet or `rdh report typed-data --out` holds.
    assert report_from_typed_data(typed_data_json(typed)) == (report, 3, 1_800_000_000)


def test_sign_report_is_the_auditors_signature_of_the_typed_data() -> None:
    auditor = Account.create()
    emc = to_checksum_address("0x" + "e1" * 20)
    typed = report_typed_data(31337, emc, REPORTS["loss"], 2, 1_800_000_000)
    attestation = sign_report(auditor, typed)
    assert (attestation.auditor, attestation.deadline) == (auditor.address, 1_800_000_000)
    signable = encode_typed_data(full_message=typed)
    assert Account.recover_message(signable, signature=attestation.signature) == auditor.address
    assert attestation.as_abi() == (auditor.address, 1_800_000_000, attestation.signature)


def test_ledger_attest_needs_a_wallet(attesting: Attesting) -> None:
    with pytest.raises(ReadOnlyError, match="Attesting needs a wallet"):
        attesting.world.ledger.attest(attesting.emc, REPORTS["loss"], 99)


# -- an attestation made without the SDK -----------------------------------------------------


def test_attestation_signed_with_coincurve_from_the_readme_settles(attesting: Attesting) -> None:
    emc, report = attesting.emc, REPORTS["profit"]
    alice = attesting.world.ledger.connect(attesting.world.alice)
    deadline = int(emc.w3.eth.get_block("latest")["timestamp"]) + 3_600
    digest = _readme_digest(emc.w3.eth.chain_id, emc.address, report, 1, deadline)
    signature = _coincurve_sign(attesting.auditor_key, digest)
    attestation = ReportAttestation(attesting.auditor, deadline, signature)

    period, result = alice.settle(emc, report, attestation)

    assert period == 1
    settled = emc.event(result, PeriodSettled)
    assert settled.auditor == attesting.auditor
    assert emc.settlement(result).auditor == attesting.auditor
    assert emc.totals().profit == report.profit


def test_sign_report_and_coincurve_make_the_same_signature(attesting: Attesting) -> None:
    # Both sign deterministically (RFC 6979) with low s: the same key gives the same bytes.
    emc, report = attesting.emc, REPORTS["loss"]
    typed = emc.report_typed_data(report, deadline=1_800_000_000)
    key = Account.from_key(attesting.auditor_key.secret)
    assert key.address == attesting.auditor
    by_sdk = sign_report(key, typed)
    by_hand = _coincurve_sign(
        attesting.auditor_key,
        _readme_digest(emc.w3.eth.chain_id, emc.address, report, 1, 1_800_000_000),
    )
    assert by_sdk.signature == by_hand
