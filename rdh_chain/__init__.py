"""rdh-chain: a permissioned ledger for the agreements between micro-enterprises.

The SDK's entry point is :class:`Ledger`; every error it raises derives from
:class:`RdhChainError`.
"""

from rdh_chain.bids import SealedBid, bid_commitment
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.exceptions import (
    AccessDeniedError,
    BadInputRevertError,
    ChainError,
    ContractRevertError,
    InvalidInputError,
    InvalidSignatureError,
    NotFoundError,
    RdhChainError,
    StateRevertError,
    TransactionError,
    WalletError,
)
from rdh_chain.ledger import Ledger, MemberShare
from rdh_chain.signatures import normalize_signature, recover_typed_data_signer
from rdh_chain.tx import TxResult, TxSender, UnsignedTx
from rdh_chain.types import (
    Bid,
    BidOutcome,
    BidRound,
    EmcStatus,
    EmcTerms,
    MemberStatus,
    PeriodReport,
    Position,
    Role,
    ShareClass,
    ShareEntry,
    Totals,
    Version,
    VersionStatus,
)

__all__ = [
    "AccessDeniedError",
    "BadInputRevertError",
    "Bid",
    "BidOutcome",
    "BidRound",
    "ChainError",
    "ContractRevertError",
    "Deployment",
    "EmcStatus",
    "EmcTerms",
    "InvalidInputError",
    "InvalidSignatureError",
    "Ledger",
    "MemberShare",
    "MemberStatus",
    "NotFoundError",
    "PeriodReport",
    "Position",
    "RdhChainError",
    "Role",
    "SealedBid",
    "ShareClass",
    "ShareEntry",
    "StateRevertError",
    "Totals",
    "TransactionError",
    "TxResult",
    "TxSender",
    "UnsignedTx",
    "Version",
    "VersionStatus",
    "WalletError",
    "bid_commitment",
    "deploy",
    "normalize_signature",
    "recover_typed_data_signer",
]
