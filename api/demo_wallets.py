"""The demo's wallets, for ``make run`` only: the page may sign as one of the seeded
members with the key in the data folder, clearly marked as a demo.

Off unless ``RDH_DEMO_WALLETS=true`` (``make run`` sets it); a real gateway never holds a
member's key, so a deployment leaves it off and these routes do not exist there. When on,
the page offers the demo members beside the browser wallet (EIP-1193), and every request
of the demo provider is answered here as a wallet would: ``personal_sign``,
``eth_signTypedData_v4`` and ``eth_sendTransaction``.
"""

from __future__ import annotations

import json
import threading
from typing import Annotated, Any, Literal

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from fastapi import APIRouter, Path
from hexbytes import HexBytes
from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.deps import IndexDep, LedgerDep, SettingsDep
from api.errors import ERROR_RESPONSES
from api.models import _Public
from rdh_chain.exceptions import InvalidInputError, NotFoundError, WalletError
from rdh_chain.index import queries
from rdh_chain.structs import checksum
from rdh_chain.tx import gas_price

router = APIRouter(prefix="/demo", tags=["demo"], responses=ERROR_RESPONSES)

# One at a time: a demo wallet's nonce is read from the chain for each transaction.
_SEND_LOCK = threading.Lock()


class DemoSettings(BaseSettings):
    """``RDH_DEMO_WALLETS``: offer the seeded demo members' wallets on the page."""

    model_config = SettingsConfigDict(env_prefix="RDH_DEMO_", frozen=True)

    wallets: bool = False


class DemoWalletPublic(_Public):
    """A seeded demo member whose key the demo's data folder holds."""

    name: str = Field(description="The wallet's name in the data folder's keystores.")
    label: str = Field(description="Who it is (its profile's name).")
    kind: str | None
    roles: list[str]
    address: str


class DemoWalletsPublic(_Public):
    demo: Literal[True] = True
    warning: str
    wallets: list[DemoWalletPublic]


WalletName = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$", description="A demo wallet.")]


class WalletRequest(BaseModel):
    """An EIP-1193 request, as the page's demo provider forwards it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: Literal[
        "eth_requestAccounts", "eth_accounts", "eth_chainId", "personal_sign",
        "eth_signTypedData_v4", "eth_sendTransaction",
    ]  # fmt: skip
    params: list[Any] = Field(default_factory=list, max_length=4)


class WalletAnswer(BaseModel):
    result: Any


WARNING = (
    "Demo wallets: the seeded members' keys are in this computer's data folder and the "
    "gateway signs with them. Only for the local demo (make run); a real ledger has no such "
    "wallets: use your own browser wallet."
)


def _wallet(settings: SettingsDep, name: str) -> LocalAccount:
    try:
        return settings.keystores.load(name).account
    except WalletError as exc:
        raise NotFoundError(
            f"No demo wallet {name!r}; GET /demo/wallets lists them. {exc}"
        ) from exc


def _keystore_address(settings: SettingsDep, name: str) -> ChecksumAddress | None:
    try:
        raw = json.loads(settings.keystores.path(name).read_text())
        return checksum("0x" + str(raw["address"]).removeprefix("0x"))
    except (OSError, ValueError, KeyError, WalletError):
        return None


@router.get("/wallets", summary="The demo's seeded wallets (make run only)")
def list_wallets(settings: SettingsDep, index: IndexDep) -> DemoWalletsPublic:
    """The registered members whose keystores are in the data folder, with their names."""
    found = {
        name: address
        for name in settings.keystores.names()
        if (address := _keystore_address(settings, name)) is not None
    }
    with index.view() as view:
        members = {m.address: m for m in queries.members(view.session, list(found.values()))}
    wallets = []
    for name, address in found.items():
        member = members.get(address)
        if member is None or not member.active:
            continue  # not a registered member (the relayer's wallet, say)
        kind = member.profile.kind
        wallets.append(
            DemoWalletPublic(
                name=name,
                label=member.profile.label or name,
                kind=None if kind is None else kind.value,
                roles=list(member.roles),
                address=address,
            )
        )
    return DemoWalletsPublic(warning=WARNING, wallets=wallets)


def _hex_signature(signature: bytes) -> str:
    return "0x" + bytes(signature).hex()


@router.post("/wallets/{name}/request", summary="Sign as a demo wallet (make run only)")
def wallet_request(
    settings: SettingsDep, ledger: LedgerDep, name: WalletName, body: WalletRequest
) -> WalletAnswer:
    """Answers one EIP-1193 request as the demo wallet ``name`` would: its account, the
    chain, a ``personal_sign`` or ``eth_signTypedData_v4`` signature, or a transaction
    signed and sent (its hash)."""
    account = _wallet(settings, name)
    w3 = ledger.w3
    method, params = body.method, body.params
    if method in ("eth_requestAccounts", "eth_accounts"):
        return WalletAnswer(result=[account.address])
    if method == "eth_chainId":
        return WalletAnswer(result=hex(ledger.deployment.chain_id))
    if method == "personal_sign":
        message = str(params[0]) if params else ""
        raw = bytes(HexBytes(message)) if message.startswith("0x") else message.encode()
        signed = account.sign_message(encode_defunct(primitive=raw))
        return WalletAnswer(result=_hex_signature(signed.signature))
    if method == "eth_signTypedData_v4":
        if len(params) < 2:
            raise InvalidInputError("eth_signTypedData_v4 takes [address, typed data].")
        typed = json.loads(params[1]) if isinstance(params[1], str) else params[1]
        signed = Account.sign_typed_data(account.key, full_message=typed)
        return WalletAnswer(result=_hex_signature(signed.signature))
    # eth_sendTransaction: the gateway's unsigned transaction, signed with the demo key.
    tx = params[0] if params and isinstance(params[0], dict) else None
    if tx is None or not tx.get("to"):
        raise InvalidInputError("eth_sendTransaction takes [{to, data, ...}].")
    if str(tx.get("from", account.address)).lower() != account.address.lower():
        raise InvalidInputError(f"The demo wallet {name!r} is {account.address}, not {tx['from']}.")

    def number(key: str, default: int) -> int:
        value = tx.get(key)
        if value is None:
            return default
        return int(value, 16) if isinstance(value, str) else int(value)

    with _SEND_LOCK:
        unsigned: dict[str, Any] = {
            "to": w3.to_checksum_address(tx["to"]),
            "data": tx.get("data", "0x"),
            "value": number("value", 0),
            "chainId": ledger.deployment.chain_id,
            "nonce": w3.eth.get_transaction_count(account.address, "pending"),
            "gasPrice": number("gasPrice", gas_price(w3)),
            "gas": number("gas", 3_000_000),
        }
        signed_tx = account.sign_transaction(unsigned)
        tx_hash = w3.eth.send_raw_transaction(signed_tx.raw_transaction)
    return WalletAnswer(result="0x" + bytes(tx_hash).hex())
