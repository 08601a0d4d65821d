"""Front-running sealed bids, with anvil holding transactions in its mempool.

Automine is switched off, transactions are sent signed with a fixed gas limit (so no
estimate runs against a block they will not be mined in), the block's timestamp is pinned
and the order inside it is forced by gas price (anvil orders a block by fee). Whatever
the order, a copied commitment reveals for nobody but its bidder, and no block accepts
both a commit and a reveal of the same round, so a bid cannot change once reveals begin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.types import RPCEndpoint, TxReceipt

from rdh_chain import contract_errors as errors
from rdh_chain.bids import SealedBid
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.types import BidOutcome
from tests.contracts.helpers import Cast, latest_timestamp, pin_next_timestamp

GAS = 300_000
GWEI = 10**9


def _rpc(w3: Web3, method: str, params: list[Any]) -> Any:
    reply = w3.provider.make_request(RPCEndpoint(method), params)
    assert "error" not in reply, reply
    return reply["result"]


@contextmanager
def _mempool(w3: Web3) -> Iterator[None]:
    """Transactions wait in the mempool until ``evm_mine``; automine comes back whatever happens."""
    _rpc(w3, "evm_setAutomine", [False])
    try:
        yield
    finally:
        _rpc(w3, "evm_setAutomine", [True])


class Mempool:
    """Signs and sends raw transactions for the test's wallets, and mines them."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.w3 = cast.w3
        self.emc = cast.emc().contract
        self._nonces: dict[str, int] = {}

    def send(self, account: LocalAccount, fn: str, *args: Any, tip_gwei: int = 1) -> HexBytes:
        if account.address not in self._nonces:
            _rpc(self.w3, "anvil_setBalance", [account.address, hex(10**20)])
            self._nonces[account.address] = self.w3.eth.get_transaction_count(
                account.address, "pending"
            )
        tx = {
            "to": self.emc.address,
            "data": self.emc.encode_abi(fn, args=list(args)),
            "gas": GAS,
            "gasPrice": tip_gwei * GWEI,
            "nonce": self._nonces[account.address],
            "chainId": self.w3.eth.chain_id,
            "value": 0,
        }
        self._nonces[account.address] += 1
        signed = account.sign_transaction(tx)
        return HexBytes(self.w3.eth.send_raw_transaction(signed.raw_transaction))

    def mine(self, timestamp: int | None = None) -> None:
        if timestamp is not None:
            pin_next_timestamp(self.w3, timestamp)
        _rpc(self.w3, "evm_mine", [])
        self.cast.refresh()  # the SDK's senders cached nonces these sends moved

    def pending(self) -> list[dict[str, Any]]:
        """What anyone watching the node's mempool sees."""
        content = _rpc(self.w3, "txpool_content", [])
        return [tx for by_nonce in content["pending"].values() for tx in by_nonce.values()]

    def receipt(self, tx_hash: HexBytes) -> TxReceipt:
        return self.w3.eth.get_transaction_receipt(tx_hash)

    def failure(self, tx_hash: HexBytes) -> ContractRevertError:
        """The decoded error of a transaction that reverted at inclusion."""
        receipt = self.receipt(tx_hash)
        assert receipt["status"] == 0, "the transaction succeeded"
        sender = self.cast.as_(self.cast.owner).sender
        assert sender is not None
        with pytest.raises(ContractRevertError) as info:
            sender.wait(tx_hash, action="test")
        return info.value


def _open(cast: Cast) -> tuple[int, int, int]:
    now = latest_timestamp(cast.w3)
    round_id, _ = cast.emc().open_bid_round(now + 100, now + 200, keccak(text="places"))
    return round_id, now + 100, now + 200


def _seal(cast: Cast, round_id: int, bidder: LocalAccount, users: int, ask: int) -> SealedBid:
    return SealedBid.seal(
        cast.base_emc, round_id, bidder.address, users, users * 100, ask, keccak(text="proposal")
    )


def _reveal_args(sealed: SealedBid) -> tuple[Any, ...]:
    return (
        sealed.round_id,
        sealed.users,
        sealed.revenue,
        sealed.ask_bps,
        sealed.proposal_hash,
        sealed.salt,
    )


def test_copied_commitment_cannot_be_revealed_by_the_copier(cast: Cast) -> None:
    round_id, commit_deadline, _ = _open(cast)
    victim, attacker = cast.mes[1], cast.mes[2]
    sealed = _seal(cast, round_id, victim, 5_000, 400)
    pool = Mempool(cast)
    with _mempool(cast.w3):
        pool.send(victim, "commitBid", round_id, sealed.commitment)
        # The attacker reads the pending commit: only the hash is there, no bid to read.
        (seen,) = pool.pending()
        data = HexBytes(seen["input"])
        assert data[-32:] == sealed.commitment
        assert data.find(sealed.salt) == data.find(sealed.proposal_hash) == -1
        # It copies the commitment into its own commit, paying more to be mined first.
        copy = pool.send(attacker, "commitBid", round_id, bytes(data[-32:]), tip_gwei=5)
        pool.mine()
        assert pool.receipt(copy)["status"] == 1
        assert pool.receipt(copy)["transactionIndex"] == 0

        # Once reveals open, the attacker copies the victim's pending reveal too.
        pool.mine(commit_deadline + 1)
        honest = pool.send(victim, "revealBid", *_reveal_args(sealed))
        (seen,) = pool.pending()
        args = cast.emc().contract.decode_function_input(HexBytes(seen["input"]))[1]
        stolen = pool.send(
            attacker,
            "revealBid",
            args["roundId"],
            args["undertakenUsers"],
            args["undertakenRevenue"],
            args["askBps"],
            args["proposalHash"],
            args["salt"],
            tip_gwei=5,
        )
        pool.mine()
    assert pool.receipt(stolen)["transactionIndex"] == 0  # the copy ran first, and failed
    error = pool.failure(stolen)
    assert type(error) is errors.EmcBidMismatch
    assert error.args_by_name["bidder"] == attacker.address
    assert error.args_by_name["commitment"] == "0x" + sealed.commitment.hex()
    assert error.args_by_name["computed"] != error.args_by_name["commitment"]
    assert pool.receipt(honest)["status"] == 1
    emc = cast.emc()
    assert emc.bid(round_id, victim.address).outcome is BidOutcome.REVEALED
    assert emc.bid(round_id, victim.address).undertaken_users == 5_000
    assert emc.bid(round_id, attacker.address).outcome is BidOutcome.COMMITTED


@pytest.mark.parametrize("commit_first", [True, False])
def test_bid_cannot_change_in_the_first_reveal_block(cast: Cast, commit_first: bool) -> None:
    """The block right after the commit deadline takes reveals and refuses commits."""
    round_id, commit_deadline, _ = _open(cast)
    bidder, rival = cast.mes[1], cast.mes[2]
    original = _seal(cast, round_id, bidder, 1_000, 500)
    rival_bid = _seal(cast, round_id, rival, 9_000, 100)
    emc = cast.emc()
    emc_bidder = cast.as_(bidder).emc(cast.base_emc)
    emc_bidder.commit_bid(round_id, original.commitment)
    cast.as_(rival).emc(cast.base_emc).commit_bid(round_id, rival_bid.commitment)
    # Having seen the rival's reveal, the bidder tries to undercut it in the same block.
    better = _seal(cast, round_id, bidder, 9_500, 50)
    pool = Mempool(cast)
    with _mempool(cast.w3):
        tips = (5, 1) if commit_first else (1, 5)
        recommit = pool.send(bidder, "commitBid", round_id, better.commitment, tip_gwei=tips[0])
        reveal = pool.send(rival, "revealBid", *_reveal_args(rival_bid), tip_gwei=tips[1])
        pool.mine(commit_deadline + 1)
        assert (pool.receipt(recommit)["transactionIndex"] == 0) is commit_first
        assert pool.receipt(reveal)["status"] == 1
        error = pool.failure(recommit)
        assert type(error) is errors.EmcCommitClosed
        assert error.args_by_name["roundId"] == round_id
        assert error.args_by_name["commitDeadline"] == commit_deadline
        # The better bid cannot be revealed either: only the original commitment stands.
        worse = pool.send(bidder, "revealBid", *_reveal_args(better))
        pool.mine()
        assert type(pool.failure(worse)) is errors.EmcBidMismatch
    assert emc.bid(round_id, bidder.address).commitment == original.commitment
    emc_bidder.reveal_bid(*_reveal_args(original))
    assert emc.bid(round_id, bidder.address).undertaken_users == 1_000


@pytest.mark.parametrize("reveal_first", [True, False])
def test_reveal_in_the_commit_deadline_block_is_rejected(cast: Cast, reveal_first: bool) -> None:
    """The block at the commit deadline takes commits and refuses reveals, in any order."""
    round_id, commit_deadline, _ = _open(cast)
    bidder, rival = cast.mes[1], cast.mes[2]
    original = _seal(cast, round_id, bidder, 1_000, 500)
    rival_bid = _seal(cast, round_id, rival, 9_000, 100)
    cast.as_(bidder).emc(cast.base_emc).commit_bid(round_id, original.commitment)
    cast.as_(rival).emc(cast.base_emc).commit_bid(round_id, rival_bid.commitment)
    better = _seal(cast, round_id, bidder, 9_500, 50)
    pool = Mempool(cast)
    with _mempool(cast.w3):
        tips = (5, 1) if reveal_first else (1, 5)
        early = pool.send(rival, "revealBid", *_reveal_args(rival_bid), tip_gwei=tips[0])
        recommit = pool.send(bidder, "commitBid", round_id, better.commitment, tip_gwei=tips[1])
        pool.mine(commit_deadline)
        assert (pool.receipt(early)["transactionIndex"] == 0) is reveal_first
        error = pool.failure(early)
        assert type(error) is errors.EmcRevealNotOpen
        assert error.args_by_name["commitDeadline"] == commit_deadline
        # The last-second replacement is a legitimate commit: nothing was revealed to react to.
        assert pool.receipt(recommit)["status"] == 1
    emc = cast.emc()
    assert emc.bid(round_id, rival.address).outcome is BidOutcome.COMMITTED
    assert emc.bid(round_id, bidder.address).commitment == better.commitment
