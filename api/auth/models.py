"""What the sign-in routes take and return."""

from __future__ import annotations

from datetime import datetime

from eth_typing import ChecksumAddress
from pydantic import BaseModel, ConfigDict, Field

from api.models import RoleName
from rdh_chain.signatures import MAX_CONTRACT_SIGNATURE_BYTES

# A SIWE message is a few hundred characters; a few KB leaves room for resources.
MAX_MESSAGE_LENGTH = 8_192


class NoncePublic(BaseModel):
    """What a wallet needs to build the EIP-4361 message it signs."""

    model_config = ConfigDict(frozen=True)

    nonce: str = Field(description="Single-use; valid for five minutes.")
    domain: str = Field(description="The message's domain: this gateway's host[:port].")
    uri: str = Field(description="The message's URI: this gateway's URL.")
    chain_id: int = Field(description="The message's Chain ID: this ledger's chain.")
    version: str = "1"
    statement: str = "Sign in to the rdh-chain ledger."
    issued_at: datetime
    expires_at: datetime = Field(description="Sign and send the message before this.")


class SiweSignIn(BaseModel):
    """A signed EIP-4361 message (``personal_sign`` of the message's text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str = Field(min_length=1, max_length=MAX_MESSAGE_LENGTH)
    signature: str = Field(
        min_length=1,
        max_length=2 + 2 * MAX_CONTRACT_SIGNATURE_BYTES,
        description="0x-prefixed hex: 65 bytes from a wallet key; a contract wallet's "
        "(ERC-1271) may be longer.",
        examples=["0x" + "ab" * 65],
    )


class ViewerPublic(BaseModel):
    """Who is signed in, and the registry roles that count for it now."""

    model_config = ConfigDict(frozen=True)

    address: ChecksumAddress
    roles: list[RoleName] = Field(description="Active roles; none while suspended.")
    admin: bool = Field(description="Holds the registry's admin role.")
    expires_at: datetime = Field(description="When the session ends; sign in again then.")


class SignedOutPublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    signed_out: bool = Field(description="Whether a session was ended (false: none was on).")
