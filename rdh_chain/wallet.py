"""Wallets: standard encrypted keystores (V3 JSON, as geth and MetaMask write them).

Keys never leave the process that loaded them; the SDK signs locally, so it
works against any permissioned EVM node without unlocked accounts.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress

from rdh_chain.exceptions import WalletError

# geth's "light" scrypt cost: a standard keystore that opens in a fraction of a second.
_LIGHT_SCRYPT_N = 1 << 14


@dataclass(frozen=True)
class Wallet:
    """A decrypted key, named for messages."""

    name: str
    account: LocalAccount

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address


def create_keystore(path: Path, password: str, *, private_key: bytes | None = None) -> Wallet:
    """Write a new encrypted keystore at ``path`` (never overwriting one) and return its wallet."""
    if path.exists():
        raise WalletError(f"{path} already exists; choose another name or remove it first.")
    key = private_key if private_key is not None else secrets.token_bytes(32)
    account: LocalAccount = Account.from_key(key)
    keystore = Account.encrypt(account.key, password, kdf="scrypt", iterations=_LIGHT_SCRYPT_N)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keystore, handle)
    return Wallet(name=path.stem, account=account)


def load_keystore(path: Path, password: str) -> Wallet:
    """Decrypt the keystore at ``path``."""
    try:
        keystore: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WalletError(f"No keystore at {path}; check the path or create one.") from exc
    except (OSError, ValueError) as exc:
        raise WalletError(f"{path} is not a readable keystore JSON file ({exc}).") from exc
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as exc:
        raise WalletError(f"Cannot decrypt {path}: wrong password or damaged file.") from exc
    return Wallet(name=path.stem, account=Account.from_key(key))


def read_password(password_file: Path | None, env_var: str = "RDH_PASSWORD") -> str:
    """The keystore password from a file (first line) or, failing that, the environment."""
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise WalletError(f"Cannot read a password from {password_file}.") from exc
    password = os.environ.get(env_var)
    if password is None:
        raise WalletError(f"No keystore password: pass --password-file or set {env_var}.")
    return password


class KeystoreDir:
    """A folder of named keystores (``<name>.json``) sharing one password file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def password_file(self) -> Path:
        return self.folder / ".password"

    def ensure_password(self) -> str:
        """The folder's password, generated (and kept owner-readable only) on first use."""
        if self.password_file.exists():
            return read_password(self.password_file)
        self.folder.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(24)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(password + "\n")
        return password

    def path(self, name: str) -> Path:
        if not name or "/" in name or name.startswith("."):
            raise WalletError(f"{name!r} is not a wallet name; use letters, digits, '-' or '_'.")
        return self.folder / f"{name}.json"

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def load(self, name: str) -> Wallet:
        path = self.path(name)
        if not path.exists():
            known = ", ".join(self.names()) or "none"
            raise WalletError(f"No wallet named {name!r} in {self.folder} (known: {known}).")
        return load_keystore(path, self.ensure_password())

    def load_or_create(self, name: str) -> Wallet:
        path = self.path(name)
        if path.exists():
            return load_keystore(path, self.ensure_password())
        return create_keystore(path, self.ensure_password())
