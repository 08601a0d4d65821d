"""Claiming from every EMC at once (``rdh claim --all``): where the wallet has something
to claim, read at one block, then one claim a row through :mod:`rdh_chain.pipeline`."""

from __future__ import annotations

from dataclasses import dataclass

from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.pipeline import Call
from rdh_chain.share_proofs import read_positions, read_proofs
from rdh_chain.types import Position

__all__ = ["PlannedClaim", "plan_claims"]


@dataclass(frozen=True)
class PlannedClaim:
    """One EMC where the wallet can claim ``position.claimable`` fen now."""

    emc: EmcClient
    position: Position
    call: Call


def plan_claims(ledger: Ledger) -> tuple[int, list[PlannedClaim]]:
    """The block read and a claim for every EMC where ``ledger``'s wallet has credit
    claimable (none where it has nothing: running it again after it landed sends nothing)."""
    if ledger.sender is None:
        raise InvalidInputError("Claiming needs a signing wallet: pass --wallet NAME.")
    account = ledger.sender.account
    block = ledger.w3.eth.block_number
    clients = ledger.emcs(block=block)
    wanted = [(client, account.address) for client in clients]
    proofs = read_proofs(block, wanted)
    positions = read_positions(block, wanted, proofs=proofs)
    plans = []
    for client, position, shown in zip(clients, positions, proofs, strict=True):
        if position.claimable > 0:
            label = f"claim from {client.address}"
            data = client.calldata("claim", [p.as_abi() for p in shown])
            call = Call(account, client.address, data, label)
            plans.append(PlannedClaim(client, position, call))
    return block, plans
