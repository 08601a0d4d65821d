"""Sealed-bid rounds on an EMC: commit, reveal, invite, and every outcome a bid can have.

Each refused call is checked with ``assert_reverts`` (exact error and arguments, no block
mined, the ledger as it was) and with the round's own state (``_round_state``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak

from rdh_chain import contract_errors as errors
from rdh_chain.bids import SealedBid, bid_commitment
from rdh_chain.contracts import EmcClient
from rdh_chain.events import BidCommitted, BidsInvited
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.types import Bid, BidOutcome
from tests.contracts.helpers import (
    Cast,
    assert_reverts,
    increase_time,
    latest_timestamp,
    new_account,
    pin_next_timestamp,
)

PLACES = keccak(text="Smart Cooking: places offered")
COMMIT_WINDOW = 1_000
REVEAL_WINDOW = 1_000


@dataclass
class Round:
    id: int
    commit_deadline: int
    reveal_deadline: int


def _client(cast: Cast, account: LocalAccount) -> EmcClient:
    return cast.as_(account).emc(cast.base_emc)


def _open(cast: Cast) -> Round:
    now = latest_timestamp(cast.w3)
    commit, reveal = now + COMMIT_WINDOW, now + COMMIT_WINDOW + REVEAL_WINDOW
    round_id, _ = cast.emc().open_bid_round(commit, reveal, PLACES)
    return Round(round_id, commit, reveal)


def _seal(cast: Cast, bidder: LocalAccount, rnd: Round, users: int, ask_bps: int) -> SealedBid:
    return SealedBid.seal(
        cast.base_emc,
        rnd.id,
        bidder.address,
        users,
        users * 500,
        ask_bps,
        keccak(text=f"proposal of {bidder.address}"),
    )


def _commit(cast: Cast, bidder: LocalAccount, sealed: SealedBid) -> None:
    _client(cast, bidder).commit_bid(sealed.round_id, sealed.commitment)


def _reveal(cast: Cast, bidder: LocalAccount, sealed: SealedBid) -> None:
    _client(cast, bidder).reveal_bid(
        sealed.round_id,
        sealed.users,
        sealed.revenue,
        sealed.ask_bps,
        sealed.proposal_hash,
        sealed.salt,
    )


def _after(cast: Cast, deadline: int) -> None:
    """Mine a block one second after ``deadline``."""
    increase_time(cast.w3, deadline + 1 - latest_timestamp(cast.w3))


def _round_state(cast: Cast, round_id: int) -> list[Any]:
    emc = cast.emc()
    if round_id > emc.round_count():
        return [emc.round_count()]
    bidders = emc.bidders(round_id)
    return [
        emc.round_count(),
        emc.round(round_id),
        bidders,
        [emc.bid(round_id, b) for b in bidders],
    ]


def _refused(
    cast: Cast,
    round_id: int,
    action: Callable[[], object],
    error: type[ContractRevertError],
    args: dict[str, Any],
) -> None:
    before = _round_state(cast, round_id)
    assert_reverts(cast, action, error, args)
    assert _round_state(cast, round_id) == before


# -- the happy path ----------------------------------------------------------------------


def test_bid_round_records_every_outcome(cast: Cast) -> None:
    rnd = _open(cast)
    emc = cast.emc()
    header = emc.round(rnd.id)
    assert (header.commit_deadline, header.reveal_deadline, header.document_hash) == (
        rnd.commit_deadline,
        rnd.reveal_deadline,
        PLACES,
    )
    assert (header.decided_at, header.bidder_count) == (0, 0)

    # Seven bidders for three places: six MEs and a partner; mes[6] never reveals.
    bidders = [*cast.mes[1:7], cast.partners["platform"]]
    sealed = {
        b.address: _seal(cast, b, rnd, 1_000 * (i + 1), 300 + 50 * i) for i, b in enumerate(bidders)
    }
    for bidder in bidders:
        _commit(cast, bidder, sealed[bidder.address])
    # mes[1] changes its mind before the deadline: the new commitment replaces the old.
    first = sealed[cast.mes[1].address]
    sealed[cast.mes[1].address] = _seal(cast, cast.mes[1], rnd, 2_500, 250)
    result = _client(cast, cast.mes[1]).commit_bid(rnd.id, sealed[cast.mes[1].address].commitment)
    assert emc.event(result, BidCommitted).commitment == sealed[cast.mes[1].address].commitment
    assert first.commitment != sealed[cast.mes[1].address].commitment

    assert emc.bidders(rnd.id) == [b.address for b in bidders]
    assert emc.round(rnd.id).bidder_count == len(bidders)
    # Until reveal, only the hash is on chain.
    hidden = emc.bid(rnd.id, cast.mes[2].address)
    assert hidden == Bid(
        rnd.id,
        cast.mes[2].address,
        sealed[cast.mes[2].address].commitment,
        0,
        0,
        0,
        bytes(32),
        BidOutcome.COMMITTED,
    )

    _after(cast, rnd.commit_deadline)
    revealers = bidders[:-2] + bidders[-1:]  # all but mes[6]
    for bidder in revealers:
        _reveal(cast, bidder, sealed[bidder.address])
    s = sealed[cast.mes[3].address]
    assert emc.bid(rnd.id, cast.mes[3].address) == Bid(
        rnd.id,
        cast.mes[3].address,
        s.commitment,
        s.users,
        s.revenue,
        s.ask_bps,
        s.proposal_hash,
        BidOutcome.REVEALED,
    )
    assert emc.bid(rnd.id, cast.mes[6].address).outcome is BidOutcome.COMMITTED
    assert emc.round(rnd.id).revealed_count == len(revealers)

    _after(cast, rnd.reveal_deadline)
    assert emc.bid(rnd.id, cast.mes[6].address).outcome is BidOutcome.LAPSED
    invited = [cast.mes[1].address, cast.partners["platform"].address, cast.mes[3].address]
    result = emc.invite_bids(rnd.id, invited)
    assert list(emc.event(result, BidsInvited).invited) == invited

    outcomes = {b.address: emc.bid(rnd.id, b.address).outcome for b in bidders}
    assert outcomes == {
        cast.mes[1].address: BidOutcome.INVITED,
        cast.mes[2].address: BidOutcome.NOT_INVITED,
        cast.mes[3].address: BidOutcome.INVITED,
        cast.mes[4].address: BidOutcome.NOT_INVITED,
        cast.mes[5].address: BidOutcome.NOT_INVITED,
        cast.mes[6].address: BidOutcome.LAPSED,
        cast.partners["platform"].address: BidOutcome.INVITED,
    }
    # The invited bid keeps its revealed values (the replacement, not the first commitment).
    winner = emc.bid(rnd.id, cast.mes[1].address)
    assert (winner.undertaken_users, winner.ask_bps) == (2_500, 250)
    header = emc.round(rnd.id)
    assert header.decided_at == latest_timestamp(cast.w3)
    assert (header.bidder_count, header.revealed_count, header.invited_count) == (7, 6, 3)
    assert emc.bid(rnd.id, cast.mes[7].address).outcome is BidOutcome.NONE


def test_bid_rounds_are_independent(cast: Cast) -> None:
    first, second = _open(cast), _open(cast)
    assert (first.id, second.id, cast.emc().round_count()) == (1, 2, 2)
    sealed = _seal(cast, cast.mes[1], first, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    assert cast.emc().bidders(second.id) == []
    # A commitment is bound to its round: the same values do not reveal in another.
    _client(cast, cast.mes[1]).commit_bid(second.id, sealed.commitment)
    _after(cast, second.commit_deadline)
    computed = bid_commitment(
        cast.base_emc,
        second.id,
        cast.mes[1].address,
        10,
        5_000,
        100,
        sealed.proposal_hash,
        sealed.salt,
    )
    _refused(
        cast,
        second.id,
        lambda: _client(cast, cast.mes[1]).reveal_bid(
            second.id, 10, 5_000, 100, sealed.proposal_hash, sealed.salt
        ),
        errors.EmcBidMismatch,
        {
            "roundId": 2,
            "bidder": cast.mes[1].address,
            "commitment": "0x" + sealed.commitment.hex(),
            "computed": "0x" + computed.hex(),
        },
    )
    _reveal(cast, cast.mes[1], sealed)


def test_bid_commitment_matches_the_contract(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 2**64 - 1, 10_000)
    sealed = SealedBid.seal(
        sealed.emc, sealed.round_id, sealed.bidder, 2**64 - 1, 2**128 - 1, 10_000, b"\xff" * 32
    )
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    _reveal(cast, cast.mes[1], sealed)  # the contract recomputed the same hash
    assert cast.emc().bid(rnd.id, cast.mes[1].address).undertaken_revenue == 2**128 - 1


def test_reveal_succeeds_at_the_reveal_deadline_and_commit_at_the_commit_deadline(
    cast: Cast,
) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    pin_next_timestamp(cast.w3, rnd.commit_deadline)
    _commit(cast, cast.mes[1], sealed)
    # The SDK estimates against the latest block, so mine one inside the window first.
    increase_time(cast.w3, rnd.reveal_deadline - 1 - latest_timestamp(cast.w3))
    pin_next_timestamp(cast.w3, rnd.reveal_deadline)
    _reveal(cast, cast.mes[1], sealed)
    assert latest_timestamp(cast.w3) == rnd.reveal_deadline
    assert cast.emc().bid(rnd.id, cast.mes[1].address).outcome is BidOutcome.REVEALED


def test_emc_runtime_code_fits_the_size_limit(cast: Cast) -> None:
    # EIP-170: a contract's runtime code may not exceed 24,576 bytes.
    code = bytes.fromhex(cast.artifacts["EMC"].deployed_bytecode.removeprefix("0x"))
    assert 0 < len(code) <= 24_576
    assert cast.w3.eth.get_code(cast.base_emc)  # the clone delegates to the deployed template


# -- openBidRound ------------------------------------------------------------------------


def test_open_bid_round_reverts_when_not_owner(cast: Cast) -> None:
    now = latest_timestamp(cast.w3)
    _refused(
        cast,
        1,
        lambda: _client(cast, cast.mes[1]).open_bid_round(now + 10, now + 20),
        errors.EmcNotOwner,
        {"caller": cast.mes[1].address, "owner": cast.owner.address},
    )


@pytest.mark.parametrize(("commit", "reveal"), [(0, 20), (-1, 20), (10, 10), (10, 9)])
def test_open_bid_round_reverts_when_deadlines_out_of_order(
    cast: Cast, commit: int, reveal: int
) -> None:
    now = latest_timestamp(cast.w3)
    _refused(
        cast,
        1,
        lambda: cast.emc().open_bid_round(now + commit, now + reveal),
        errors.EmcBidDeadlines,
        {"commitDeadline": now + commit, "revealDeadline": now + reveal, "nowTime": now},
    )


# -- commitBid ---------------------------------------------------------------------------


def test_commit_bid_reverts_when_round_unknown(cast: Cast) -> None:
    _open(cast)
    for round_id in (0, 2):
        _refused(
            cast,
            1,
            lambda: _client(cast, cast.mes[1]).commit_bid(round_id, b"\x01" * 32),  # noqa: B023
            errors.EmcUnknownBidRound,
            {"roundId": round_id},
        )


def test_commit_bid_reverts_when_caller_not_an_active_me_or_partner(cast: Cast) -> None:
    rnd = _open(cast)
    outsider = new_account()
    cast.as_(cast.admin).registry.suspend(cast.mes[2].address)
    for caller in (cast.auditor, cast.steward, outsider, cast.mes[2]):
        _refused(
            cast,
            rnd.id,
            lambda: _client(cast, caller).commit_bid(rnd.id, b"\x01" * 32),  # noqa: B023
            errors.EmcCallerNotActive,
            {"caller": caller.address},
        )


def test_commit_bid_reverts_after_the_commit_deadline(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    now = latest_timestamp(cast.w3)
    for bidder in (cast.mes[1], cast.mes[2]):  # neither a replacement nor a new bid
        _refused(
            cast,
            rnd.id,
            lambda: _client(cast, bidder).commit_bid(rnd.id, b"\x02" * 32),  # noqa: B023
            errors.EmcCommitClosed,
            {"roundId": rnd.id, "commitDeadline": rnd.commit_deadline, "nowTime": now},
        )


def test_commit_bid_reverts_when_commitment_zero(cast: Cast) -> None:
    rnd = _open(cast)
    _refused(
        cast,
        rnd.id,
        lambda: _client(cast, cast.mes[1]).commit_bid(rnd.id, bytes(32)),
        errors.EmcZeroCommitment,
        {"roundId": rnd.id},
    )


# -- revealBid ---------------------------------------------------------------------------


def test_reveal_bid_reverts_before_the_commit_deadline_passes(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    pin_next_timestamp(cast.w3, rnd.commit_deadline)
    cast.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    now = latest_timestamp(cast.w3)
    assert now == rnd.commit_deadline
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[1], sealed),
        errors.EmcRevealNotOpen,
        {"roundId": rnd.id, "commitDeadline": rnd.commit_deadline, "nowTime": now},
    )


def test_reveal_bid_reverts_after_the_reveal_deadline(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.reveal_deadline)
    now = latest_timestamp(cast.w3)
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[1], sealed),
        errors.EmcRevealClosed,
        {"roundId": rnd.id, "revealDeadline": rnd.reveal_deadline, "nowTime": now},
    )
    assert cast.emc().bid(rnd.id, cast.mes[1].address).outcome is BidOutcome.LAPSED


def test_reveal_bid_reverts_when_caller_committed_nothing(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    # Another wallet revealing mes[1]'s values has no commitment of its own.
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[2], sealed),
        errors.EmcNoBid,
        {"roundId": rnd.id, "bidder": cast.mes[2].address},
    )


def test_reveal_bid_reverts_when_values_do_not_match(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    client = _client(cast, cast.mes[1])
    variants = [
        (11, sealed.revenue, sealed.ask_bps, sealed.proposal_hash, sealed.salt),
        (10, sealed.revenue + 1, sealed.ask_bps, sealed.proposal_hash, sealed.salt),
        (10, sealed.revenue, 99, sealed.proposal_hash, sealed.salt),
        (10, sealed.revenue, sealed.ask_bps, bytes(32), sealed.salt),
        (10, sealed.revenue, sealed.ask_bps, sealed.proposal_hash, bytes(32)),
    ]
    for users, revenue, ask, proposal, salt in variants:
        computed = bid_commitment(
            cast.base_emc, rnd.id, cast.mes[1].address, users, revenue, ask, proposal, salt
        )
        _refused(
            cast,
            rnd.id,
            lambda: client.reveal_bid(rnd.id, users, revenue, ask, proposal, salt),  # noqa: B023
            errors.EmcBidMismatch,
            {
                "roundId": rnd.id,
                "bidder": cast.mes[1].address,
                "commitment": "0x" + sealed.commitment.hex(),
                "computed": "0x" + computed.hex(),
            },
        )


def test_reveal_bid_reverts_when_already_revealed(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    _reveal(cast, cast.mes[1], sealed)
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[1], sealed),
        errors.EmcBidAlreadyRevealed,
        {"roundId": rnd.id, "bidder": cast.mes[1].address},
    )


def test_reveal_bid_reverts_when_ask_above_100_percent(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 10_001)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[1], sealed),
        errors.EmcBidAskTooHigh,
        {"askBps": 10_001, "max": 10_000},
    )


def test_reveal_bid_reverts_when_bidder_suspended(cast: Cast) -> None:
    rnd = _open(cast)
    sealed = _seal(cast, cast.mes[1], rnd, 10, 100)
    _commit(cast, cast.mes[1], sealed)
    _after(cast, rnd.commit_deadline)
    cast.as_(cast.admin).registry.suspend(cast.mes[1].address)
    _refused(
        cast,
        rnd.id,
        lambda: _reveal(cast, cast.mes[1], sealed),
        errors.EmcCallerNotActive,
        {"caller": cast.mes[1].address},
    )


# -- inviteBids --------------------------------------------------------------------------


def _revealed_round(cast: Cast) -> Round:
    """A round where mes[1] and mes[2] revealed and mes[3] committed without revealing."""
    rnd = _open(cast)
    sealed = {b.address: _seal(cast, b, rnd, 10, 100) for b in cast.mes[1:4]}
    for bidder in cast.mes[1:4]:
        _commit(cast, bidder, sealed[bidder.address])
    _after(cast, rnd.commit_deadline)
    for bidder in cast.mes[1:3]:
        _reveal(cast, bidder, sealed[bidder.address])
    return rnd


def test_invite_bids_reverts_when_not_owner(cast: Cast) -> None:
    rnd = _revealed_round(cast)
    _after(cast, rnd.reveal_deadline)
    _refused(
        cast,
        rnd.id,
        lambda: _client(cast, cast.mes[1]).invite_bids(rnd.id, [cast.mes[1].address]),
        errors.EmcNotOwner,
        {"caller": cast.mes[1].address, "owner": cast.owner.address},
    )


def test_invite_bids_reverts_before_the_reveal_deadline_passes(cast: Cast) -> None:
    rnd = _revealed_round(cast)
    now = latest_timestamp(cast.w3)
    _refused(
        cast,
        rnd.id,
        lambda: cast.emc().invite_bids(rnd.id, [cast.mes[1].address]),
        errors.EmcRevealNotOver,
        {"roundId": rnd.id, "revealDeadline": rnd.reveal_deadline, "nowTime": now},
    )


def test_invite_bids_reverts_when_a_bid_was_not_revealed(cast: Cast) -> None:
    rnd = _revealed_round(cast)
    _after(cast, rnd.reveal_deadline)
    cases = [
        ([cast.mes[1].address, cast.mes[3].address], cast.mes[3].address, BidOutcome.LAPSED),
        ([cast.mes[4].address], cast.mes[4].address, BidOutcome.NONE),
        (
            [cast.mes[1].address, cast.mes[2].address, cast.mes[1].address],
            cast.mes[1].address,
            BidOutcome.INVITED,
        ),
    ]
    for invited, bidder, outcome in cases:
        _refused(
            cast,
            rnd.id,
            lambda: cast.emc().invite_bids(rnd.id, invited),  # noqa: B023
            errors.EmcBidNotRevealed,
            {"roundId": rnd.id, "bidder": bidder, "outcome": outcome},
        )


def test_invite_bids_reverts_when_round_already_decided(cast: Cast) -> None:
    rnd = _revealed_round(cast)
    _after(cast, rnd.reveal_deadline)
    cast.emc().invite_bids(rnd.id, [cast.mes[1].address])
    decided_at = latest_timestamp(cast.w3)
    for invited in ([cast.mes[2].address], []):
        _refused(
            cast,
            rnd.id,
            lambda: cast.emc().invite_bids(rnd.id, invited),  # noqa: B023
            errors.EmcRoundDecided,
            {"roundId": rnd.id, "decidedAt": decided_at},
        )


def test_invite_bids_with_nobody_decides_the_round(cast: Cast) -> None:
    rnd = _revealed_round(cast)
    _after(cast, rnd.reveal_deadline)
    cast.emc().invite_bids(rnd.id, [])
    emc = cast.emc()
    assert [emc.bid(rnd.id, b.address).outcome for b in cast.mes[1:4]] == [
        BidOutcome.NOT_INVITED,
        BidOutcome.NOT_INVITED,
        BidOutcome.LAPSED,
    ]


def test_bid_reads_revert_when_round_unknown(cast: Cast) -> None:
    emc = cast.emc()
    for read in (emc.round, emc.bidders, lambda r: emc.bid(r, cast.mes[1].address)):
        with pytest.raises(errors.EmcUnknownBidRound):
            read(1)
