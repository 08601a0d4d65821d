"""A wallet's standing in the registry, as sessions keep it."""

from __future__ import annotations

from dataclasses import dataclass

from eth_typing import ChecksumAddress

from rdh_chain.ledger import Ledger
from rdh_chain.types import MemberStatus, Role


@dataclass(frozen=True)
class Standing:
    """The roles that count for ``address`` at ``block``: none while it is suspended or
    unregistered (the registry silences every role of a suspended member)."""

    roles: tuple[Role, ...]
    admin: bool
    block: int


def read_standing(ledger: Ledger, address: ChecksumAddress) -> Standing:
    """The registry's record of ``address`` read at one block (the latest)."""
    block = int(ledger.w3.eth.block_number)
    member = ledger.registry.member(address, block=block)
    if member.status is not MemberStatus.ACTIVE:
        return Standing(roles=(), admin=False, block=block)
    admin = ledger.registry.is_admin(address, block=block)
    return Standing(roles=member.roles, admin=admin, block=block)
