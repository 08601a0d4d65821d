"""``rdh bid``: sealed-bid rounds on an EMC.

The owner opens a round (``open``); MEs and partners commit a sealed bid
(``commit``), which saves the bid and its random salt to a file the bidder keeps,
reveal it once commits are closed (``reveal``, which reads that file back), and the
owner invites the winners after the reveal deadline (``invite``). ``list`` shows
every bid's outcome.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

from rdh_chain import limits
from rdh_chain.bids import SealedBid
from rdh_chain.cli.context import (
    CliState,
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    optional_bytes32,
)
from rdh_chain.cli.output import (
    bps_text,
    echo,
    echo_json,
    fields,
    hex32,
    note,
    rmb,
    table,
    when,
    when_json,
)
from rdh_chain.cli.shares import chain_time, named
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import TOTAL_BPS, Bid, BidOutcome, BidRound
from rdh_chain.validation import parse_amount, parse_count

bid_app = typer.Typer(
    help="Open sealed-bid rounds, commit, reveal and invite bids.", no_args_is_help=True
)

_HOUR = 3600
_UINT48_MAX = (1 << 48) - 1

EmcArgument = Annotated[str, typer.Argument(help="The EMC's address.")]
RoundArgument = Annotated[int, typer.Argument(metavar="ROUND", help="A bid round's id.")]
BidFileOption = Annotated[
    Path | None,
    typer.Option(
        "--file",
        dir_okay=False,
        help="The sealed bid's file (default: <data-dir>/bids/<emc>-<round>-<bidder>.json).",
    ),
]


def bid_file(state: CliState, emc: ChecksumAddress, round_id: int, bidder: ChecksumAddress) -> Path:
    """Where ``commit`` keeps a sealed bid by default."""
    return state.settings.data_dir / "bids" / f"{emc}-{round_id}-{bidder}.json"


def _outcome_name(outcome: BidOutcome) -> str:
    return outcome.name.lower().replace("_", "-")


def _round_json(r: BidRound) -> dict[str, Any]:
    return {
        "round_id": r.id,
        "commit_deadline": when_json(r.commit_deadline),
        "reveal_deadline": when_json(r.reveal_deadline),
        "decided_at": when_json(r.decided_at),
        "bidders": r.bidder_count,
        "revealed": r.revealed_count,
        "invited": r.invited_count,
        "document_hash": hex32(r.document_hash),
    }


def _bid_json(bid: Bid, labels: dict[ChecksumAddress, str]) -> dict[str, Any]:
    hidden = not bid.revealed
    return {
        "bidder": bid.bidder,
        "wallet": labels.get(bid.bidder),
        "outcome": _outcome_name(bid.outcome),
        "commitment": hex32(bid.commitment),
        "undertaken_users": None if hidden else bid.undertaken_users,
        "undertaken_revenue": None if hidden else bid.undertaken_revenue,
        "ask_bps": None if hidden else bid.ask_bps,
        "proposal_hash": None if hidden else hex32(bid.proposal_hash),
    }


@bid_app.command("open")
def open_round(
    ctx: typer.Context,
    emc: EmcArgument,
    commit_hours: Annotated[
        int, typer.Option("--commit-hours", min=1, help="Hours bids can be committed, from now.")
    ] = 72,
    reveal_hours: Annotated[
        int,
        typer.Option("--reveal-hours", min=1, help="Hours bids can be revealed after that."),
    ] = 48,
    document: Annotated[
        str | None,
        typer.Option("--document", help="0x + 64 hex digits: hash of the places offered."),
    ] = None,
    as_json: JsonOption = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Open a sealed-bid round on an EMC, as its owner."""
    state = get_state(ctx)
    document_hash = optional_bytes32(document, "--document")
    client = state.emc(emc, state.signer(WalletChoice(wallet, keystore, password_file)))
    now = chain_time(client)
    commit_deadline = now + commit_hours * _HOUR
    reveal_deadline = commit_deadline + reveal_hours * _HOUR
    if reveal_deadline > _UINT48_MAX:
        raise InvalidInputError("the deadlines are too far away (at most 2**48 - 1).")
    round_id, result = client.open_bid_round(commit_deadline, reveal_deadline, document_hash)
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "tx_hash": hex32(result.tx_hash),
                **_round_json(client.round(round_id)),
            }
        )
        return
    echo(f"opened bid round {round_id} of {client.address} (tx {hex32(result.tx_hash)})")
    fields([("commits until", when(commit_deadline)), ("reveals until", when(reveal_deadline))])
    note(
        f"next: bidders run `rdh bid commit {client.address} {round_id} --users N "
        "--revenue RMB --ask BPS --wallet NAME`."
    )


@bid_app.command("commit")
def commit(
    ctx: typer.Context,
    emc: EmcArgument,
    round_id: RoundArgument,
    users: Annotated[
        str, typer.Option("--users", metavar="N", help="Users of the target undertaken.")
    ],
    revenue: Annotated[
        str, typer.Option("--revenue", metavar="RMB", help="Revenue of the target undertaken.")
    ],
    ask: Annotated[
        str, typer.Option("--ask", metavar="BPS", help="Share asked, in bps (at most 10,000).")
    ],
    proposal: Annotated[
        str | None,
        typer.Option("--proposal", help="0x + 64 hex digits: hash of the proposal document."),
    ] = None,
    out: BidFileOption = None,
    as_json: JsonOption = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Commit a sealed bid (or replace yours) with a fresh random salt; keep the file it saves."""
    state = get_state(ctx)
    users_count = parse_count(users, "--users", limits.BID_USERS)
    revenue_fen = parse_amount(revenue, "--revenue", limits.BID_REVENUE)
    ask_bps = parse_count(ask, "--ask")
    if ask_bps > TOTAL_BPS:
        raise InvalidInputError(
            f"--ask {ask_bps:,} is above 10,000 bps (100%): it could never be revealed."
        )
    proposal_hash = optional_bytes32(proposal, "--proposal")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    assert ledger.sender is not None
    bidder = ledger.sender.address
    sealed = SealedBid.seal(
        client.address, round_id, bidder, users_count, revenue_fen, ask_bps, proposal_hash
    )
    path = out or bid_file(state, client.address, round_id, bidder)
    # Saved before sending, so a commit never lands without its salt on disk; a commit
    # the chain refuses puts the previous file (the bid still committed) back.
    previous = path.read_bytes() if path.exists() else None
    sealed.save(path)
    try:
        result = client.commit_bid(round_id, sealed.commitment)
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(previous)
        raise
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "round_id": round_id,
                "bidder": bidder,
                "commitment": hex32(sealed.commitment),
                "file": str(path),
                "tx_hash": hex32(result.tx_hash),
            }
        )
        return
    echo(
        f"committed a sealed bid in round {round_id} of {client.address} "
        f"(tx {hex32(result.tx_hash)})"
    )
    fields([("commitment", hex32(sealed.commitment)), ("sealed bid", str(path))])
    note(
        f"keep {path}: it holds the salt, without which the bid cannot be revealed. After the "
        f"commit deadline run `rdh bid reveal {client.address} {round_id} --wallet NAME`."
    )


@bid_app.command("reveal")
def reveal(
    ctx: typer.Context,
    emc: EmcArgument,
    round_id: RoundArgument,
    file: BidFileOption = None,
    as_json: JsonOption = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Reveal your sealed bid from the file ``commit`` saved."""
    state = get_state(ctx)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    assert ledger.sender is not None
    bidder = ledger.sender.address
    path = file or bid_file(state, client.address, round_id, bidder)
    if not path.exists():
        raise InvalidInputError(
            f"no sealed bid at {path}; pass the file `rdh bid commit` saved with --file."
        )
    sealed = SealedBid.load(path)
    if (sealed.emc, sealed.round_id, sealed.bidder) != (client.address, round_id, bidder):
        raise InvalidInputError(
            f"{path} holds {sealed.bidder}'s bid in round {sealed.round_id} of {sealed.emc}, "
            f"not {bidder}'s in round {round_id} of {client.address}."
        )
    committed = client.bid(round_id, bidder).commitment
    if committed not in (bytes(32), sealed.commitment):
        raise InvalidInputError(
            f"{path} is not the bid committed last (on chain {hex32(committed)}, in the file "
            f"{hex32(sealed.commitment)}); pass the file of the last commit with --file."
        )
    result = client.reveal_sealed(sealed)
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "round_id": round_id,
                "bidder": bidder,
                "tx_hash": hex32(result.tx_hash),
            }
        )
        return
    echo(f"revealed the bid of {bidder} in round {round_id} (tx {hex32(result.tx_hash)})")
    fields(
        [
            ("users", f"{sealed.users:,}"),
            ("revenue", f"{rmb(sealed.revenue)} RMB"),
            ("ask", bps_text(sealed.ask_bps)),
        ]
    )


@bid_app.command("invite")
def invite(
    ctx: typer.Context,
    emc: EmcArgument,
    round_id: RoundArgument,
    bidders: Annotated[
        list[str] | None,
        typer.Argument(help="The invited bidders: 0x addresses or local wallet names."),
    ] = None,
    as_json: JsonOption = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Decide a round after its reveal deadline, as the owner: invite the winners (once)."""
    state = get_state(ctx)
    invited = [state.account(b, "bidder") for b in bidders or []]
    client = state.emc(emc, state.signer(WalletChoice(wallet, keystore, password_file)))
    result = client.invite_bids(round_id, invited)
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "round_id": round_id,
                "invited": invited,
                "tx_hash": hex32(result.tx_hash),
            }
        )
        return
    labels = state.labels()
    echo(f"decided round {round_id}: invited {len(invited)} (tx {hex32(result.tx_hash)})")
    for address in invited:
        echo(f"  {named(address, labels)}")


@bid_app.command("list")
def list_bids(
    ctx: typer.Context,
    emc: EmcArgument,
    round_id: Annotated[
        int | None, typer.Argument(metavar="[ROUND]", help="One round (default: every round).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show an EMC's bid rounds and every bid's outcome."""
    state = get_state(ctx)
    client = state.emc(emc)
    ids = [round_id] if round_id is not None else list(range(1, client.round_count() + 1))
    labels = state.labels()
    rounds = [(client.round(i), [client.bid(i, b) for b in client.bidders(i)]) for i in ids]
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "rounds": [
                    {**_round_json(r), "bids": [_bid_json(b, labels) for b in bids]}
                    for r, bids in rounds
                ],
            }
        )
        return
    if not rounds:
        echo(f"{client.address} has no bid rounds; the owner opens one with `rdh bid open`.")
        return
    for r, bids in rounds:
        _print_round(client, r, bids, labels)


def _print_round(
    client: EmcClient, r: BidRound, bids: list[Bid], labels: dict[ChecksumAddress, str]
) -> None:
    echo(f"round {r.id} of {client.address}")
    fields(
        [
            ("commits until", when(r.commit_deadline)),
            ("reveals until", when(r.reveal_deadline)),
            ("decided", when(r.decided_at)),
            (
                "bids",
                f"{r.bidder_count} committed, {r.revealed_count} revealed, "
                f"{r.invited_count} invited",
            ),
        ]
    )
    rows = []
    for bid in bids:
        hidden = not bid.revealed
        rows.append(
            [
                labels.get(bid.bidder, "-"),
                bid.bidder,
                _outcome_name(bid.outcome),
                "-" if hidden else f"{bid.undertaken_users:,}",
                "-" if hidden else rmb(bid.undertaken_revenue),
                "-" if hidden else bps_text(bid.ask_bps),
            ]
        )
    table(["WALLET", "BIDDER", "OUTCOME", "USERS", "REVENUE (RMB)", "ASK"], rows, right=(3, 4))
    echo()
