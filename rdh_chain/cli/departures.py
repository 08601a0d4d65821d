"""``rdh emc terminate`` and ``rdh emc resign``: departure notices, and how `rdh emc show`
lists them. A notice changes no share: once it runs out, a new version may leave the
member out without its signature."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

from rdh_chain.cli.context import (
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    text_hash,
)
from rdh_chain.cli.output import echo, hex32, table, when, when_json
from rdh_chain.contracts import EmcClient
from rdh_chain.types import Departure
from rdh_chain.validation import to_uint

NoticeOption = Annotated[
    int,
    typer.Option("--notice", help="Periods of notice: it takes effect once as many are settled."),
]
ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why; the ledger records its keccak-256 hash.")
]


def departure_state(departure: Departure, periods: int) -> str:
    return "effective" if departure.effective(periods) else "pending"


def departures_json(
    departures: Mapping[ChecksumAddress, Departure],
    periods: int,
    labels: Mapping[ChecksumAddress, str],
) -> list[dict[str, Any]]:
    return [
        {
            "account": account,
            "wallet": labels.get(account),
            "by": "owner" if d.by_owner else "member",
            "effective_period": d.effective_period,
            "state": departure_state(d, periods),
            "noticed_at": when_json(d.noticed_at),
            "reason_hash": hex32(d.reason_hash),
        }
        for account, d in departures.items()
    ]


def print_departures(
    departures: Mapping[ChecksumAddress, Departure],
    periods: int,
    labels: Mapping[ChecksumAddress, str],
) -> None:
    if not departures:
        echo("no member of the active version has been given notice")
        return
    table(
        ["MEMBER", "WALLET", "BY", "NOTICED", "AFTER PERIOD", "STATE"],
        [
            [
                account,
                labels.get(account, "-"),
                "owner" if d.by_owner else "member",
                when(d.noticed_at),
                str(d.effective_period),
                departure_state(d, periods),
            ]
            for account, d in departures.items()
        ],
        right=[4],
    )


def _report(
    client: EmcClient, account: ChecksumAddress, headline: str, reason: str, tx: str
) -> None:
    departure = client.departure_of(account)
    echo(f"{headline}: effective once period {departure.effective_period} is settled (tx {tx})")
    echo(f"reason {reason!r} recorded as {hex32(departure.reason_hash)}")
    echo(
        "until then its share changes only with its signature; after that a new version "
        "may leave it out (`rdh shares propose`)"
    )


def terminate(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    account: Annotated[
        str, typer.Argument(help="The member to terminate: 0x address or local wallet name.")
    ],
    notice: NoticeOption,
    reason: ReasonOption,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Give a member of the active version notice of termination (owner's wallet)."""
    state = get_state(ctx)
    address = state.account(account, "ACCOUNT")
    periods = to_uint(notice, "--notice", "uint32")
    client = state.emc(emc, state.signer(WalletChoice(wallet, keystore, password_file)))
    result = client.terminate(address, periods, text_hash(reason))
    headline = f"gave {address} notice of termination from {client.address}"
    _report(client, address, headline, reason, result.tx_hash.to_0x_hex())


def resign(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    notice: NoticeOption,
    reason: ReasonOption,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Give notice that the wallet, a member of the active version, leaves the EMC."""
    state = get_state(ctx)
    periods = to_uint(notice, "--notice", "uint32")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    result = client.resign(periods, text_hash(reason))
    assert ledger.address is not None
    headline = f"{ledger.address} gave notice of leaving {client.address}"
    _report(client, ledger.address, headline, reason, result.tx_hash.to_0x_hex())
