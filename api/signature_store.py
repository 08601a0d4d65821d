"""The parties' signatures of proposed share versions, kept until the version is activated.

The EMC takes every party's signature in one ``activateVersion`` call, so the gateway keeps
each one as it arrives. They live in the database of the sign-in store (``api.auth.store``:
SQLite in WAL mode in the data folder, or PostgreSQL), so every gateway worker process sees
the same ones and they survive a restart. A signature is keyed by the digest it signs: the
digest binds the chain id, the EMC, the version id, its entries, document, nonce and
deadline, so one kept from a chain that was reset (a new deployment at the same addresses)
is never mistaken for a signature of the version there now.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address
from sqlalchemy import BigInteger, Float, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class _Base(DeclarativeBase):
    pass


class SignatureRow(_Base):
    __tablename__ = "relay_version_signatures"

    digest: Mapped[str] = mapped_column(String(66), primary_key=True)
    signer: Mapped[str] = mapped_column(String(42), primary_key=True)
    emc: Mapped[str] = mapped_column(String(42), index=True)
    version_id: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[str] = mapped_column(String(132))  # 65 bytes, normalized, 0x-hex
    signed_at: Mapped[float] = mapped_column(Float)


@dataclass(frozen=True)
class StoredSignature:
    """A party's normalized signature of ``digest`` (a version of ``emc``), and when the
    gateway received it (a Unix time)."""

    digest: bytes
    emc: ChecksumAddress
    version_id: int
    signer: ChecksumAddress
    signature: bytes
    signed_at: float


class SignatureStore:
    """The signatures table in the database ``engine`` gives (made on first use)."""

    def __init__(self, engine: Callable[[], Engine]) -> None:
        self._engine = engine
        self._ready: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        engine = self._engine()
        if engine is not self._ready:
            with self._lock:
                if engine is not self._ready:
                    try:
                        _Base.metadata.create_all(engine)
                    except (OperationalError, ProgrammingError):
                        # Another worker made the table at the same moment: it is there now.
                        _Base.metadata.create_all(engine)
                    self._ready = engine
        return engine

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    def record(self, signature: StoredSignature) -> None:
        """Keep ``signature``, replacing one the same party gave for the same digest."""
        row = SignatureRow(
            digest="0x" + signature.digest.hex(),
            signer=signature.signer,
            emc=signature.emc,
            version_id=signature.version_id,
            signature="0x" + signature.signature.hex(),
            signed_at=signature.signed_at,
        )
        try:
            with self._session() as session:
                session.merge(row)
        except IntegrityError:  # another worker inserted the same key between merge's steps
            with self._session() as session:
                session.merge(row)

    def signatures(self, digest: bytes) -> list[StoredSignature]:
        """The signatures of ``digest``, by signer (ascending address: the contract's order)."""
        with self._session() as session:
            rows = session.scalars(
                select(SignatureRow).where(SignatureRow.digest == "0x" + digest.hex())
            ).all()
            found = [
                StoredSignature(
                    digest=digest,
                    emc=to_checksum_address(r.emc),
                    version_id=r.version_id,
                    signer=to_checksum_address(r.signer),
                    signature=bytes.fromhex(r.signature[2:]),
                    signed_at=r.signed_at,
                )
                for r in rows
            ]
        return sorted(found, key=lambda s: int(s.signer, 16))
