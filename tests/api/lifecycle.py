"""Riverside, an EMC built inside one test (the chain reverts after it): invested capital,
a loss, two notices of departure, and helpers for its bid rounds.

Period 1 makes 20,000.00 RMB of profit (me2's value-added 10% stays locked). me2 invests
60,000.00 RMB and the chef 20,000.00 RMB; period 2 loses 30,000.00 RMB, which the capital
pays the owner once an auditor, registered here, has attested the report. The owner then
terminates the chef (1 period of notice, effective after period 3), me2 resigns (3 periods,
after period 5), and period 3 makes 1,000.00 RMB.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain import Artifact
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PeriodReport,
    ReportAttestation,
    Role,
    ShareClass,
    ShareEntry,
)
from tests.api.helpers import World

RIVERSIDE_TERMS = EmcTerms(
    target_users=1_000,
    target_revenue=1_000_000_00,
    sharing_space=10_000_00,
    loss_threshold=100_000_00,
)
LOSS = PeriodReport(1, 1, 10_000_00, 40_000_00, 0)
CHEF_REASON = keccak(text="missed deliveries")
ME2_REASON = keccak(text="moving on")


@dataclass(frozen=True)
class Riverside:
    ledger: Ledger  # read-only, on the world's deployment
    emc: EmcClient  # signing as the owner
    auditor: LocalAccount  # attests the losses drawn on the capital
    chef_noticed_at: int
    me2_noticed_at: int

    def as_(self, account: LocalAccount) -> EmcClient:
        return self.ledger.connect(account).emc(self.emc.address)

    def attest(self, w3: Web3, report: PeriodReport) -> ReportAttestation:
        """The auditor's attestation of ``report`` as the next period, good for an hour."""
        deadline = int(w3.eth.get_block("latest")["timestamp"]) + 3_600
        return self.ledger.connect(self.auditor).attest(self.emc, report, deadline)


def _time(w3: Web3, block_number: int) -> int:
    return int(w3.eth.get_block(block_number)["timestamp"])


def build_riverside(world: World, w3: Web3, artifacts: dict[str, Artifact]) -> Riverside:
    ledger = Ledger(w3, world.deployment, artifacts)
    # Registered inside the test, so the session's world (and its member list) stays as it is.
    auditor: LocalAccount = Account.create()
    ledger.connect(world.admin).registry.add_member(auditor.address, Role.AUDITOR)
    address, _ = ledger.connect(world.admin).factory.create_emc_with_terms(
        world.owner.address, RIVERSIDE_TERMS, keccak(text="riverside")
    )
    owner = ledger.connect(world.owner)
    emc = owner.emc(address)
    entries = [
        ShareEntry(world.chef.address, ShareClass.PARTNER, 500),
        ShareEntry(world.owner.address, ShareClass.OPERATING, 8_000),
        ShareEntry(world.me2.address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 500),
    ]
    owner.agree(emc, entries, [world.chef, world.owner, world.me2])
    owner.settle(emc, PeriodReport(10, 10, 50_000_00, 30_000_00, 20_000_00))
    treasury = ledger.connect(world.treasury).token
    for account, amount in ((world.me2, 60_000_00), (world.chef, 20_000_00)):
        treasury.mint(account.address, amount)
        ledger.connect(account).invest(emc, amount)
    river = Riverside(ledger, emc, auditor, 0, 0)
    owner.settle(emc, LOSS, river.attest(w3, LOSS))
    terminated = emc.terminate(world.chef.address, 1, CHEF_REASON)
    resigned = ledger.connect(world.me2).emc(address).resign(3, ME2_REASON)
    owner.settle(emc, PeriodReport(1, 1, 1_000_00, 0, 1_000_00))
    return Riverside(
        ledger,
        emc,
        auditor,
        _time(w3, terminated.block_number),
        _time(w3, resigned.block_number),
    )


def advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])


def commit(river: Riverside, round_id: int, account: LocalAccount, ask_bps: int) -> SealedBid:
    """``account`` commits a bid for 100 users and 5,000.00 RMB asking ``ask_bps``."""
    sealed = SealedBid.seal(
        river.emc.address, round_id, account.address, 100, 5_000_00, ask_bps, b"\x0b" * 32
    )
    river.as_(account).commit_bid(round_id, sealed.commitment)
    return sealed


def reveal(river: Riverside, account: LocalAccount, sealed: SealedBid) -> None:
    river.as_(account).reveal_sealed(sealed)


def addresses(*accounts: LocalAccount) -> list[ChecksumAddress]:
    return [a.address for a in accounts]
