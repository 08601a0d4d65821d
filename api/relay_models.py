"""What the relaying routes take and return: signatures of share versions, unsigned
transactions for members' wallets, relayed transactions and their receipts, and the typed
data of a report an auditor attests."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from eth_typing import ChecksumAddress
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from api.history_models import HistoryRowPublic
from api.inputs import Count, RmbAmount
from api.models import TypedDataDomainPublic, TypedFieldPublic, VersionStatusName, _Public
from rdh_chain import limits
from rdh_chain.signatures import MAX_CONTRACT_SIGNATURE_BYTES
from rdh_chain.tx import UnsignedTx
from rdh_chain.types import PeriodReport
from rdh_chain.validation import to_bytes32

_HEX32 = r"^0x[0-9a-fA-F]{64}$"
_ADDRESS = r"^0x[0-9a-fA-F]{40}$"
_HEX = r"^0x([0-9a-fA-F]{2})*$"
# The largest raw transaction relayed: a settlement with an attestation is under 1 KB. Half
# the gateway's body limit, so that a raw transaction the schema allows is never a 413.
MAX_RAW_TX_CHARS = 32 * 1024

Bytes32Text = Annotated[
    str,
    Field(
        pattern=_HEX32,
        description="32 bytes as 0x + 64 hex digits.",
        examples=["0x" + "00" * 32],
    ),
]
AddressText = Annotated[
    str,
    Field(
        pattern=_ADDRESS,
        description="An address: 0x + 40 hex digits.",
        examples=["0x5FbDB2315678afecb367f032d93F642f64180aa3"],
    ),
]
SignatureText = Annotated[
    str,
    Field(
        min_length=2,
        max_length=2 + 2 * MAX_CONTRACT_SIGNATURE_BYTES,
        description="What the wallet returned, 0x-hex: 65 bytes (v 27/28 or 0/1) or 64 "
        "(EIP-2098 compact); a contract wallet's (ERC-1271), whatever its isValidSignature "
        "takes.",
        examples=["0x" + "ab" * 65],
    ),
]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- share version signatures ---------------------------------------------------------


class SignatureSubmit(_Input):
    """A party's signature (``eth_signTypedData_v4``) of a version's typed data
    (``GET /emcs/{address}/versions/{id}/typed-data``)."""

    signature: SignatureText


class PartySignaturePublic(_Public):
    """One party a version names: whether it has signed, and when the gateway got it."""

    address: ChecksumAddress
    name: str | None = Field(description="From the member's profile, when the index has it.")
    signed: bool
    signed_at: datetime | None = Field(
        description="When the gateway received the signature (None if it came another "
        "way, e.g. `rdh shares activate`, or not yet)."
    )


ActivationState = Literal["waiting", "activated", "refused"]


class ActivationPublic(_Public):
    """Whether the version is in force, and the relayer's transaction that made it so.

    ``waiting``: some parties have not signed; ``activated``: in force (or superseded
    since); ``refused``: every party signed but the EMC refuses the activation now, for
    the reason in ``detail`` (a deadline passed, another version activated first, a party
    suspended...)."""

    state: ActivationState
    detail: str
    transaction_hash: str | None
    block_number: int | None
    activated_at: datetime | None
    relayer: ChecksumAddress | None = Field(description="The gateway's relaying wallet.")


class VersionSignaturesPublic(_Public):
    """Who has signed a share version and who has not, and its activation."""

    emc: ChecksumAddress
    version_id: int
    status: VersionStatusName
    digest: str = Field(description="The EIP-712 digest every party signs (versionDigest).")
    deadline: datetime = Field(description="Last moment it can be activated.")
    parties: list[PartySignaturePublic] = Field(description="In signing order.")
    signed: list[ChecksumAddress]
    missing: list[ChecksumAddress]
    activation: ActivationPublic


# -- unsigned transactions ------------------------------------------------------------


class UnsignedTxPublic(_Public):
    """A transaction for the signed-in wallet to sign and send: pass it as is to
    ``eth_sendTransaction`` (EIP-1193), or sign it and post the raw bytes to ``/tx``.

    Quantities are 0x-hex, as JSON-RPC takes them; the gas was estimated from this wallet
    against the latest block, so it succeeds unless the state moves first."""

    model_config = ConfigDict(frozen=True, serialize_by_alias=True, populate_by_name=True)

    from_: ChecksumAddress = Field(alias="from", description="The signed-in wallet.")
    to: ChecksumAddress
    data: str
    value: str = Field(examples=["0x0"])
    gas: str = Field(examples=["0x1d4c0"])
    gas_price: str = Field(alias="gasPrice", examples=["0x0"])
    chain_id: str = Field(alias="chainId", examples=["0x7a69"])
    nonce: str = Field(examples=["0x3"])

    @classmethod
    def from_sdk(cls, tx: UnsignedTx) -> UnsignedTxPublic:
        return cls.model_validate(tx.as_rpc())


class CommitBidInput(_Input):
    """A sealed bid's commitment (``rdh_chain.bids.bid_commitment``, computed in the
    bidder's browser: the bid and its salt are not sent before the reveal)."""

    round_id: int = Field(ge=1, le=2**32 - 1)
    commitment: Bytes32Text


class RevealBidInput(_Input):
    """The bid a commitment sealed, with its salt."""

    round_id: int = Field(ge=1, le=2**32 - 1)
    undertaken_users: Annotated[int, Count(limits.BID_USERS)]
    undertaken_revenue: Annotated[int, RmbAmount(limits.BID_REVENUE)]
    ask_bps: int = Field(ge=0, le=10_000, description="The share asked for, in basis points.")
    proposal_hash: Bytes32Text
    salt: Bytes32Text


class AmountInput(_Input):
    """An amount of settlement credit (RMB text)."""

    amount: Annotated[int, RmbAmount(limits.INVESTED, positive=True)]


class AttestationInput(_Input):
    """An auditor's signature of the report's typed data
    (``POST /emcs/{address}/reports/typed-data``)."""

    auditor: AddressText
    # At most 9999-12-31 (a JSON number that clients' floats still hold exactly).
    deadline: int = Field(
        ge=1, le=253_402_300_799, description="The typed data's deadline (Unix time)."
    )
    signature: SignatureText


class ReportInput(_Input):
    """A period's figures, as the owner or reporter settles them."""

    users: Annotated[int, Count(limits.REPORT_USERS)]
    units: Annotated[int, Count(limits.REPORT_UNITS)]
    revenue: Annotated[int, RmbAmount(limits.REPORT_REVENUE)]
    cost: Annotated[int, RmbAmount(limits.REPORT_COST)]
    profit: Annotated[int, RmbAmount(limits.REPORT_PROFIT)]
    document_hash: Bytes32Text = "0x" + "00" * 32

    def as_report(self) -> PeriodReport:
        """The SDK's report of these figures."""
        return PeriodReport(
            users=self.users,
            units=self.units,
            revenue=self.revenue,
            cost=self.cost,
            profit=self.profit,
            document_hash=to_bytes32(self.document_hash, "document_hash"),
        )


class SettleInput(ReportInput):
    """A report, with an auditor's attestation where the terms or the capital need one."""

    attestation: AttestationInput | None = None


class ReportTypedDataInput(ReportInput):
    """The report to attest, as the EMC's next period (or ``period``), valid until
    ``deadline`` (by default a day after the latest block)."""

    period: int | None = Field(default=None, ge=1, le=2**32 - 1)
    deadline: AwareDatetime | None = Field(
        default=None, description="With its time zone, e.g. 2030-01-01T00:00:00Z."
    )


# -- relayed transactions -------------------------------------------------------------


class RawTxInput(_Input):
    """A transaction the signed-in wallet signed (``eth_signTransaction``, or any signer),
    to one of this ledger's contracts on this chain."""

    raw: str = Field(
        pattern=_HEX,
        min_length=4,
        max_length=MAX_RAW_TX_CHARS,
        description="The signed transaction, 0x-hex.",
    )


class TxEventPublic(_Public):
    """An rdh-chain event of the transaction, decoded (bytes as 0x-hex, amounts in fen)."""

    event: str = Field(examples=["Claimed"])
    address: ChecksumAddress = Field(description="The contract that emitted it.")
    log_index: int
    args: dict[str, Any]


class TxReceiptPublic(_Public):
    """A mined transaction's receipt with its decoded events."""

    status: Literal["success", "reverted"]
    block_number: int
    block_hash: str
    block_time: datetime
    from_: ChecksumAddress = Field(alias="from")
    to: ChecksumAddress | None
    gas_used: int
    events: list[TxEventPublic]

    model_config = ConfigDict(frozen=True, serialize_by_alias=True, populate_by_name=True)


class TxStatusPublic(_Public):
    """Where a transaction is: pending or mined (with its receipt), and the index's rows of
    it once the indexer has reached its block."""

    transaction_hash: str
    state: Literal["pending", "success", "reverted"]
    receipt: TxReceiptPublic | None
    indexed: bool = Field(description="Whether the index has reached the transaction's block.")
    checkpoint_block: int | None = Field(description="How far the index is (None: no index).")
    rows: list[HistoryRowPublic] = Field(description="The history rows it made, once indexed.")


# -- report attestations --------------------------------------------------------------


class _TypedDataPart(_Public):
    model_config = ConfigDict(frozen=True, alias_generator=to_camel, serialize_by_alias=True)


class ReportTypesPublic(_TypedDataPart):
    eip712_domain: list[TypedFieldPublic] = Field(alias="EIP712Domain")
    period_report: list[TypedFieldPublic] = Field(alias="PeriodReport")


class TypedPeriodReportPublic(_TypedDataPart):
    """The attested message: the report as period ``period``, valid until ``deadline``."""

    period: int
    users: int
    units: int
    revenue: int = Field(description="fen")
    cost: int = Field(description="fen")
    profit: int = Field(description="fen")
    document_hash: str
    deadline: int = Field(description="Unix time.")


class ReportTypedDataPublic(_TypedDataPart):
    """A period report's EIP-712 typed data for an auditor's wallet
    (``eth_signTypedData_v4``); its digest is the EMC's ``reportDigest``. The signature,
    with the auditor's address and the deadline, is the settlement's ``attestation``."""

    types: ReportTypesPublic
    primary_type: Literal["PeriodReport"]
    domain: TypedDataDomainPublic
    message: TypedPeriodReportPublic

    @classmethod
    def from_sdk(cls, typed: dict[str, Any]) -> ReportTypedDataPublic:
        message = dict(typed["message"])
        message["documentHash"] = "0x" + bytes(message["documentHash"]).hex()
        return cls.model_validate({**typed, "message": message})
