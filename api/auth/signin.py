"""Checking a signed EIP-4361 message with the ``siwe`` package: every refusal says why."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from eth_account.messages import defunct_hash_message
from eth_keys.exceptions import BadSignature
from eth_typing import ChecksumAddress
from siwe import SiweMessage
from siwe.siwe import (
    DomainMismatch,
    ExpiredMessage,
    InvalidSignature,
    NotYetValidMessage,
    SchemeMismatch,
    VerificationError,
)
from web3 import Web3

from api.auth.errors import SignInRefusedError
from api.auth.settings import MAX_MESSAGE_AGE_SECONDS, Site
from api.auth.store import AuthStore, NonceState
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.signatures import MAX_CONTRACT_SIGNATURE_BYTES, contract_accepts

# A wallet's clock may run a little ahead of the gateway's.
CLOCK_SKEW = timedelta(seconds=60)
_SIGNATURE = re.compile(r"^0x[0-9a-fA-F]{130}$")
# A contract wallet's signature (ERC-1271): any whole number of bytes up to the limit, none
# included (a Safe that approved the message on chain signs with "0x").
_CONTRACT_SIGNATURE = re.compile(rf"^0x(?:[0-9a-fA-F]{{2}}){{0,{MAX_CONTRACT_SIGNATURE_BYTES}}}$")
_MAX_AGE = timedelta(seconds=MAX_MESSAGE_AGE_SECONDS)
_HOW = "Get a new nonce (GET /auth/nonce) and sign a new message."


def parse(message: str) -> SiweMessage:
    """The message's fields; 422 if it is not an EIP-4361 message."""
    try:
        # The package's regular-expression parser: its ABNF parser takes time that grows
        # with the square of the length (an 8 KB message of junk held a worker for 17 s).
        return SiweMessage.from_message(message, abnf=False)
    except Exception as exc:  # the parser raises ValueError, pydantic's and its own errors
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInputError(
            "message is not an EIP-4361 sign-in message "
            f"({first[:200]}); build it with a SIWE library from GET /auth/nonce's fields."
        ) from None


def verify(
    message: str,
    signature: str,
    *,
    site: Site,
    chain_id: int,
    store: AuthStore,
    w3: Web3,
    now: datetime | None = None,
) -> SiweMessage:
    """The parsed message if it signs ``signature``'s wallet in at ``site`` on ``chain_id``
    now, using up its nonce; otherwise :class:`SignInRefusedError` with the reason.

    A wallet key signs with ``personal_sign``; a contract wallet (ERC-1271, a Safe say)
    signs in if its ``isValidSignature`` on ``w3`` accepts the signature of the message's
    EIP-191 hash, as EIP-4361 asks."""
    now = datetime.now(UTC) if now is None else now
    parsed = parse(message)
    if parsed.domain != site.domain or (parsed.scheme and parsed.scheme != site.scheme):
        shown = f"{parsed.scheme}://{parsed.domain}" if parsed.scheme else parsed.domain
        raise SignInRefusedError(
            f"The message signs in at {shown}, not at this gateway ({site.domain}); "
            "sign a message for this site.",
            "other_domain",
        )
    if not site.owns(str(parsed.uri)):
        raise SignInRefusedError(
            f"The message's URI {str(parsed.uri)[:200]} is not on this gateway ({site.url}); "
            "sign a message whose URI is this site's.",
            "other_uri",
        )
    if parsed.chain_id != chain_id:
        raise SignInRefusedError(
            f"The message is for chain {parsed.chain_id}, but this ledger runs on chain "
            f"{chain_id}; switch the wallet to chain {chain_id} and sign again.",
            "other_chain",
        )
    issued = parsed.issued_at._datetime
    if issued > now + CLOCK_SKEW:
        raise SignInRefusedError(
            f"The message says it was issued at {parsed.issued_at}, in the future; check the "
            "device's clock and sign again.",
            "not_yet_valid",
        )
    if now - issued > _MAX_AGE:
        raise SignInRefusedError(
            f"The message was issued at {parsed.issued_at}, more than five minutes ago. " + _HOW,
            "stale",
        )
    if not _SIGNATURE.match(signature) and not (
        _CONTRACT_SIGNATURE.match(signature) and w3.eth.get_code(parsed.address)
    ):
        raise SignInRefusedError(
            "The signature is not 65 bytes of 0x-prefixed hex (what personal_sign returns), "
            f"and {parsed.address} is no contract wallet to take another signature "
            f"(ERC-1271, at most {MAX_CONTRACT_SIGNATURE_BYTES:,} bytes); sign the message "
            "with the wallet and send its signature as is.",
            "bad_signature",
        )
    try:
        try:
            parsed.verify(signature, scheme=parsed.scheme, domain=site.domain, timestamp=now)
        except (InvalidSignature, BadSignature):
            if not _contract_signed(parsed, signature, w3):
                raise
    except ExpiredMessage:
        raise SignInRefusedError(
            f"The message expired at {parsed.expiration_time}. " + _HOW, "expired"
        ) from None
    except NotYetValidMessage:
        raise SignInRefusedError(
            f"The message is valid only from {parsed.not_before}; sign in then.", "not_yet_valid"
        ) from None
    except InvalidSignature:
        raise SignInRefusedError(
            f"The signature is not {parsed.address}'s signature of this message: the message "
            "was changed after it was signed, or another wallet signed it. Sign the message "
            "exactly as sent, with the wallet it names.",
            "tampered",
        ) from None
    except BadSignature:  # siwe lets eth-keys' error through for signatures of no key
        raise SignInRefusedError(
            "The signature recovers to no wallet at all; sign the message with the wallet and "
            "send its signature as is.",
            "bad_signature",
        ) from None
    except (DomainMismatch, SchemeMismatch, VerificationError) as exc:  # checked above
        raise SignInRefusedError(f"The message does not verify ({type(exc).__name__}).") from None
    state = store.use_nonce(parsed.nonce, now.timestamp())
    if state == NonceState.USED:
        raise SignInRefusedError(
            "This message was already used to sign in (its nonce is spent); a sign-in message "
            "works once. " + _HOW,
            "replayed",
        )
    if state == NonceState.EXPIRED:
        raise SignInRefusedError(
            "The message's nonce was given out more than five minutes ago. " + _HOW, "expired"
        )
    if state == NonceState.UNKNOWN:
        raise SignInRefusedError(
            f"This gateway never gave out the nonce {parsed.nonce[:64]!r}. " + _HOW,
            "unknown_nonce",
        )
    return parsed


def _contract_signed(parsed: SiweMessage, signature: str, w3: Web3) -> bool:
    """Whether the message's address is a contract wallet that accepts ``signature`` of the
    message (ERC-1271 over its EIP-191 hash)."""
    digest = bytes(defunct_hash_message(text=parsed.prepare_message()))
    return contract_accepts(w3, parsed.address, digest, bytes.fromhex(signature[2:]))


def expiry(parsed: SiweMessage, now: datetime, session_hours: float) -> datetime:
    """When a session from ``parsed`` ends: the gateway's session length, or earlier if the
    message says so."""
    end = now + timedelta(hours=session_hours)
    if parsed.expiration_time is not None:
        end = min(end, parsed.expiration_time._datetime)
    return end


def signer(parsed: SiweMessage) -> ChecksumAddress:
    return ChecksumAddress(parsed.address)
