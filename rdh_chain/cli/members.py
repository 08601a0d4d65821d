"""``rdh member``: the permissioned registry of MEs, partners, operators and auditors."""

from __future__ import annotations

from enum import StrEnum
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
    text_hash,
)
from rdh_chain.cli.output import (
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
from rdh_chain.exceptions import WalletError
from rdh_chain.ledger import Ledger
from rdh_chain.profiles import Profile, ProfileKind, ProfileMatch, ProfileStore, match_profile
from rdh_chain.types import Member, Role

member_app = typer.Typer(help="Register, suspend and inspect members.", no_args_is_help=True)

# Operators sign member changes; the deploying admin is the first operator.
_DEFAULT_SIGNER = "admin"


class RoleName(StrEnum):
    """The roles a person or team can be given (registrar and contract are the factory's)."""

    ME = "me"
    PARTNER = "partner"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    STEWARD = "steward"
    TREASURY = "treasury"


ReasonOption = Annotated[
    str | None,
    typer.Option(
        "--reason", help="Why; the ledger records its keccak-256 hash (printed with the text)."
    ),
]


@member_app.command("add")
def add(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address, or the name of a local wallet.")],
    role: Annotated[RoleName, typer.Option("--role", help="The role to grant.")],
    metadata: Annotated[
        str | None,
        typer.Option("--metadata", help="0x + 64 hex digits: hash of the member's record."),
    ] = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Register ACCOUNT with a role (signed by an operator; operator and treasury by the admin)."""
    state = get_state(ctx)
    address = state.account(account, "member")
    reference = optional_bytes32(metadata, "--metadata")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
    result = ledger.registry.add_member(address, Role(role.value), reference)
    echo(f"added {address} as {role.value} (tx 0x{result.tx_hash.hex()}, by {ledger.address})")


@member_app.command("suspend")
def suspend(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address, or the name of a local wallet.")],
    reason: ReasonOption = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Suspend a member: it can no longer act, but can still claim what it earned.

    Signed by an operator; an operator, treasurer, registrar or admin only by an admin.
    """
    state = get_state(ctx)
    address = state.account(account, "member")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
    ledger.member(address)  # an unknown account gets "not registered", not a status error
    result = ledger.registry.suspend(address, _reason_hash(reason))
    echo(f"suspended {address} (tx 0x{result.tx_hash.hex()})")
    _echo_reason(reason)


@member_app.command("reinstate")
def reinstate(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address, or the name of a local wallet.")],
    reason: ReasonOption = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Reinstate a suspended member (the same signers as suspend)."""
    state = get_state(ctx)
    address = state.account(account, "member")
    ledger = state.signer(WalletChoice(wallet, keystore, password_file), _DEFAULT_SIGNER)
    ledger.member(address)
    result = ledger.registry.reinstate(address, _reason_hash(reason))
    echo(f"reinstated {address} (tx 0x{result.tx_hash.hex()})")
    _echo_reason(reason)


def _reason_hash(reason: str | None) -> bytes:
    return bytes(32) if reason is None else text_hash(reason)


def _echo_reason(reason: str | None) -> None:
    if reason is not None:
        echo(f"reason {reason!r} recorded as {hex32(text_hash(reason))}")


@member_app.command("show")
def show(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address, or the name of a local wallet.")],
    as_json: JsonOption = False,
) -> None:
    """One member: status, roles, registration time, metadata and token balance."""
    state = get_state(ctx)
    address = state.account(account, "member")
    ledger = state.ledger
    member = ledger.member(address)
    balance = ledger.token.balance_of(address)
    wallet_name = state.labels().get(address)
    profile = match_profile(member.metadata, _store(state), address)
    if as_json:
        echo_json({**_member_json(member, balance, wallet_name), "profile": _profile_json(profile)})
        return
    shown = profile.profile
    fields(
        [
            ("address", address),
            ("name", profile.label or "-"),
            ("kind", shown.kind.value if shown else "-"),
            ("profile", _profile_status(profile)),
            *([("note", shown.note)] if shown and shown.note else []),
            ("wallet", wallet_name or "-"),
            ("status", member.status.name.lower()),
            ("roles", ", ".join(r.value for r in member.roles) or "-"),
            ("since", when(member.since)),
            ("metadata", hex32(member.metadata)),
            ("balance", f"{rmb(balance)} RMB"),
        ]
    )


@member_app.command("list")
def list_members(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Every registered member with status, roles and token balance."""
    state = get_state(ctx)
    ledger = state.ledger
    labels = state.labels()
    store = _store(state)
    members = [(m, ledger.token.balance_of(m.address)) for m in _all_members(ledger)]
    profiles = {m.address: match_profile(m.metadata, store, m.address) for m, _ in members}
    if as_json:
        echo_json(
            [
                {
                    **_member_json(m, b, labels.get(m.address)),
                    "profile": _profile_json(profiles[m.address]),
                }
                for m, b in members
            ]
        )
        return
    table(
        ["ADDRESS", "NAME", "WALLET", "STATUS", "ROLES", "BALANCE (RMB)"],
        [
            [
                m.address,
                profiles[m.address].label or "-",
                labels.get(m.address, "-"),
                m.status.name.lower(),
                ", ".join(r.value for r in m.roles),
                rmb(b),
            ]
            for m, b in members
        ],
        right=[5],
    )


def _all_members(ledger: Ledger) -> list[Member]:
    addresses: list[ChecksumAddress] = ledger.registry.members()
    return [ledger.registry.member(a) for a in addresses]


def _member_json(member: Member, balance: int, wallet_name: str | None) -> dict[str, Any]:
    return {
        "address": member.address,
        "wallet": wallet_name,
        "status": member.status.name.lower(),
        "roles": [r.value for r in member.roles],
        "since": when_json(member.since),
        "metadata": hex32(member.metadata),
        "balance_fen": balance,
    }


def _store(state: CliState) -> ProfileStore:
    return ProfileStore.in_data_dir(state.settings.data_dir)


def _profile_status(found: ProfileMatch) -> str:
    if found.trusted:
        return "matched (its hash is the registry's metadata)"
    if found.profile is not None:
        return "MISMATCH: the stored profile's hash is not the registry's metadata"
    return "missing (no profile document in the data folder)"


def _profile_json(found: ProfileMatch) -> dict[str, Any]:
    shown = found.profile
    return {
        "status": found.status.value,
        "name": shown.name if shown else None,
        "kind": shown.kind.value if shown else None,
        "note": shown.note if shown else None,
        "hash": hex32(found.document_hash) if found.document_hash else None,
    }


@member_app.command("profile")
def profile(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="0x address, or the name of a local wallet.")],
    name: Annotated[str, typer.Option("--name", help="The member's name, as people say it.")],
    kind: Annotated[
        ProfileKind, typer.Option("--kind", case_sensitive=False, help="What the member is.")
    ],
    profile_note: Annotated[
        str | None, typer.Option("--note", help="A short note (optional).")
    ] = None,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
) -> None:
    """Write ACCOUNT's profile to the data folder and record its hash as the metadata.

    The document ({kind, name, note}, canonical JSON) is stored under its keccak-256 hash;
    the registry's metadata is set to that hash when the signing wallet (default: admin)
    is an active operator. Otherwise the profile is stored but shows as unverified until
    an operator records it.
    """
    state = get_state(ctx)
    address = state.account(account, "member")
    document = Profile(name=name.strip(), kind=kind, note=profile_note)
    member = state.ledger.member(address)
    digest = _store(state).put(document, address)
    echo(f"profile {hex32(digest)} stored for {address}: {document.canonical().decode()}")
    if member.metadata == digest:
        echo("the registry already records it")
        return
    choice = WalletChoice(wallet, keystore, password_file)
    try:
        ledger = state.signer(choice, _DEFAULT_SIGNER)
    except WalletError as exc:
        if wallet is not None or keystore is not None:
            raise
        note(f"not recorded on chain: {exc}")
        note("the profile shows as unverified until an operator runs this command")
        return
    signer = ledger.address
    if signer is None or not ledger.registry.is_active(signer, Role.OPERATOR):
        note(
            f"not recorded on chain: {signer} is not an active operator; the profile shows as "
            "unverified until an operator runs this command with --wallet"
        )
        return
    result = ledger.registry.set_metadata(address, digest)
    echo(f"registry metadata set to {hex32(digest)} (tx 0x{result.tx_hash.hex()}, by {signer})")
