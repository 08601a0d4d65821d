"""``--from-round N`` of `rdh shares propose` and `set`: the entries of a decided bid round's
invited bidders, at the shares they asked for, merged with the entries given by hand."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from rdh_chain.bids import entries_from_invited, merge_entries
from rdh_chain.cli.context import CliState
from rdh_chain.cli.output import class_name, note
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import ShareEntry

FromRoundOption = Annotated[
    int | None,
    typer.Option(
        "--from-round",
        metavar="N",
        min=1,
        help="Add every bidder invited in bid round N at the share it asked: partners in "
        "the partner class, MEs in the value-added class. An entry given by hand for the "
        "same account and class replaces the bid's.",
    ),
]


def require_entries(by_hand: Sequence[ShareEntry], from_round: int | None) -> None:
    """Entries must come by hand, from a bid round, or both (checked before any signing)."""
    if not by_hand and from_round is None:
        raise InvalidInputError(
            "Give the version's entries (ADDRESS:CLASS:BPS ...), or take them from a "
            "decided bid round with --from-round N."
        )


def with_invited(
    state: CliState, client: EmcClient, by_hand: Sequence[ShareEntry], from_round: int | None
) -> list[ShareEntry]:
    """``by_hand`` merged with the entries of round ``from_round``'s invited bidders."""
    if from_round is None:
        return list(by_hand)
    from_bids = entries_from_invited(client, from_round, state.ledger.registry)
    merged = merge_entries(from_bids, by_hand)
    labels = state.labels()
    taken = [
        f"{labels.get(e.account, e.account)} {class_name(e.share_class)} {e.bps:,} bps"
        for e in from_bids
        if e in merged
    ]
    note(f"from bid round {from_round}: {', '.join(taken) or 'no invited bid'}")
    return merged
