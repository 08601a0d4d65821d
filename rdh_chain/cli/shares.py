"""``rdh shares``: an EMC's share versions (who gets how many basis points of profit)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

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
    SHARE_CLASS_NAMES,
    bps_text,
    class_name,
    echo,
    echo_json,
    fields,
    hex32,
    percent,
    table,
    when,
    when_json,
)
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.types import ZERO_ADDRESS, ShareClass, ShareEntry, Version
from rdh_chain.validation import to_uint

shares_app = typer.Typer(help="Propose, activate and read share versions.", no_args_is_help=True)

_CLASSES_BY_NAME = {name: share_class for share_class, name in SHARE_CLASS_NAMES.items()}
_ENTRY_FORMAT = (
    "ADDRESS:CLASS:BPS with CLASS one of partner, operating, value-added, dev-fund "
    "(e.g. 0x1234…abcd:partner:600, chef:value-added:100, or dev-fund:900)"
)


def parse_entry(state: CliState, text: str) -> ShareEntry:
    """``ADDRESS:CLASS:BPS`` (the address may be a wallet name), or ``dev-fund:BPS``."""
    parts = text.strip().split(":")
    if len(parts) == 2 and parts[0].strip().lower() == "dev-fund":
        account_text, class_text, bps_text_ = None, parts[0], parts[1]
    elif len(parts) == 3:
        account_text, class_text, bps_text_ = parts
    else:
        raise InvalidInputError(f"share entry {text!r} is not {_ENTRY_FORMAT}.")
    share_class = _CLASSES_BY_NAME.get(class_text.strip().lower().replace("_", "-"))
    if share_class is None:
        raise InvalidInputError(
            f"share entry {text!r}: unknown class {class_text!r}; expected {_ENTRY_FORMAT}."
        )
    try:
        bps = int(bps_text_.strip().replace(",", "").replace("_", ""))
    except ValueError as exc:
        raise InvalidInputError(
            f"share entry {text!r}: {bps_text_!r} is not a whole number of basis points "
            "(10,000 bps = 100%)."
        ) from exc
    to_uint(bps, f"share entry {text!r}: basis points", "uint16")
    account = ZERO_ADDRESS if account_text is None else state.account(account_text, "share entry")
    return ShareEntry(account, share_class, bps)


@shares_app.command("set")
def set_shares(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    entries: Annotated[list[str], typer.Argument(help=f"Entries, each {_ENTRY_FORMAT}.")],
    document: Annotated[
        str | None,
        typer.Option("--document", help="0x + 64 hex digits: hash of the signed agreement."),
    ] = None,
    propose_only: Annotated[
        bool, typer.Option("--propose-only", help="Propose the version but do not activate it.")
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Propose a share version (must add up to 10,000 bps) and activate it, as the EMC's owner."""
    state = get_state(ctx)
    parsed = [parse_entry(state, e) for e in entries]
    document_hash = optional_bytes32(document, "--document")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    version_id, proposed = client.propose_version(parsed, document_hash)
    echo(f"proposed version {version_id} of {client.address} (tx 0x{proposed.tx_hash.hex()})")
    if not propose_only:
        activated = client.activate_version(version_id)
        version = client.version(version_id)
        echo(
            f"activated version {version_id} from period {version.from_period} "
            f"(tx 0x{activated.tx_hash.hex()})"
        )
    print_entries(client.version_entries(version_id), state.labels())


@shares_app.command("activate")
def activate(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    version_id: Annotated[int, typer.Argument(metavar="VERSION", help="A proposed version's id.")],
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Activate a proposed version (from `rdh shares set --propose-only`), as the owner."""
    state = get_state(ctx)
    ledger = state.signer(WalletChoice(wallet, keystore, password_file))
    client = state.emc(emc, ledger)
    result = client.activate_version(to_uint(version_id, "VERSION"))
    version = client.version(version_id)
    echo(
        f"activated version {version_id} from period {version.from_period} "
        f"(tx 0x{result.tx_hash.hex()})"
    )


@shares_app.command("show")
def show(
    ctx: typer.Context,
    emc: Annotated[str, typer.Argument(help="The EMC's address.")],
    version_id: Annotated[
        int | None, typer.Option("--version", help="A version id (default: the active one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """One share version of an EMC with its entries; every version stays readable."""
    state = get_state(ctx)
    client = state.emc(emc)
    count = client.version_count()
    chosen = client.active_version_id() if version_id is None else to_uint(version_id, "--version")
    if chosen == 0:
        message = (
            f"{client.address} has no active share version "
            f"({count} proposed; see one with --version N, activate with `rdh shares activate`)."
            if count
            else f"{client.address} has no share versions yet; propose one with `rdh shares set`."
        )
        if as_json:
            echo_json({"emc": client.address, "version_count": count, "version": None})
        else:
            echo(message)
        return
    labels = state.labels()
    if as_json:
        echo_json(
            {
                "emc": client.address,
                "version_count": count,
                "version": version_json(client, chosen, labels),
            }
        )
        return
    print_version(client, chosen, labels, count)


def print_version(
    client: EmcClient, version_id: int, labels: Mapping[ChecksumAddress, str], count: int
) -> None:
    version = client.version(version_id)
    fields(
        [
            ("version", f"{version.id} of {count} ({version.status.name.lower()})"),
            ("from period", str(version.from_period) if version.activated_at else "-"),
            ("proposed", when(version.proposed_at)),
            ("activated", when(version.activated_at)),
            ("document", hex32(version.document_hash)),
        ]
    )
    print_entries(client.version_entries(version_id), labels)


def print_entries(entries: list[ShareEntry], labels: Mapping[ChecksumAddress, str]) -> None:
    table(
        ["ACCOUNT", "WALLET", "CLASS", "BPS", "SHARE"],
        [
            [
                "(development fund)" if e.share_class is ShareClass.DEV_FUND else e.account,
                labels.get(e.account, "-"),
                class_name(e.share_class),
                f"{e.bps:,}",
                percent(e.bps),
            ]
            for e in entries
        ],
        right=[3, 4],
    )
    echo(f"total {bps_text(sum(e.bps for e in entries))}")


def version_json(
    client: EmcClient, version_id: int, labels: Mapping[ChecksumAddress, str]
) -> dict[str, Any]:
    version: Version = client.version(version_id)
    return {
        "id": version.id,
        "status": version.status.name.lower(),
        "epoch": version.epoch,
        "from_period": version.from_period,
        "proposed_at": when_json(version.proposed_at),
        "activated_at": when_json(version.activated_at),
        "document_hash": hex32(version.document_hash),
        "entries": [
            {
                "account": e.account,
                "wallet": labels.get(e.account),
                "class": class_name(e.share_class),
                "bps": e.bps,
            }
            for e in client.version_entries(version_id)
        ],
    }
