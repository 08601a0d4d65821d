"""The clients' reads: structs decoded by field name, and every read pinned to a block."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_account import Account
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.artifacts import Artifact
from rdh_chain.contract_errors import EmcUnknownVersion
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import NotFoundError
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    MemberStatus,
    PeriodReport,
    Role,
    ShareClass,
    ShareEntry,
    VersionStatus,
)
from tests.sdk.conftest import SdkWorld

TERMS = EmcTerms(
    target_users=1_000,
    target_revenue=1_000_000_00,
    sharing_space=1_000_00,
    loss_threshold=500_00,
    metadata=b"\x42" * 32,
    partner_min_bps=200,
    partner_max_bps=600,
    max_notice_periods=3,
    attest_all_reports=True,
)


def _returning(data: bytes) -> bytes:
    """Runtime code that answers any call with ``data`` (a whole number of words)."""
    code = b""
    for offset in range(0, len(data), 32):
        code += b"\x7f" + data[offset : offset + 32]  # PUSH32 word
        code += b"\x61" + offset.to_bytes(2, "big") + b"\x52"  # PUSH2 offset, MSTORE
    return code + b"\x61" + len(data).to_bytes(2, "big") + b"\x60\x00\xf3"  # RETURN(0, len)


def _with_terms_components(
    artifacts: dict[str, Artifact], components: list[dict[str, Any]]
) -> dict[str, Artifact]:
    """``artifacts`` with the EMC's ``terms()`` (served by its module) returning a struct of
    ``components``."""
    abi = []
    for item in artifacts["EMCModule"].abi:
        if item.get("type") == "function" and item["name"] == "terms":
            item = {**item, "outputs": [{**item["outputs"][0], "components": components}]}
        abi.append(item)
    return {**artifacts, "EMCModule": dataclasses.replace(artifacts["EMCModule"], abi=abi)}


def test_struct_read_decodes_by_field_name_when_solidity_reorders_and_adds_fields(
    sdk: SdkWorld, w3: Web3, artifacts: dict[str, Artifact]
) -> None:
    # A later EmcTerms: a field inserted before the others, the rest in another order.
    (terms_fn,) = (i for i in artifacts["EMCModule"].abi if i.get("name") == "terms")
    by_name = {c["name"]: c for c in terms_fn["outputs"][0]["components"]}
    order = ["metadata", "attestAllReports", "lossThreshold", "targetUsers", "partnerMaxBps"]
    order += ["sharingSpace", "maxNoticePeriods", "partnerMinBps", "targetRevenue"]
    added = {"name": "regionCode", "type": "uint32", "internalType": "uint32"}
    components = [added, *(by_name[name] for name in order)]
    values: dict[str, Any] = {
        "regionCode": 86,
        "metadata": TERMS.metadata,
        "attestAllReports": TERMS.attest_all_reports,
        "lossThreshold": TERMS.loss_threshold,
        "targetUsers": TERMS.target_users,
        "partnerMaxBps": TERMS.partner_max_bps,
        "sharingSpace": TERMS.sharing_space,
        "maxNoticePeriods": TERMS.max_notice_periods,
        "partnerMinBps": TERMS.partner_min_bps,
        "targetRevenue": TERMS.target_revenue,
    }
    struct_type = "(" + ",".join(c["type"] for c in components) + ")"
    returned = encode([struct_type], [tuple(values[c["name"]] for c in components)])
    address = ChecksumAddress(Account.create().address)
    w3.provider.make_request(RPCEndpoint("anvil_setCode"), [address, _returning(returned).hex()])
    ledger = sdk.ledger

    emc = EmcClient(w3, address, _with_terms_components(artifacts, components), ledger.decoder)

    assert emc.terms() == TERMS


def test_reads_at_an_older_block_return_the_state_then(sdk: SdkWorld, w3: Web3) -> None:
    ledger, alice, bob = sdk.ledger, sdk.alice, sdk.bob
    carol = Account.create()
    admin = ledger.connect(sdk.admin)
    admin.registry.add_member(carol.address, Role.PARTNER)
    address, _ = admin.factory.create_emc_with_terms(alice.address, TERMS, b"\x7e" * 32)
    owner = ledger.connect(alice)
    emc = owner.emc(address)
    entries = [
        ShareEntry(alice.address, ShareClass.OPERATING, 8_000),
        ShareEntry(bob.address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(carol.address, ShareClass.PARTNER, 500),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
    ]
    owner.agree(emc, entries, [alice, bob, carol])
    ledger.connect(sdk.treasury).token.mint(alice.address, 1_000_00)
    auditor = Account.create()
    admin.registry.add_member(auditor.address, Role.AUDITOR)
    report = PeriodReport(users=10, units=10, revenue=50_000, cost=30_000, profit=20_000)
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    owner.settle(emc, report, ledger.connect(auditor).attest(emc, report, deadline))
    then = w3.eth.block_number
    partner_then = ledger.share(emc, carol.address)

    # Later: a second period, a claim, a suspension, a new EMC.
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3600
    owner.settle(emc, report, ledger.connect(auditor).attest(emc, report, deadline))
    ledger.connect(carol).emc(address).claim()
    version_2, _ = owner.agree(emc, entries, [alice, bob, carol])
    admin.registry.suspend(carol.address)
    admin.factory.create_emc_with_terms(bob.address, TERMS, b"\x7f" * 32)

    assert emc.totals().periods == 2
    assert emc.totals(block=then).periods == 1
    assert ledger.share(emc, carol.address, block=then) == partner_then
    assert ledger.share(emc, carol.address).position.paid == 2 * partner_then.position.claimable
    assert ledger.member(carol.address).status is MemberStatus.SUSPENDED
    assert ledger.member(carol.address, block=then).status is MemberStatus.ACTIVE
    assert ledger.token.balance_of(carol.address, block=then) == 0
    assert ledger.token.balance_of(carol.address) == 2 * partner_then.position.claimable
    assert ledger.factory.emc_count() == ledger.factory.emc_count(block=then) + 1
    assert emc.pool(block=then).accrued < emc.pool().accrued
    assert emc.terms(block=then) == TERMS
    parties = sorted((alice.address, bob.address, carol.address), key=lambda a: int(a, 16))
    assert emc.signers(1, block=then) == emc.signers(1) == parties
    assert emc.signers(version_2, block=then) is None
    assert emc.signers(version_2) == parties
    assert emc.active_version_id(block=then) == 1
    assert emc.version(version_2).status is VersionStatus.ACTIVE
    with pytest.raises(EmcUnknownVersion):
        emc.version(version_2, block=then)
    assert ledger.dev_fund(emc, block=then).claimable < ledger.dev_fund(emc).claimable
    with pytest.raises(NotFoundError, match="not an EMC"):
        ledger.emc(ledger.factory.emc_at(1), block=then)
