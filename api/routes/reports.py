"""Report attestations: the typed data of a period report for an auditor to sign."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.auth.deps import Viewer, require_roles
from api.deps import EmcDep
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
from api.models import ErrorPublic
from api.relay_models import ReportTypedDataInput, ReportTypedDataPublic
from api.relaying import DeadlinePassedError
from rdh_chain.types import Role

router = APIRouter(
    prefix="/emcs",
    tags=["reports"],
    responses={
        **ERROR_RESPONSES,
        **NOT_FOUND_RESPONSE,
        401: {"model": ErrorPublic, "description": "Not signed in."},
        403: {"model": ErrorPublic, "description": "Not an auditor."},
        409: {"model": ErrorPublic, "description": "The deadline has passed on the chain."},
    },
)

Auditor = Annotated[Viewer, Depends(require_roles(Role.AUDITOR))]
# How long an attestation stays good unless the auditor says otherwise.
DEFAULT_ATTESTATION_SECONDS = 24 * 3600


@router.post(
    "/{address}/reports/typed-data",
    summary="The typed data an auditor signs to attest a period report",
)
def post_report_typed_data(
    auditor: Auditor, emc: EmcDep, body: ReportTypedDataInput
) -> ReportTypedDataPublic:
    """The EIP-712 typed data (``eth_signTypedData_v4``) attesting the report as the EMC's
    next period (or ``period``) until ``deadline`` (by default a day after the latest
    block), checked against the EMC's own ``reportDigest``. For active auditors only. The
    reporter settles with ``{"auditor", "deadline", "signature"}`` as the attestation
    (``POST .../tx/settle``)."""
    latest = int(emc.w3.eth.get_block("latest")["timestamp"])
    if body.deadline is None:
        deadline = latest + DEFAULT_ATTESTATION_SECONDS
    else:
        deadline = int(body.deadline.timestamp())
        if deadline <= latest:
            raise DeadlinePassedError(
                f"deadline {body.deadline.isoformat()} has passed already; give a later one "
                "(or none, for a day from now)."
            )
    report = body.as_report()
    typed = emc.report_typed_data(report, deadline=deadline, period=body.period)
    return ReportTypedDataPublic.from_sdk(typed)
