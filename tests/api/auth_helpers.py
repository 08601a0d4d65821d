"""Signing in to the gateway from a test, as a wallet in a browser does (EIP-4361).

The client is a TestClient or any httpx client of a running gateway; it keeps the cookie.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from httpx import Client
from siwe import SiweMessage
from siwe.siwe import ISO8601Datetime


def siwe_message(client: Client, account: LocalAccount, **fields: Any) -> str:
    """The EIP-4361 message for ``account`` from a fresh ``GET /auth/nonce``, built with the
    ``siwe`` package; ``fields`` override the gateway's (``domain``, ``chain_id``...).
    Datetimes given for ``issued_at``, ``expiration_time`` or ``not_before`` are written
    in ISO-8601."""
    offered = client.get("/auth/nonce")
    assert offered.status_code == 200, offered.text
    nonce = offered.json()
    values: dict[str, Any] = {
        "domain": nonce["domain"],
        "address": account.address,
        "uri": nonce["uri"],
        "version": nonce["version"],
        "chain_id": nonce["chain_id"],
        "issued_at": datetime.now(UTC),
        "nonce": nonce["nonce"],
        "statement": nonce["statement"],
    }
    values.update(fields)
    for key in ("issued_at", "expiration_time", "not_before"):
        if isinstance(values.get(key), datetime):
            values[key] = ISO8601Datetime.from_datetime(values[key])
    text: str = SiweMessage(**values).prepare_message()
    return text


def sign(account: LocalAccount, message: str) -> str:
    """``personal_sign`` of ``message`` by ``account``, as 0x-prefixed hex."""
    return "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def sign_in(client: Client, account: LocalAccount) -> None:
    """Signs ``client`` in as ``account`` (the client keeps the session cookie)."""
    message = siwe_message(client, account)
    answer = client.post(
        "/auth/siwe", json={"message": message, "signature": sign(account, message)}
    )
    assert answer.status_code == 200, answer.text


def sign_in_as_wallet(client: Client, wallet: ChecksumAddress, key: LocalAccount) -> None:
    """Signs ``client`` in as the contract ``wallet``, with ``key``'s signature."""
    message = siwe_message(client, key, address=wallet)
    answer = client.post("/auth/siwe", json={"message": message, "signature": sign(key, message)})
    assert answer.status_code == 200, answer.text
