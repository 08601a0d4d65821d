"""Transactions for members' own wallets: built unsigned for the signed-in wallet to send
(EIP-1193 ``eth_sendTransaction``), or relayed once it has signed them, and followed to
their receipt and the index's rows."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Annotated

from eth_typing import ChecksumAddress
from fastapi import APIRouter, Depends, Path
from web3.exceptions import TimeExhausted

from api import reading
from api.auth.deps import EmcReaderDep, Viewer, ViewerDep, require_roles
from api.auth.errors import ForbiddenError
from api.deps import EmcDep, IndexDep, LedgerDep, SettingsDep
from api.errors import ERROR_RESPONSES, NOT_FOUND_RESPONSE
from api.index import IndexView
from api.inputs import HEX32_PATTERN
from api.models import ErrorPublic
from api.relay_models import (
    AmountInput,
    CommitBidInput,
    RawTxInput,
    RevealBidInput,
    SettleInput,
    TxStatusPublic,
    UnsignedTxPublic,
)
from api.relaying import relay_raw, transaction_sender, transaction_status, tx_hash_bytes
from rdh_chain import contract_errors
from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.exceptions import InvalidInputError
from rdh_chain.ledger import Ledger
from rdh_chain.signatures import normalize_signature
from rdh_chain.types import ReportAttestation, Role
from rdh_chain.validation import format_amount, to_address, to_bytes32

_RESPONSES = {
    **ERROR_RESPONSES,
    **NOT_FOUND_RESPONSE,
    401: {"model": ErrorPublic, "description": "Not signed in."},
    403: {"model": ErrorPublic, "description": "This wallet may not do this."},
    409: {
        "model": ErrorPublic,
        "description": "The EMC would refuse it now (nothing to claim, a closed round...): "
        "nothing was built or sent.",
    },
}

router = APIRouter(tags=["transactions"], responses=_RESPONSES)

# How long POST /tx waits for the receipt before answering "pending".
RECEIPT_WAIT_SECONDS = 30

Bidder = Annotated[Viewer, Depends(require_roles(Role.ME, Role.PARTNER))]


@router.post("/emcs/{address}/tx/claim", summary="Build a claim for the signed-in wallet")
def claim_tx(viewer: ViewerDep, emc: EmcReaderDep) -> UnsignedTxPublic:
    """``claim()``: pays the signed-in member everything it can claim in the EMC. 409
    (``EmcNothingToClaim``) when there is nothing, e.g. right after a claim."""
    return UnsignedTxPublic.from_sdk(emc.claim_tx(viewer.address))


@router.post(
    "/emcs/{address}/tx/commit-bid", summary="Build a sealed bid's commitment for the bidder"
)
def commit_bid_tx(viewer: Bidder, emc: EmcDep, body: CommitBidInput) -> UnsignedTxPublic:
    """``commitBid(round, commitment)``, for an active ME or partner. Only the commitment
    is sent: compute it in the browser from the bid and a random salt
    (``keccak256(abi.encode(emc, roundId, bidder, users, revenue, askBps, proposalHash,
    salt))``) and keep the salt until the reveal."""
    commitment = to_bytes32(body.commitment, "commitment")
    return UnsignedTxPublic.from_sdk(emc.commit_bid_tx(viewer.address, body.round_id, commitment))


@router.post("/emcs/{address}/tx/reveal-bid", summary="Build the reveal of the bidder's bid")
def reveal_bid_tx(viewer: Bidder, emc: EmcDep, body: RevealBidInput) -> UnsignedTxPublic:
    """``revealBid``: the bid and the salt it was sealed with, once the commit deadline has
    passed; they must hash to the signed-in bidder's commitment."""
    sealed = SealedBid(
        emc=emc.address,
        round_id=body.round_id,
        bidder=viewer.address,
        users=body.undertaken_users,
        revenue=body.undertaken_revenue,
        ask_bps=body.ask_bps,
        proposal_hash=to_bytes32(body.proposal_hash, "proposal_hash"),
        salt=to_bytes32(body.salt, "salt"),
    )
    if emc.bid(body.round_id, viewer.address).commitment != sealed.commitment:
        raise _bid_mismatch(emc, body.round_id, viewer.address)
    return UnsignedTxPublic.from_sdk(emc.reveal_bid_tx(sealed))


def _bid_mismatch(emc: EmcClient, round_id: int, bidder: ChecksumAddress) -> Exception:
    return InvalidInputError(
        f"These values and salt do not hash to {bidder}'s commitment in round {round_id} of "
        f"{emc.address}; reveal exactly the bid and salt you sealed (the sealed-bid file)."
    )


@router.post(
    "/emcs/{address}/tx/approve",
    summary="Build the approval an investment or a settlement needs",
)
def approve_tx(
    viewer: ViewerDep, emc: EmcReaderDep, ledger: LedgerDep, body: AmountInput
) -> UnsignedTxPublic:
    """``approve(emc, amount)`` on the settlement token: lets the EMC take ``amount`` from
    the signed-in wallet when it invests it or deposits a period's profit."""
    return UnsignedTxPublic.from_sdk(
        ledger.token.approve_tx(viewer.address, emc.address, body.amount)
    )


@router.post("/emcs/{address}/tx/invest", summary="Build an investment of the member's credit")
def invest_tx(
    viewer: ViewerDep, emc: EmcReaderDep, ledger: LedgerDep, body: AmountInput
) -> UnsignedTxPublic:
    """``invest(amount)``, for a party of the version in force. The EMC takes the amount
    from the wallet: approve it first (``POST .../tx/approve``), or this answers 409."""
    _check_allowance(ledger, emc, viewer.address, body.amount, "invest")
    return UnsignedTxPublic.from_sdk(emc.invest_tx(viewer.address, body.amount))


@router.post("/emcs/{address}/tx/settle", summary="Build the reporter's settlement of a period")
def settle_tx(
    viewer: ViewerDep, emc: EmcReaderDep, ledger: LedgerDep, body: SettleInput
) -> UnsignedTxPublic:
    """``settle(report)`` or, with an auditor's attestation (``POST .../reports/typed-data``
    signed by the auditor), ``settleAttested``, for the EMC's owner or its reporter. A
    profit is deposited from the wallet: approve it first (``POST .../tx/approve``)."""
    if viewer.address not in (emc.owner(), emc.reporter()):
        raise ForbiddenError(
            f"Only the owner of EMC {emc.address} or its reporter settles its periods; you "
            f"are signed in as {viewer.address}.",
            "not_the_reporter",
        )
    report = body.as_report()
    attestation = None
    if body.attestation is not None:
        attestation = ReportAttestation(
            auditor=to_address(body.attestation.auditor, "auditor"),
            deadline=body.attestation.deadline,
            signature=normalize_signature(body.attestation.signature),
        )
    if report.profit and report.cost <= report.revenue:
        _check_allowance(ledger, emc, viewer.address, report.profit, "settle")
    return UnsignedTxPublic.from_sdk(emc.settle_tx(viewer.address, report, attestation))


def _check_allowance(
    ledger: Ledger, emc: EmcClient, owner: ChecksumAddress, amount: int, action: str
) -> None:
    allowed = ledger.token.allowance(owner, emc.address)
    if allowed < amount:
        raise contract_errors.ERC20InsufficientAllowance(
            f"EMC.{action} would revert: {owner} has approved the EMC for "
            f"{format_amount(allowed)} RMB, less than the {format_amount(amount)} RMB it takes. "
            f'Approve it first: POST /emcs/{emc.address}/tx/approve with {{"amount": '
            f'"{format_amount(amount)}"}}, send that, then ask again.',
            args={"spender": emc.address, "allowance": allowed, "needed": amount},
        )


@router.post("/tx", summary="Relay a transaction the signed-in wallet signed")
def post_raw(
    viewer: ViewerDep,
    ledger: LedgerDep,
    index: IndexDep,
    settings: SettingsDep,
    body: RawTxInput,
) -> TxStatusPublic:
    """Sends a transaction signed by the signed-in wallet, for this chain, to one of this
    ledger's contracts (422 otherwise: another chain id, another signer, another contract).
    It is simulated first: one bound to revert answers its decoded error (409, 403 or 422)
    and is not sent; so is one whose nonce is not the wallet's next. Answers once it is
    mined, with its receipt and decoded events (or, after 30 s, ``pending``); its index
    rows follow in ``GET /tx/{hash}`` once the indexer has its block."""
    tx_hash = relay_raw(ledger, viewer.address, body.raw)
    with suppress(TimeExhausted):  # sent, not mined yet: the answer says "pending"
        ledger.w3.eth.wait_for_transaction_receipt(
            tx_hash, timeout=RECEIPT_WAIT_SECONDS, poll_latency=0.05
        )
    return transaction_status(ledger, index, bytes(tx_hash), _names_of(settings))


TxHashPath = Annotated[
    str,
    Path(
        pattern=HEX32_PATTERN,
        description="The transaction's hash (0x + 64 hex digits).",
        examples=["0x" + "ab" * 32],
    ),
]


@router.get("/tx/{tx_hash}", summary="A transaction's receipt and its index rows")
def get_tx(
    viewer: ViewerDep,
    ledger: LedgerDep,
    index: IndexDep,
    settings: SettingsDep,
    tx_hash: TxHashPath,
) -> TxStatusPublic:
    """Pending, or mined with its receipt and decoded events; once the index has its block,
    the history rows it made. For the wallet that sent it, auditors and operators."""
    raw_hash = tx_hash_bytes(tx_hash)
    sender = transaction_sender(ledger, raw_hash)
    if sender != viewer.address and not viewer.overseer:
        raise ForbiddenError(
            f"Transaction {tx_hash} was sent by {sender}; only it, auditors and operators "
            f"read it here, and you are signed in as {viewer.address}.",
            "not_yourself",
        )
    return transaction_status(ledger, index, raw_hash, _names_of(settings))


def _names_of(settings: SettingsDep) -> Callable[[IndexView], dict[ChecksumAddress, str]]:
    return lambda view: reading.profile_names(view, settings.data_dir)
