"""Where the entries of `rdh shares propose` and `set` come from: by hand, from a decided bid
round's invited bidders at the shares they asked for (``--from-round N``), and from the
active version (``--from-active``); the later replaces the earlier for the same account and
class. The sum is checked before anything is signed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from rdh_chain.bids import entries_from_invited, merge_entries
from rdh_chain.cli.context import CliState
from rdh_chain.cli.output import bps_text, class_name, note
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import TOTAL_BPS, ShareClass, ShareEntry

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

FromActiveOption = Annotated[
    bool,
    typer.Option(
        "--from-active",
        help="Start from the entries of the active version: those of --from-round and those "
        "given by hand replace the entries of the same account and class, the others stay.",
    ),
]


def require_entries(
    by_hand: Sequence[ShareEntry], from_round: int | None, from_active: bool = False
) -> None:
    """Entries must come by hand, from a bid round or the active version (checked before any
    signing)."""
    if not by_hand and from_round is None and not from_active:
        raise InvalidInputError(
            "Give the version's entries (ADDRESS:CLASS:BPS ...), take them from a "
            "decided bid round with --from-round N, or start from the active version's "
            "with --from-active."
        )


def version_entries(
    state: CliState,
    client: EmcClient,
    by_hand: Sequence[ShareEntry],
    from_round: int | None,
    from_active: bool,
) -> list[ShareEntry]:
    """The entries of a new version: the active one's (``from_active``), replaced by a bid
    round's (``from_round``), replaced by those given by hand; refused unless they add up to
    10,000 bps."""
    base: list[ShareEntry] = []
    if from_active:
        active = client.active_version_id()
        if active == 0:
            raise InvalidInputError(
                f"--from-active: {client.address} has no active version to start from; "
                "give every entry by hand."
            )
        base = client.version_entries(active)
    entries = merge_entries(base, with_invited(state, client, by_hand, from_round))
    total = sum(e.bps for e in entries)
    if total != TOTAL_BPS:
        gap = TOTAL_BPS - total
        labels = state.labels()
        listed = ", ".join(
            f"{class_name(e.share_class)} {e.bps:,}"
            if e.share_class is ShareClass.DEV_FUND
            else f"{labels.get(e.account, e.account)} {class_name(e.share_class)} {e.bps:,}"
            for e in sorted(
                entries, key=lambda e: (e.share_class, labels.get(e.account, e.account))
            )
        )
        hint = (
            "" if from_active else " To keep the active version's other entries, add --from-active."
        )
        raise InvalidInputError(
            f"the version's entries add up to {bps_text(total)}, "
            f"{bps_text(abs(gap))} {'short of' if gap > 0 else 'over'} 10,000 bps (100%): "
            f"{listed}. Change the basis points so that they add up to 10,000.{hint}"
        )
    return entries


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
