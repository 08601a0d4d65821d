"""Attested period reports: the EIP-712 typed data an auditor signs.

A period report is the one input the chain cannot check. A loss that draws on
the members' invested capital, and every report under terms that ask for it,
needs an active auditor's signature of the whole report as the EMC's next
period, bound (like share agreements) to the chain id and the EMC's address.
"""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from rdh_chain.agreements import DOMAIN_TYPE, emc_domain, sign_typed_data
from rdh_chain.types import PeriodReport, ReportAttestation

REPORT_TYPES: dict[str, list[dict[str, str]]] = {
    "PeriodReport": [
        {"name": "period", "type": "uint256"},
        {"name": "users", "type": "uint64"},
        {"name": "units", "type": "uint64"},
        {"name": "revenue", "type": "uint128"},
        {"name": "cost", "type": "uint128"},
        {"name": "profit", "type": "uint128"},
        {"name": "documentHash", "type": "bytes32"},
        {"name": "deadline", "type": "uint256"},
    ],
}


def report_typed_data(
    chain_id: int, emc: ChecksumAddress, report: PeriodReport, period: int, deadline: int
) -> dict[str, Any]:
    """The full EIP-712 message (``eth_signTypedData_v4`` form) attesting ``report`` as
    period ``period`` of ``emc``, valid until ``deadline`` (a Unix time)."""
    return {
        "types": {"EIP712Domain": DOMAIN_TYPE, **REPORT_TYPES},
        "primaryType": "PeriodReport",
        "domain": emc_domain(chain_id, emc),
        "message": {
            "period": period,
            "users": report.users,
            "units": report.units,
            "revenue": report.revenue,
            "cost": report.cost,
            "profit": report.profit,
            "documentHash": report.document_hash,
            "deadline": deadline,
        },
    }


def report_from_typed_data(typed_data: dict[str, Any]) -> tuple[PeriodReport, int, int]:
    """The report, period and deadline a report's typed data attests."""
    m = typed_data["message"]
    document = m["documentHash"]
    report = PeriodReport(
        users=int(m["users"]),
        units=int(m["units"]),
        revenue=int(m["revenue"]),
        cost=int(m["cost"]),
        profit=int(m["profit"]),
        document_hash=bytes.fromhex(document[2:]) if isinstance(document, str) else bytes(document),
    )
    return report, int(m["period"]), int(m["deadline"])


def sign_report(account: LocalAccount, typed_data: dict[str, Any]) -> ReportAttestation:
    """``account``'s (an auditor's) attestation of a report's typed data."""
    return ReportAttestation(
        auditor=account.address,
        deadline=int(typed_data["message"]["deadline"]),
        signature=sign_typed_data(account, typed_data),
    )
