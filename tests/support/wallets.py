"""A contract wallet (ERC-1271) for tests that sign as one: put on the session's anvil."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import RPCEndpoint

from tests.contracts.helpers import one_key_wallet_runtime


def contract_wallet(
    w3: Web3, key: LocalAccount, at: ChecksumAddress | None = None
) -> ChecksumAddress:
    """A contract wallet (ERC-1271) accepting ``key``'s signatures of a hash, as a one-owner
    Safe does: its code put at ``at`` (a new address by default) with ``anvil_setCode``,
    which the session's snapshot takes back after the test."""
    address = at or Account.create().address
    code = "0x" + one_key_wallet_runtime(key.address).hex()
    reply = w3.provider.make_request(RPCEndpoint("anvil_setCode"), [address, code])
    assert "error" not in reply, reply
    return address
