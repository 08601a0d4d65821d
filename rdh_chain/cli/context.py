"""What every command shares: settings, the ledger, wallets and argument parsing."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

import typer
from eth_typing import ChecksumAddress
from pydantic import ValidationError
from typer.core import TyperCommand, TyperOption
from web3 import Web3

from rdh_chain.config import LedgerFactory, Settings
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import ConfigError, InvalidInputError, WalletError
from rdh_chain.ledger import Ledger
from rdh_chain.validation import to_address, to_bytes32
from rdh_chain.wallet import KeystoreDir, Wallet, load_keystore, read_password

WalletOption = Annotated[
    str | None,
    typer.Option(
        "--wallet",
        "-w",
        envvar="RDH_WALLET",
        help="Sign with the keystore NAME in <data-dir>/keystores (see `rdh wallet list`).",
    ),
]
KeystoreOption = Annotated[
    Path | None,
    typer.Option("--keystore", dir_okay=False, help="Sign with the keystore file PATH instead."),
]
PasswordFileOption = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        dir_okay=False,
        help="File whose first line is the keystore password "
        "(default: <data-dir>/keystores/.password, then $RDH_PASSWORD).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


# A token such as -100, -1.5 or -.5: no option of rdh looks like that.
_NEGATIVE_NUMBER = re.compile(r"-\.?\d")


class NumberArgsCommand(TyperCommand):
    """A command whose arguments take numbers, negative ones included (``rdh mint chef -5``).

    click reads ``-5`` as the short option ``-5`` and stops at "No such option". As
    argparse does, a token that looks like a negative number and is not an option's value
    is taken as an argument, so it reaches the command's own parser, which says why it is
    refused. It passes click's parser as a stand-in that starts with a minus sign (U+2212)
    instead of a dash, and the parsed arguments get the original text back.
    """

    # ``ctx`` is typer's vendored click Context, which typer does not export.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        takes_value = {
            name
            for p in self.get_params(ctx)
            if isinstance(p, TyperOption) and not (p.is_flag or p.count)
            for name in p.opts
        }
        originals: dict[str, str] = {}
        shown: list[str] = []
        for i, arg in enumerate(args):
            if arg == "--":  # click takes the rest as arguments anyway
                shown.extend(args[i:])
                break
            follows_option = i > 0 and args[i - 1] in takes_value
            if _NEGATIVE_NUMBER.match(arg) and not follows_option:
                stand_in = "\N{MINUS SIGN}" + arg[1:]
                originals[stand_in] = arg
                arg = stand_in
            shown.append(arg)
        rest = super().parse_args(ctx, shown)
        for name, value in ctx.params.items():
            if isinstance(value, str) and value in originals:
                ctx.params[name] = originals[value]
        return rest


@dataclass(frozen=True)
class WalletChoice:
    """The signing wallet as the options named it."""

    name: str | None = None
    keystore: Path | None = None
    password_file: Path | None = None


class CliState:
    """The global options of one ``rdh`` run; the ledger is opened on first use."""

    def __init__(self, rpc_url: str | None = None, data_dir: Path | None = None) -> None:
        self._overrides: dict[str, Any] = {}
        if rpc_url is not None:
            self._overrides["rpc_url"] = rpc_url
        if data_dir is not None:
            self._overrides["data_dir"] = data_dir.resolve()

    @cached_property
    def settings(self) -> Settings:
        try:
            return Settings.resolved(**self._overrides)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"Invalid RDH_* setting ({problems}); fix the variable.") from exc

    @cached_property
    def ledgers(self) -> LedgerFactory:
        return LedgerFactory(self.settings)

    @cached_property
    def ledger(self) -> Ledger:
        """The read-only ledger of the recorded deployment (checked to have code)."""
        return self.ledgers.open()

    @property
    def keystores(self) -> KeystoreDir:
        return self.settings.keystores

    # -- wallets ---------------------------------------------------------------------

    def wallet(self, choice: WalletChoice, default: str | None = None) -> Wallet:
        """Decrypt the wallet the options name, or ``default`` from the keystore folder."""
        if choice.name is not None and choice.keystore is not None:
            raise InvalidInputError("Pass either --wallet or --keystore, not both.")
        if choice.keystore is not None:
            return load_keystore(choice.keystore, read_password(choice.password_file))
        name = choice.name or default
        if name is None:
            raise InvalidInputError(
                "This command signs a transaction: choose the wallet with --wallet NAME "
                f"(a keystore in {self.keystores.folder}) or --keystore PATH."
            )
        path = self.keystores.path(name)
        if not path.exists():
            known = ", ".join(self.keystores.names()) or "none"
            raise WalletError(
                f"No wallet named {name!r} in {self.keystores.folder} (known: {known}); "
                f"create it with `rdh wallet new {name}`."
            )
        return load_keystore(path, self._password(choice.password_file))

    def _password(self, password_file: Path | None) -> str:
        if password_file is not None:
            return read_password(password_file)
        if self.keystores.password_file.exists():
            return read_password(self.keystores.password_file)
        return read_password(None)

    def signer(self, choice: WalletChoice, default: str | None = None) -> Ledger:
        """The ledger, signing as the chosen wallet."""
        ledger = self.ledger
        return ledger.connect(self.wallet(choice, default).account)

    def wallet_addresses(self) -> dict[str, ChecksumAddress]:
        """Local wallet names and their addresses, read without decrypting the keys."""
        found: dict[str, ChecksumAddress] = {}
        for name in self.keystores.names():
            address = keystore_address(self.keystores.path(name))
            if address is not None:
                found[name] = address
        return found

    def labels(self) -> dict[ChecksumAddress, str]:
        """Address -> local wallet name, to make tables readable."""
        return {address: name for name, address in self.wallet_addresses().items()}

    # -- arguments -------------------------------------------------------------------

    def account(self, text: str, what: str = "address") -> ChecksumAddress:
        """An address given as ``0x...`` or as the name of a local wallet."""
        value = text.strip()
        if value.lower().startswith("0x"):
            return to_address(value, what)
        try:
            path = self.keystores.path(value)
        except WalletError:
            path = None
        address = keystore_address(path) if path is not None and path.exists() else None
        if address is None:
            raise InvalidInputError(
                f"{what} {text!r} is neither an address (0x followed by 40 hex digits) "
                f"nor the name of a wallet in {self.keystores.folder}."
            )
        return address

    def emc(self, text: str, ledger: Ledger | None = None) -> EmcClient:
        """The EMC at ``text``, bound to ``ledger`` (default: the read-only one)."""
        address = to_address(text, "EMC")
        return (ledger or self.ledger).emc(address)


def keystore_address(path: Path) -> ChecksumAddress | None:
    """The address a V3 keystore records in clear, or None if the file has none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = str(data["address"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        return to_address(raw if raw.startswith("0x") else "0x" + raw)
    except InvalidInputError:
        return None


def optional_bytes32(value: str | None, what: str) -> bytes:
    """A ``0x`` + 64 hex digits option, or 32 zero bytes when it was not given."""
    return bytes(32) if value is None else to_bytes32(value, what)


def text_hash(text: str) -> bytes:
    """The keccak-256 of a free-text note, which is what the ledger records for it."""
    return bytes(Web3.keccak(text=text))


def get_state(ctx: typer.Context) -> CliState:
    state = ctx.find_object(CliState)
    if state is None:  # a command invoked without the root callback (embedding, tests)
        state = CliState()
        ctx.obj = state
    return state


__all__ = [
    "CliState",
    "JsonOption",
    "KeystoreOption",
    "NumberArgsCommand",
    "PasswordFileOption",
    "WalletChoice",
    "WalletOption",
    "get_state",
    "keystore_address",
    "optional_bytes32",
    "text_hash",
]
