"""Member profiles: who an address is, as a small JSON document whose hash is on chain.

The registry keeps one bytes32 ``metadata`` per member. A profile ``{"kind": ..., "name":
..., "note": ...}`` is that metadata when its keccak-256 over the canonical encoding
(sorted keys, no spaces, UTF-8, no note key when there is none) equals it. Documents live
in a content-addressed :class:`ProfileStore` (``<data folder>/profiles/<hash>.json``); the
store also remembers which profile was written for which account, so a profile whose hash
is not (or no longer) the account's metadata can be shown marked as unverified rather
than silently trusted or dropped.

:func:`match_profile` is what readers call (the CLI, the index): it says whether the
metadata of an account is ``matched`` by a stored document, whether the store holds a
profile for it that does not match (``mismatch``), or whether there is none (``missing``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak

from rdh_chain.exceptions import InvalidInputError, RdhChainError
from rdh_chain.validation import to_address

__all__ = [
    "MAX_NAME_LENGTH",
    "MAX_NOTE_LENGTH",
    "MatchStatus",
    "Profile",
    "ProfileError",
    "ProfileKind",
    "ProfileMatch",
    "ProfileStore",
    "match_profile",
    "match_profiles",
]

MAX_NAME_LENGTH = 120
MAX_NOTE_LENGTH = 1_000
_KEYS = frozenset({"kind", "name", "note"})


class ProfileError(InvalidInputError):
    """A profile document that cannot be read: not JSON, a missing or unknown key, a bad kind."""


class ProfileKind(StrEnum):
    """What a member is, as people say it (roles say what it may do; a kind can differ:
    the platform is a partner by role)."""

    ME = "me"
    PARTNER = "partner"
    PLATFORM = "platform"
    OPERATOR = "operator"
    AUDITOR = "auditor"
    STEWARD = "steward"
    TREASURY = "treasury"


@dataclass(frozen=True, slots=True)
class Profile:
    """A member's name, kind and an optional note."""

    name: str
    kind: ProfileKind
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ProfileError("A profile needs a name: a non-empty text.")
        if self.name != self.name.strip():
            raise ProfileError(f"Profile name {self.name!r} has leading or trailing spaces.")
        if len(self.name) > MAX_NAME_LENGTH:
            raise ProfileError(
                f"Profile name is {len(self.name)} characters long; at most {MAX_NAME_LENGTH}."
            )
        if not isinstance(self.kind, ProfileKind):
            raise ProfileError(f"Profile kind {self.kind!r} is not one of {_kinds()}.")
        if self.note is not None:
            if not isinstance(self.note, str) or not self.note.strip():
                raise ProfileError("A profile's note, if given, must be a non-empty text.")
            if len(self.note) > MAX_NOTE_LENGTH:
                raise ProfileError(
                    f"Profile note is {len(self.note)} characters long; at most {MAX_NOTE_LENGTH}."
                )

    def as_dict(self) -> dict[str, str]:
        """The document's fields; ``note`` only when there is one."""
        data = {"kind": self.kind.value, "name": self.name}
        if self.note is not None:
            data["note"] = self.note
        return data

    def canonical(self) -> bytes:
        """Sorted keys, no spaces, UTF-8 (not ASCII escapes): the bytes that are hashed."""
        return json.dumps(
            self.as_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    @property
    def hash(self) -> bytes:
        """keccak-256 of :meth:`canonical`: what the registry's metadata must be."""
        return keccak(self.canonical())

    @classmethod
    def parse(cls, document: str | bytes) -> Profile:
        """A profile from JSON text (any spacing or key order); ProfileError says what is wrong."""
        try:
            text = document.decode("utf-8") if isinstance(document, bytes) else document
            data = json.loads(text)
        except UnicodeDecodeError as exc:
            raise ProfileError(f"A profile document must be UTF-8 ({exc}).") from exc
        except json.JSONDecodeError as exc:
            raise ProfileError(f"A profile document must be JSON: {exc}.") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> Profile:
        if not isinstance(data, dict):
            raise ProfileError(
                'A profile document is a JSON object such as {"kind": "me", "name": "..."}.'
            )
        unknown = sorted(set(data) - _KEYS)
        if unknown:
            raise ProfileError(
                f"Unknown profile key(s) {', '.join(unknown)}; a profile has kind, name "
                "and an optional note."
            )
        for key in ("name", "kind"):
            if key not in data:
                raise ProfileError(f"A profile document needs {key!r}.")
        for key in ("name", "kind", "note"):
            if key in data and not isinstance(data[key], str):
                raise ProfileError(f"Profile {key!r} must be a string, not {data[key]!r}.")
        try:
            kind = ProfileKind(data["kind"])
        except ValueError:
            raise ProfileError(f"Profile kind {data['kind']!r} is not one of {_kinds()}.") from None
        return cls(name=data["name"], kind=kind, note=data.get("note"))


def _kinds() -> str:
    return ", ".join(k.value for k in ProfileKind)


class MatchStatus(StrEnum):
    MATCHED = "matched"  # a stored document hashes to the account's metadata
    MISMATCH = "mismatch"  # the store's profile for it does not hash to its metadata
    MISSING = "missing"  # no document for this metadata nor for this account


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    """What the store says about one account's (or one metadata's) profile."""

    status: MatchStatus
    metadata: bytes
    profile: Profile | None = None
    # The hash of the document found; equals ``metadata`` only when matched.
    document_hash: bytes | None = None

    @property
    def trusted(self) -> bool:
        return self.status is MatchStatus.MATCHED

    @property
    def label(self) -> str | None:
        """The name to show: as is when matched, marked when it does not match."""
        if self.profile is None:
            return None
        if self.trusted:
            return self.profile.name
        return f"{self.profile.name} (unverified)"


class ProfileStore:
    """Profile documents in a folder, each in ``<keccak hex>.json`` (its canonical bytes).

    ``accounts.json`` maps an address to the hash of the last profile written for it, so a
    profile that was written but not (yet) recorded on chain is found as a mismatch.
    """

    ACCOUNTS_FILE = "accounts.json"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ProfileStore:
        return cls(data_dir / "profiles")

    def path(self, digest: bytes) -> Path:
        return self.folder / f"{digest.hex()}.json"

    def put(self, profile: Profile, account: ChecksumAddress | None = None) -> bytes:
        """Store ``profile`` (and, with ``account``, that it is that account's); its hash."""
        digest = profile.hash
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.path(digest), profile.canonical())
            if account is not None:
                accounts = self._accounts()
                accounts[to_address(account)] = digest.hex()
                _write_atomic(
                    self.folder / self.ACCOUNTS_FILE,
                    (json.dumps(accounts, indent=2, sort_keys=True) + "\n").encode(),
                )
        except OSError as exc:
            raise RdhChainError(
                f"Cannot write the profile store {self.folder}: {exc.strerror or exc}; "
                "check the data folder's permissions."
            ) from exc
        return digest

    def get(self, digest: bytes) -> Profile | None:
        """The document stored under ``digest`` if it is there and hashes to it.

        A file whose content does not hash to its name (edited, corrupted) is not returned
        (see :meth:`read` for why).
        """
        found = self.read(digest)
        return found[0] if found is not None and found[1] == digest else None

    def read(self, digest: bytes) -> tuple[Profile, bytes] | None:
        """The profile in the file named ``digest`` and the hash of its canonical form;
        None if there is no such file or it is not a profile."""
        try:
            raw = self.path(digest).read_bytes()
        except OSError:
            return None
        try:
            profile = Profile.parse(raw)
        except ProfileError:
            return None
        return profile, profile.hash

    def claimed(self, account: ChecksumAddress) -> bytes | None:
        """The hash of the last profile written for ``account``, if any."""
        return _digest(self._accounts().get(account))

    def claims(self) -> dict[str, bytes]:
        """Every account's last written profile hash (``accounts.json``, read once)."""
        out = {}
        for account, text in self._accounts().items():
            digest = _digest(text)
            if digest is not None:
                out[account] = digest
        return out

    def _accounts(self) -> dict[str, str]:
        try:
            data = json.loads((self.folder / self.ACCOUNTS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items()}


def match_profile(
    metadata: bytes,
    store: ProfileStore,
    account: ChecksumAddress | None = None,
    *,
    claims: Mapping[str, bytes] | None = None,
) -> ProfileMatch:
    """Whether ``metadata`` (an account's on-chain metadata) is a stored profile's hash.

    ``matched``: a document hashing to it is stored. ``mismatch``: the file named after it
    holds a document that hashes otherwise, or (with ``account``) the profile last written
    for the account is not it; the profile is returned but must not be trusted.
    ``missing``: neither. ``claims`` is :meth:`ProfileStore.claims`, read once by callers
    matching many accounts.
    """
    found = store.read(metadata)
    if found is not None:
        profile, digest = found
        if digest == metadata:
            return ProfileMatch(MatchStatus.MATCHED, metadata, profile, digest)
        return ProfileMatch(MatchStatus.MISMATCH, metadata, profile, digest)
    if account is not None:
        claimed = store.claimed(account) if claims is None else claims.get(account)
        if claimed is not None:
            read = store.read(claimed)
            if read is not None:
                return ProfileMatch(MatchStatus.MISMATCH, metadata, read[0], read[1])
    return ProfileMatch(MatchStatus.MISSING, metadata)


def match_profiles(
    metadata: Mapping[ChecksumAddress, bytes] | Iterable[tuple[ChecksumAddress, bytes]],
    store: ProfileStore,
) -> dict[ChecksumAddress, ProfileMatch]:
    """:func:`match_profile` for each account's metadata."""
    pairs = metadata.items() if isinstance(metadata, Mapping) else metadata
    claims = store.claims()
    return {account: match_profile(meta, store, account, claims=claims) for account, meta in pairs}


def _digest(text: str | None) -> bytes | None:
    if text is None:
        return None
    try:
        digest = bytes.fromhex(text)
    except ValueError:
        return None
    return digest if len(digest) == 32 else None


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
