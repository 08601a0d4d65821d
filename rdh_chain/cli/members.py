"""``rdh member``: the permissioned registry of MEs, partners, operators and auditors."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress

from rdh_chain.cli.context import (
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
    optional_bytes32,
    text_hash,
)
from rdh_chain.cli.output import echo, echo_json, fields, hex32, rmb, table, when, when_json
from rdh_chain.ledger import Ledger
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
    if as_json:
        echo_json(_member_json(member, balance, wallet_name))
        return
    fields(
        [
            ("address", address),
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
    members = [(m, ledger.token.balance_of(m.address)) for m in _all_members(ledger)]
    if as_json:
        echo_json([_member_json(m, b, labels.get(m.address)) for m, b in members])
        return
    table(
        ["ADDRESS", "WALLET", "STATUS", "ROLES", "BALANCE (RMB)"],
        [
            [
                m.address,
                labels.get(m.address, "-"),
                m.status.name.lower(),
                ", ".join(r.value for r in m.roles),
                rmb(b),
            ]
            for m, b in members
        ],
        right=[4],
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
