"""What the audit tests share."""

from __future__ import annotations

from rdh_chain.events import Decoded
from rdh_chain.verify import Verification, chain_events, verify
from tests.contracts.helpers import Cast


def verify_cast(
    cast: Cast, block: int | None = None, events: list[Decoded] | None = None
) -> Verification:
    """Verify ``cast``'s whole deployment at ``block`` (the head), from ``events`` (the
    chain's)."""
    block = cast.w3.eth.block_number if block is None else block
    if events is None:
        events = chain_events(cast.w3, cast.deployment, cast.artifacts, block)
    return verify(cast.w3, cast.artifacts, cast.deployment, events, block)
