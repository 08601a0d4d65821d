"""What ``GET /emcs/{address}/verify`` returns: :class:`rdh_chain.verify.Verification`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from eth_typing import ChecksumAddress
from pydantic import Field

from api.models import _Public
from rdh_chain.verify import Verification


class MismatchPublic(_Public):
    """One figure the events and the chain disagree on."""

    emc: ChecksumAddress
    account: ChecksumAddress | None = Field(description="None for the EMC's own figures.")
    account_name: str | None = Field(description="The account's name, when it has a profile.")
    field: str = Field(examples=["claimable"])
    recomputed: Any = Field(description="What the events make of it.")
    on_chain: Any = Field(
        description="The view at the block, or (source ``event``) what the event says."
    )
    source: Literal["state", "event"]
    where: str = Field(description="The log, for an event's figure.")


class VerificationPublic(_Public):
    """Every figure of the EMC recomputed from its indexed events, held against the
    contract's views at the same block (``rdh audit verify EMC``)."""

    emc: ChecksumAddress
    ok: bool = Field(description="True when nothing disagrees.")
    block: int = Field(description="The block the views were read at: the index's checkpoint.")
    block_hash: str
    emcs: int
    accounts: int
    events: int = Field(description="Events replayed.")
    figures: int = Field(description="Figures compared.")
    mismatches: list[MismatchPublic]

    @classmethod
    def of(
        cls,
        emc: ChecksumAddress,
        result: Verification,
        block_hash: bytes,
        names: Mapping[ChecksumAddress, str],
    ) -> VerificationPublic:
        found = result.as_json()
        mismatches = [
            MismatchPublic(
                **m, account_name=None if m["account"] is None else names.get(m["account"])
            )
            for m in found.pop("mismatches")
        ]
        return cls(
            emc=emc,
            ok=result.ok,
            block_hash="0x" + block_hash.hex(),
            mismatches=mismatches,
            **found,
        )
