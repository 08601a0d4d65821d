"""What the relaying routes do: keep the parties' signatures, activate a version with the
gateway's own wallet once every party has signed, relay members' signed transactions and
say where a transaction is.

The gateway never holds a member's key. Members sign in their wallets: the typed data of
a version (kept here until every party has signed), or a transaction the gateway built
for them (``EmcClient.claim_tx`` and the like) that their wallet sends, or that they post
back signed to be relayed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import rlp
from eth_account import Account
from eth_account.typed_transactions.typed_transaction import TypedTransaction
from eth_typing import ChecksumAddress, HexStr
from eth_utils.address import to_checksum_address
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from hexbytes import HexBytes
from sqlalchemy.engine import Engine
from web3.exceptions import ContractLogicError, TransactionNotFound, Web3RPCError
from web3.types import TxParams, TxReceipt, Wei

from api.auth.errors import ForbiddenError
from api.history_models import HistoryRowPublic
from api.index import IndexReader, IndexView
from api.models import ErrorPublic, VersionStatusName
from api.relay_models import (
    ActivationPublic,
    PartySignaturePublic,
    TxEventPublic,
    TxReceiptPublic,
    TxStatusPublic,
    VersionSignaturesPublic,
)
from api.signature_store import SignatureStore, StoredSignature
from rdh_chain import events
from rdh_chain.agreements import typed_data_digest, typed_data_parties, version_typed_data
from rdh_chain.config import Settings
from rdh_chain.contracts import EmcClient
from rdh_chain.events import RawLog
from rdh_chain.exceptions import (
    ContractRevertError,
    InvalidInputError,
    InvalidSignatureError,
    NotFoundError,
    RdhChainError,
)
from rdh_chain.history import build_history
from rdh_chain.index import queries
from rdh_chain.ledger import Ledger
from rdh_chain.pinned_reads import PinnedReads
from rdh_chain.relayer import Relayer
from rdh_chain.signatures import (
    contract_accepts,
    normalize_signature,
    recover_signer,
    signature_bytes,
)
from rdh_chain.tx import revert_data
from rdh_chain.types import PartySignature, Version, VersionStatus


class RelayError(RdhChainError):
    """A refusal of the relaying routes, answered with ``status``."""

    status = 409


class VersionClosedError(RelayError):
    """The version can no longer be signed or activated (409)."""


class DeadlinePassedError(RelayError):
    """A deadline already behind the chain's latest block (409)."""


class RelayRefusedError(InvalidInputError):
    """A raw transaction the gateway will not relay (422)."""


# -- the app's relaying state ---------------------------------------------------------


class RelayState:
    """The app's signature store and its relayer wallet (opened on first use, per process)."""

    def __init__(self, settings: Settings, engine: Callable[[], Engine]) -> None:
        self.settings = settings
        self.store = SignatureStore(engine)
        self._relayer: Relayer | None = None
        self._lock = threading.Lock()

    def relayer(self, ledger: Ledger) -> Relayer:
        relayer = self._relayer
        if relayer is None:
            with self._lock:
                if self._relayer is None:
                    self._relayer = Relayer.open(ledger.w3, self.settings.keystores, ledger.decoder)
                relayer = self._relayer
        return relayer


# -- signatures and activation --------------------------------------------------------


@dataclass(frozen=True)
class _TxFields:
    chain_id: int | None
    to: ChecksumAddress | None
    data: HexStr
    value: int
    nonce: int


@dataclass(frozen=True)
class _Activated:
    transaction_hash: bytes
    block_number: int


def _status_name(version: Version) -> VersionStatusName:
    return cast(VersionStatusName, version.status.name.lower())


@dataclass(frozen=True)
class VersionRead:
    """A version as one block saw it: its header, entries, parties (signing order), digest
    and typed data, how many versions had been activated, and the block's time."""

    version: Version
    parties: list[ChecksumAddress]
    digest: bytes
    typed: dict[str, Any]
    activations: int
    block_time: int


def read_version(emc: EmcClient, version_id: int, chain_id: int) -> VersionRead:
    """``version_id`` read at the latest block in one JSON-RPC batch (two when a version is
    active, for its epoch); the typed data is checked against the contract's digest."""
    block = emc.w3.eth.get_block("latest")
    reads = PinnedReads(emc.w3, int(block["number"]))
    for fn_name in ("version", "versionDigest"):
        reads.add(emc, fn_name, version_id)
    reads.add(emc, "activeVersionId")
    raw_version, raw_digest, active = reads.execute()
    # The document hash and the entries are in the proposal's log, checked against the
    # header's struct hash and share root.
    version = emc.version_from_header(version_id, raw_version)
    tree = emc.share_tree(version_id, block=reads.block)
    entries = list(tree.entries)
    activations = 0
    if int(active):
        again = PinnedReads(emc.w3, reads.block)
        again.add(emc, "version", int(active))
        (raw_active,) = again.execute()
        activations = int(raw_active["epoch"]) + 1
    typed = version_typed_data(chain_id, emc.address, version, entries)
    digest = bytes(raw_digest)
    if typed_data_digest(typed) != digest:
        raise RdhChainError(
            f"typed data of version {version_id} does not match the contract's digest; "
            "the SDK and the deployed contracts disagree (rebuild and redeploy)"
        )
    return VersionRead(
        version=version,
        parties=typed_data_parties(typed),
        digest=digest,
        typed=typed,
        activations=activations,
        block_time=int(block["timestamp"]),
    )


def _activation_log(
    ledger: Ledger, index: IndexReader | None, emc: EmcClient, version_id: int
) -> _Activated | None:
    """The transaction that activated ``version_id``: from the index when it has it, else
    from the chain's logs."""
    if index is not None:
        with index.view_if_synced() as view:
            if view is not None:
                found = queries.decoded_logs(
                    view.session, emc=emc.address, names=["VersionActivated"]
                )
                for decoded in found:
                    event = decoded.event
                    if (
                        isinstance(event, events.VersionActivated)
                        and event.version_id == version_id
                    ):
                        return _Activated(decoded.log.transaction_hash, decoded.log.block_number)
    decoder = ledger.event_decoder
    (topic,) = (
        t for t in decoder.topics if (decoder.signature(t) or "").startswith("VersionActivated(")
    )
    head = int(ledger.w3.eth.block_number)
    logs = events.fetch_logs(
        ledger.w3.provider, ledger.deployment.block, head, [emc.address], [topic]
    )
    for decoded in decoder.decode_all(logs):
        event = decoded.event
        if isinstance(event, events.VersionActivated) and event.version_id == version_id:
            return _Activated(decoded.log.transaction_hash, decoded.log.block_number)
    return None


def signatures_of(
    ledger: Ledger,
    emc: EmcClient,
    version_id: int,
    state: RelayState,
    names: dict[ChecksumAddress, str],
    *,
    read: VersionRead | None = None,
    index: IndexReader | None = None,
    refused: str | None = None,
    relayed: _Activated | None = None,
) -> VersionSignaturesPublic:
    """Who has signed ``version_id`` and who has not, and its activation (``read``: the
    version as the caller just read it)."""
    read = read or read_version(emc, version_id, ledger.deployment.chain_id)
    version, parties, digest = read.version, read.parties, read.digest
    stored = {s.signer: s for s in state.store.signatures(digest)}
    in_force = version.status in (VersionStatus.ACTIVE, VersionStatus.SUPERSEDED)
    relayer = state.relayer(ledger).address
    if in_force:
        activated = relayed or _activation_log(ledger, index, emc, version_id)
        activation = ActivationPublic(
            state="activated",
            detail=f"In force from period {version.from_period}.",
            transaction_hash=None if activated is None else "0x" + activated.transaction_hash.hex(),
            block_number=None if activated is None else activated.block_number,
            activated_at=datetime.fromtimestamp(version.activated_at, UTC),
            relayer=relayer,
        )
        signed = list(parties)  # the EMC checked every party's signature
    else:
        signed = [p for p in parties if p in stored]
        waiting = len(signed) < len(parties)
        activation = ActivationPublic(
            state="waiting" if waiting and refused is None else "refused",
            detail=refused
            or (
                f"Waiting for {len(parties) - len(signed)} of {len(parties)} parties to sign; "
                "the gateway activates the version once the last one has."
            ),
            transaction_hash=None,
            block_number=None,
            activated_at=None,
            relayer=relayer,
        )
    return VersionSignaturesPublic(
        emc=emc.address,
        version_id=version_id,
        status=_status_name(version),
        digest="0x" + digest.hex(),
        deadline=datetime.fromtimestamp(version.deadline, UTC),
        parties=[
            PartySignaturePublic(
                address=p,
                name=names.get(p),
                signed=p in signed,
                signed_at=None
                if p not in stored
                else datetime.fromtimestamp(stored[p].signed_at, UTC),
            )
            for p in parties
        ],
        signed=signed,
        missing=[p for p in parties if p not in signed],
        activation=activation,
    )


def check_open(emc: EmcClient, version_id: int, read: VersionRead) -> None:
    """409 saying why, unless the version can still be signed and activated."""
    version = read.version
    where = f"version {version_id} of EMC {emc.address}"
    if version.status is not VersionStatus.PROPOSED:
        raise VersionClosedError(
            f"{where} is {version.status.name.lower()}, not proposed: there is nothing left "
            "to sign. Read its signers with GET .../signatures."
        )
    if read.block_time > version.deadline:
        shown = datetime.fromtimestamp(version.deadline, UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise VersionClosedError(
            f"{where} could be activated until {shown}, which has passed; ask the owner to "
            "propose it again."
        )
    if version.nonce != read.activations:
        raise VersionClosedError(
            f"{where} is stale: another version was activated after it was proposed, so its "
            "signatures can no longer count. Ask the owner to propose it again."
        )


def accept_signature(
    emc: EmcClient,
    version_id: int,
    read: VersionRead,
    viewer: ChecksumAddress,
    signature: str,
    state: RelayState,
) -> StoredSignature:
    """The viewer's signature of ``version_id``, checked and kept.

    The viewer must be a party (403); the signature is normalized (v 0/1, EIP-2098 compact)
    and must recover to the viewer over this version's digest on this chain (422 otherwise:
    a signature of another chain id, EMC or version recovers to another address), or the
    viewer is a contract wallet whose ERC-1271 ``isValidSignature`` accepts it over that
    digest, as the EMC will ask it (kept as given)."""
    parties = read.parties
    if viewer not in parties:
        raise ForbiddenError(
            f"{viewer} is not a party of version {version_id} of EMC {emc.address}; only "
            f"the wallets it names sign it ({', '.join(parties)}).",
            "not_a_party",
        )
    check_open(emc, version_id, read)
    kept_bytes = _party_signature(emc, version_id, read, viewer, signature)
    kept = StoredSignature(
        digest=read.digest,
        emc=emc.address,
        version_id=version_id,
        signer=viewer,
        signature=kept_bytes,
        signed_at=time.time(),
    )
    state.store.record(kept)
    return kept


def _party_signature(
    emc: EmcClient, version_id: int, read: VersionRead, viewer: ChecksumAddress, signature: str
) -> bytes:
    """The bytes to keep of ``viewer``'s ``signature`` of the version: a key's normalized, a
    contract wallet's as given; :class:`InvalidSignatureError` saying why for neither."""
    digest, chain = read.digest, read.typed["domain"]["chainId"]
    refusal: InvalidSignatureError | None = None
    signer: ChecksumAddress | None = None
    try:
        normalized = normalize_signature(signature)
        signer = recover_signer(digest, normalized)
    except InvalidSignatureError as exc:
        refusal = exc
    if signer == viewer:
        return normalized
    typed_data_url = f"GET /emcs/{emc.address}/versions/{version_id}/typed-data"
    if emc.w3.eth.get_code(viewer):
        raw = signature_bytes(signature)
        if not contract_accepts(emc.w3, viewer, digest, raw):
            raise InvalidSignatureError(
                f"The contract wallet {viewer} does not accept this signature of version "
                f"{version_id} on chain {chain}: its isValidSignature (ERC-1271) refuses it "
                f"over the version's digest. Have the wallet sign the typed data from "
                f"{typed_data_url}."
            )
        return raw  # the EMC hands it to the wallet's isValidSignature as is
    if refusal is not None:
        raise refusal
    raise InvalidSignatureError(
        f"This signature is not {viewer}'s signature of version {version_id} on chain "
        f"{chain} (it recovers to {signer}): it signs other data, such as another chain id, "
        f"EMC or version. Sign the typed data from {typed_data_url} with the signed-in wallet."
    )


def all_signed(read: VersionRead, state: RelayState) -> bool:
    """Whether the store holds a signature of every party of the version ``read``."""
    stored = {s.signer for s in state.store.signatures(read.digest)}
    return all(p in stored for p in read.parties)


def activate(
    ledger: Ledger, emc: EmcClient, version_id: int, state: RelayState
) -> tuple[_Activated | None, str | None]:
    """Activate ``version_id`` with the relayer if every party has signed.

    Returns the activation (None if some signature is missing or another worker did it
    first) and, when the EMC refuses it, why. Runs under the relayer's lock and reads the
    version again there, so it is activated once however many workers see its last
    signature at the same moment."""
    relayer = state.relayer(ledger)
    with relayer.sending() as sender:
        read = read_version(emc, version_id, ledger.deployment.chain_id)
        if read.version.status is not VersionStatus.PROPOSED:
            return None, None
        stored = {s.signer: s for s in state.store.signatures(read.digest)}
        parties = read.parties
        if any(p not in stored for p in parties):
            return None, None
        signatures = [PartySignature(p, stored[p].signature) for p in parties]
        try:
            # Packed against the digest the signatures were checked and stored under.
            result = emc.with_sender(sender).activate_version(
                version_id, signatures, digest=read.digest
            )
        except ContractRevertError as exc:
            return None, f"Every party has signed, but the EMC refuses the activation: {exc}"
    return _Activated(bytes(result.tx_hash), result.block_number), None


# -- relayed transactions -------------------------------------------------------------


def ledger_contracts(ledger: Ledger, to: ChecksumAddress) -> bool:
    """Whether ``to`` is one of the deployment's contracts or one of its EMCs."""
    d = ledger.deployment
    if to in (d.registry, d.token, d.factory, d.guidelines):
        return True
    return ledger.factory.is_emc(to)


def parse_raw_transaction(raw: str) -> tuple[ChecksumAddress, _TxFields]:
    """The signer of a signed transaction (0x-hex) and the fields the relay checks;
    :class:`RelayRefusedError` for anything that is not one."""
    try:
        payload = HexBytes(raw)
        sender = ChecksumAddress(Account.recover_transaction(payload))
        return sender, _decoded_tx(payload)
    except Exception as exc:
        raise RelayRefusedError(
            f"This is not a signed transaction ({type(exc).__name__}); send the 0x-hex bytes "
            "a wallet's eth_signTransaction returns."
        ) from exc


def relay_raw(ledger: Ledger, viewer: ChecksumAddress, raw: str) -> HexBytes:
    """Send ``raw`` (signed by the viewer, for this chain, to one of the ledger's contracts)
    after simulating it; a transaction bound to revert raises its decoded error and is not
    sent. Returns its hash."""
    sender, tx = parse_raw_transaction(raw)
    payload = HexBytes(raw)
    chain_id = int(ledger.w3.eth.chain_id)
    if tx.chain_id != chain_id:
        signed_for = "no chain (pre-EIP-155)" if tx.chain_id is None else f"chain {tx.chain_id}"
        raise RelayRefusedError(
            f"This transaction is signed for {signed_for}, not this ledger's chain {chain_id}; "
            f"sign it again on chain {chain_id}."
        )
    if sender != viewer:
        raise RelayRefusedError(
            f"This transaction is signed by {sender}, not by the signed-in wallet {viewer}; "
            "the gateway relays only your own transactions."
        )
    if tx.to is None or not ledger_contracts(ledger, tx.to):
        raise RelayRefusedError(
            f"This transaction goes to {tx.to or 'no address (a contract creation)'}, which is "
            "not one of this ledger's contracts; the gateway relays only transactions to them."
        )
    expected = int(ledger.w3.eth.get_transaction_count(sender, "pending"))
    if tx.nonce != expected:
        why = "it was sent already" if tx.nonce < expected else "one before it is missing"
        raise RelayRefusedError(
            f"This transaction's nonce is {tx.nonce}, but {sender}'s next is {expected}: "
            f"{why}; build the transaction again (POST .../tx/...) and sign that."
        )
    call: TxParams = {"from": sender, "to": tx.to, "data": tx.data, "value": Wei(tx.value)}
    try:
        ledger.w3.eth.call(call)
    except ContractLogicError as exc:
        raise ledger.decoder.decode(revert_data(exc), action="the relayed transaction") from exc
    try:
        return HexBytes(ledger.w3.eth.send_raw_transaction(payload))
    except (Web3RPCError, ValueError) as exc:
        raise RelayRefusedError(
            f"The node refused the transaction ({exc}); build it again (its nonce or gas may "
            "be stale) and sign it anew."
        ) from exc


def _decoded_tx(payload: HexBytes) -> _TxFields:
    """The fields of a signed transaction that the relay checks (legacy or EIP-2718 typed)."""
    if payload and payload[0] <= 0x7F:  # an EIP-2718 type byte
        fields = TypedTransaction.from_bytes(payload).as_dict()
        to = fields.get("to")
        return _TxFields(
            chain_id=int(fields["chainId"]),
            to=ChecksumAddress(to_checksum_address(to)) if to else None,
            data=HexStr("0x" + bytes(fields.get("data", b"")).hex()),
            value=int(fields.get("value", 0)),
            nonce=int(fields["nonce"]),
        )
    items = rlp.decode(bytes(payload))
    if not isinstance(items, list) or len(items) != 9:
        raise ValueError("a legacy transaction has 9 fields")
    nonce, _price, _gas, to_raw, value, data, v_raw, _r, _s = (bytes(i) for i in items)
    v = int.from_bytes(v_raw, "big")
    return _TxFields(
        chain_id=(v - 35) // 2 if v >= 35 else None,  # EIP-155; 27/28 binds no chain
        to=ChecksumAddress(to_checksum_address(to_raw)) if to_raw else None,
        data=HexStr("0x" + data.hex()),
        value=int.from_bytes(value, "big"),
        nonce=int.from_bytes(nonce, "big"),
    )


def receipt_public(ledger: Ledger, receipt: TxReceipt) -> TxReceiptPublic:
    block = ledger.w3.eth.get_block(receipt["blockNumber"])
    logs = [RawLog.from_rpc(log) for log in receipt["logs"]]
    decoded = ledger.event_decoder.decode_all(logs)
    to = receipt.get("to")
    return TxReceiptPublic(
        status="success" if receipt["status"] == 1 else "reverted",
        block_number=int(receipt["blockNumber"]),
        block_hash="0x" + bytes(receipt["blockHash"]).hex(),
        block_time=datetime.fromtimestamp(int(block["timestamp"]), UTC),
        from_=ChecksumAddress(receipt["from"]),
        to=None if to is None else ChecksumAddress(to),
        gas_used=int(receipt["gasUsed"]),
        events=[
            TxEventPublic(
                event=d.event.name,
                address=d.log.address,
                log_index=d.log.log_index,
                args=d.event.as_json(),
            )
            for d in decoded
        ],
    )


def transaction_sender(ledger: Ledger, tx_hash: bytes) -> ChecksumAddress:
    """Who sent ``tx_hash`` (404 if the node does not know it)."""
    try:
        tx = ledger.w3.eth.get_transaction(HexBytes(tx_hash))
    except TransactionNotFound as exc:
        raise NotFoundError(
            f"No transaction 0x{tx_hash.hex()} on this chain (not yet sent, dropped, or of "
            "another chain); check the hash."
        ) from exc
    return ChecksumAddress(tx["from"])


def transaction_status(
    ledger: Ledger,
    index: IndexReader,
    tx_hash: bytes,
    names_of: Callable[[IndexView], dict[ChecksumAddress, str]],
) -> TxStatusPublic:
    """The receipt of ``tx_hash`` (None while pending) and the index's rows of it."""
    shown = "0x" + tx_hash.hex()
    try:
        receipt = ledger.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
    except TransactionNotFound:
        return TxStatusPublic(
            transaction_hash=shown,
            state="pending",
            receipt=None,
            indexed=False,
            checkpoint_block=None,
            rows=[],
        )
    public = receipt_public(ledger, receipt)
    indexed, checkpoint, rows = False, None, []
    with index.view_if_synced() as view:
        if view is not None:
            checkpoint = view.block
            indexed = public.block_number <= view.block
            if indexed:
                rows = _rows_of(view, receipt, tx_hash, names_of(view))
    return TxStatusPublic(
        transaction_hash=shown,
        state=public.status,
        receipt=public,
        indexed=indexed,
        checkpoint_block=checkpoint,
        rows=rows,
    )


def _rows_of(
    view: IndexView, receipt: TxReceipt, tx_hash: bytes, names: dict[ChecksumAddress, str]
) -> list[HistoryRowPublic]:
    """The history rows the transaction made: those of the EMCs (and members) its logs name,
    built as ``GET /emcs/{address}/history`` builds them, then kept for this transaction."""
    block = int(receipt["blockNumber"])
    emitted = {RawLog.from_rpc(log).address for log in receipt["logs"]}
    emcs = [info.address for info in queries.emcs(view.session) if info.address in emitted]
    found: dict[tuple[int, int], HistoryRowPublic] = {}
    groups: list[Sequence[events.Decoded]] = [
        queries.decoded_logs(view.session, emc=emc, upto_block=block) for emc in emcs
    ]
    if not emcs:  # the registry's or the factory's: rows naming the sender
        groups.append(queries.decoded_logs(view.session, member=receipt["from"], upto_block=block))
    for group in groups:
        for row in build_history(list(group), names):
            if row.transaction_hash == tx_hash:
                found[(row.block_number, row.log_index)] = HistoryRowPublic.from_sdk(row)
    return [found[key] for key in sorted(found)]


def tx_hash_bytes(text: str) -> bytes:
    """A transaction hash from the path (422 unless 0x + 64 hex digits)."""
    body = text[2:] if text.startswith(("0x", "0X")) else ""
    if len(body) != 64:
        raise InvalidInputError(
            f"{text[:80]!r} is not a transaction hash; send 0x followed by 64 hex digits."
        )
    try:
        return bytes.fromhex(body)
    except ValueError as exc:
        raise InvalidInputError(
            f"{text[:80]!r} is not a transaction hash; send 0x followed by 64 hex digits."
        ) from exc


__all__ = [
    "DeadlinePassedError",
    "RelayError",
    "RelayRefusedError",
    "RelayState",
    "VersionClosedError",
    "accept_signature",
    "activate",
    "all_signed",
    "install_relay_errors",
    "parse_raw_transaction",
    "read_version",
    "relay_raw",
    "signatures_of",
    "transaction_sender",
    "transaction_status",
    "tx_hash_bytes",
]


def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RelayError)  # registered for RelayError only
    body = ErrorPublic(detail=str(exc), error=type(exc).__name__)
    return JSONResponse(body.model_dump(), status_code=exc.status)


def install_relay_errors(app: FastAPI) -> None:
    """A :class:`RelayError` answers its ``status`` with the usual error body."""
    # More specific than RdhChainError's handler: Starlette picks by the exception's MRO.
    app.add_exception_handler(RelayError, _refused)
