"""The gateway's relayer: a wallet of its own that submits what anyone may submit.

Activating a share version needs every party's signature, but any wallet may send them
(``EMC.activateVersion``), so the gateway does it with a key of its own, never a
member's. The key is a standard keystore in the data folder (made on first use). Several
gateway worker processes share it: each send holds an exclusive lock on a file beside the
keystore and asks the node for the nonce afresh, so two workers never reuse a nonce.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eth_typing import ChecksumAddress
from web3 import Web3

from rdh_chain.reverts import RevertDecoder
from rdh_chain.tx import TxSender
from rdh_chain.wallet import KeystoreDir

RELAYER_WALLET = "gateway-relayer"


@contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Relayer:
    """Sends transactions as the gateway's own wallet, one process at a time."""

    def __init__(self, sender: TxSender, lock_file: Path) -> None:
        self._sender = sender
        self.lock_file = lock_file

    @classmethod
    def open(
        cls, w3: Web3, keystores: KeystoreDir, decoder: RevertDecoder, name: str = RELAYER_WALLET
    ) -> Relayer:
        """The relayer whose keystore is ``name`` in ``keystores`` (created on first use)."""
        lock_file = keystores.folder / f".{name}.lock"
        with _locked(lock_file):  # two workers starting at once make one key, not two
            wallet = keystores.load_or_create(name)
        return cls(TxSender(w3, wallet.account, decoder), lock_file)

    @property
    def address(self) -> ChecksumAddress:
        return self._sender.address

    @contextmanager
    def sending(self) -> Iterator[TxSender]:
        """The relayer's sender, for this process alone until the block ends."""
        with _locked(self.lock_file):
            self._sender.refresh()  # another worker may have sent since
            yield self._sender
