"""Gas per operation, for EMCs whose share version names N members.

Each N gets its own deployment on the shared anvil, so every column is the same
story told with a different number of members: register them, create the EMC,
agree the shares (the owner proposes, every member signs the EIP-712 typed data
with its own key, one transaction submits the signatures), settle periods and
claim, all through the SDK as users would. A second EMC with the same members,
short of its target, tells the rest of the story: members invest, periods lose
money, and the loss that reaches the threshold dissolves it (see ``_lifecycle``).
The figures are the receipts' ``gasUsed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from web3 import Web3
from web3.types import RPCEndpoint

from bench.setup import fresh_ledger
from rdh_chain.agreements import sign_version
from rdh_chain.bids import SealedBid
from rdh_chain.demo import EXPLORE, SMART_COOKING
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.types import (
    TOTAL_BPS,
    ZERO_ADDRESS,
    EmcStatus,
    PeriodReport,
    Role,
    ShareClass,
    ShareEntry,
    Strategy,
)

# Row names, in the order the tables print them.
CREATE_EMC = "create EMC"
ADD_MEMBER = "add member (Nth)"
PROPOSE = "propose shares"
ACTIVATE = "activate shares"
ACTIVATE_PER_SIGNER = "activate per extra signer"
SET_SHARES = "set shares (propose + activate)"
SETTLE_FIRST = "settle (first period)"
SETTLE = "settle"
APPROVE = "approve (before each settle)"
SETTLE_MAX = "settle (approved max)"
FIRST_CLAIM = "first claim"
CLAIM = "claim"
# The lifecycle EMC (see _lifecycle): share versions activated before it dissolves.
LIFECYCLE_VERSIONS = 3
SETTLE_FIRST_LOSS = "settle, first loss (capital pays)"
SETTLE_LOSS = "settle, loss (capital pays)"
INVEST_FIRST = "invest (first in the EMC)"
INVEST = "invest (later, another member)"
DISSOLVE = f"settle, loss dissolving ({LIFECYCLE_VERSIONS} versions)"
CLAIM_CAPITAL = "claimCapital (after dissolution)"
CLAIM_DISSOLVED = "claim (after dissolution, pool forfeited)"
TERMINATE = "terminate (notice)"
BID_COMMIT = "bid commit"
BID_REVEAL = "bid reveal"
ROWS = (
    CREATE_EMC,
    ADD_MEMBER,
    PROPOSE,
    ACTIVATE,
    ACTIVATE_PER_SIGNER,  # derived from the activations: see per_extra_signer
    SET_SHARES,
    SETTLE_FIRST,
    SETTLE,
    APPROVE,
    SETTLE_MAX,
    FIRST_CLAIM,
    CLAIM,
    SETTLE_FIRST_LOSS,
    SETTLE_LOSS,
    INVEST_FIRST,
    INVEST,
    DISSOLVE,
    CLAIM_CAPITAL,
    CLAIM_DISSOLVED,
    TERMINATE,
    BID_COMMIT,
    BID_REVEAL,
)
# What measure() returns: every row but the derived one (N=1 has no second investor).
OPERATIONS = tuple(row for row in ROWS if row != ACTIVATE_PER_SIGNER)
# The column the marginal cost of a signature is measured from.
REFERENCE_N = 10

# The Smart Cooking figures (DOMAIN.md): partners get 2-6 % each (the template's bounds,
# checked when a version is proposed), about 9 % is the development fund, the MEs share
# the rest.
PARTNER_BPS = 400
DEV_FUND_BPS = 900
MAX_PARTNERS = 4
# The Smart Cooking guideline and scores (see rdh_chain.demo): 20,000 users, 10M RMB
# revenue, 600,000 RMB sharing space, partners at 200-600 bps.
FORMULA = EXPLORE
CRITERIA = SMART_COOKING
# The first period reaches the target, so later periods are the steady state: no
# TargetReached, value-added credit unlocked.
FIRST_PERIOD = PeriodReport(
    users=20_000, units=20_000, revenue=10_000_000_00, cost=9_000_000_00, profit=1_000_000_00
)
PERIOD = PeriodReport(
    users=1_000, units=1_000, revenue=500_000_00, cost=400_000_00, profit=100_000_00
)
OWNER_FUNDS = 10**12  # fen; far more than every period's profit together
MAX_UINT256 = 2**256 - 1
# The lifecycle EMC's losses and investments, in 1/10 of its loss threshold (the guideline
# sets it at 10 % of the revenue target: 1M RMB). Two losses of 1/10 leave the capital well
# above zero; the third loss brings the total to the threshold. The first investment alone
# (15/10) outlives the losses the capital pays (10/10), so the investors have something to
# claim back even for N=1, where no other member invests.
LOSS_TENTHS = (1, 1, 8)
INVEST_TENTHS = (15, 5)


@dataclass(frozen=True)
class Members:
    """The N accounts a share version names: a few partners, the rest MEs."""

    partners: tuple[LocalAccount, ...]
    mes: tuple[LocalAccount, ...]

    @classmethod
    def create(cls, count: int) -> Members:
        if count < 1:
            raise ValueError("an EMC needs at least one member")
        partners = min(MAX_PARTNERS, count // 3)
        accounts = tuple(Account.create() for _ in range(count))
        return cls(partners=accounts[count - partners :], mes=accounts[: count - partners])

    @property
    def all(self) -> tuple[LocalAccount, ...]:
        return self.mes + self.partners

    @property
    def claimant(self) -> LocalAccount:
        """The ME whose claims are measured: present for every N, operating share, no
        token balance before its first claim."""
        return self.mes[0]

    def share_entries(self) -> list[ShareEntry]:
        """One entry per member plus the development fund, exactly 10,000 bps.

        MEs alternate between operating and value-added shares and split what the
        partners and the fund leave; the first ME takes the remainder.
        """
        me_bps = TOTAL_BPS - DEV_FUND_BPS - PARTNER_BPS * len(self.partners)
        each, remainder = divmod(me_bps, len(self.mes))
        entries = [
            ShareEntry(
                me.address,
                ShareClass.OPERATING if i % 2 == 0 else ShareClass.VALUE_ADDED,
                each + (remainder if i == 0 else 0),
            )
            for i, me in enumerate(self.mes)
        ]
        entries += [ShareEntry(p.address, ShareClass.PARTNER, PARTNER_BPS) for p in self.partners]
        entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, DEV_FUND_BPS))
        return entries


@dataclass(frozen=True)
class Column:
    """One N's figures: gas by operation, and how many parties signed the version."""

    gas: dict[str, int]
    parties: int


def per_extra_signer(
    activate: Mapping[int, int], parties: Mapping[int, int], reference: int = REFERENCE_N
) -> dict[int, int]:
    """Marginal activation gas per signature, each N against the ``reference`` column:
    ``(activate(N) - activate(ref)) / (parties(N) - parties(ref))``, rounded.

    What activation costs regardless of the signers (the version's checks, the epoch
    and status writes, the transaction itself) cancels out. Empty without the reference.
    """
    if reference not in activate:
        return {}
    return {
        n: round((used - activate[reference]) / (parties[n] - parties[reference]))
        for n, used in activate.items()
        if parties[n] != parties[reference]
    }


def _register(ledger: Ledger, account: ChecksumAddress, role: Role) -> int:
    return ledger.registry.add_member(account, role).gas_used


BID_COMMIT_WINDOW = 3_600


def _bid_gas(
    w3: Web3, leader: Ledger, emc_address: ChecksumAddress, bidder: LocalAccount
) -> tuple[int, int]:
    """Gas of a sealed bid's commit and reveal, by the round's second bidder (the owner bids
    first, so neither pays for the round's first bidder slot): independent of N."""
    emc = leader.emc(emc_address)
    now = int(w3.eth.get_block("latest")["timestamp"])
    round_id, _ = emc.open_bid_round(now + BID_COMMIT_WINDOW, now + 2 * BID_COMMIT_WINDOW)
    bids = []
    for ledger in (leader, leader.connect(bidder)):
        assert ledger.sender is not None
        sealed = SealedBid.seal(
            emc_address, round_id, ledger.sender.address, 1_000, 500_000_00, 500, bytes(32)
        )
        committed = ledger.emc(emc_address).commit_bid(round_id, sealed.commitment)
        bids.append((ledger, sealed, committed.gas_used))
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [BID_COMMIT_WINDOW + 1])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    revealed = 0
    for ledger, sealed, _ in bids:
        revealed = (
            ledger.emc(emc_address)
            .reveal_bid(
                round_id,
                sealed.users,
                sealed.revenue,
                sealed.ask_bps,
                sealed.proposal_hash,
                sealed.salt,
            )
            .gas_used
        )
    return bids[-1][2], revealed


def measure(w3: Web3, artifacts: Mapping[str, Artifact], n: int) -> Column:
    """Gas of every operation for an EMC with ``n`` members, on a fresh deployment."""
    treasury, owner = Account.create(), Account.create()
    members = Members.create(n)
    entries = members.share_entries()
    assert sum(e.bps for e in entries) == TOTAL_BPS
    assert len(entries) == n + 1

    operator = fresh_ledger(w3, artifacts)
    steward = Account.create()
    _register(operator, treasury.address, Role.TREASURY)
    _register(operator, owner.address, Role.ME)
    _register(operator, steward.address, Role.STEWARD)
    operator.connect(steward).guidelines.publish_formula(Strategy.EXPLORE, FORMULA)
    gas: dict[str, int] = {}
    for account in members.mes:
        gas[ADD_MEMBER] = _register(operator, account.address, Role.ME)
    for account in members.partners:
        gas[ADD_MEMBER] = _register(operator, account.address, Role.PARTNER)

    # The EMC's terms come from the published guideline, as the platform registers EMCs.
    emc_address, created = operator.factory.create_emc(owner.address, Strategy.EXPLORE, CRITERIA)
    gas[CREATE_EMC] = created.gas_used

    leader = operator.connect(owner)
    emc = leader.emc(emc_address)
    # The SDK puts the entries in the contract's order; each member signs the typed data
    # with its own key; anyone may submit the signatures, here the owner.
    version_id, proposed = emc.propose_version(entries)
    typed = emc.typed_data(version_id)
    signatures = [sign_version(account, typed) for account in members.all]
    activated = emc.activate_version(version_id, signatures)
    parties = emc.version(version_id).party_count
    if parties != len(signatures):
        raise RuntimeError(f"version names {parties} parties, {len(signatures)} signed")
    gas[PROPOSE] = proposed.gas_used
    gas[ACTIVATE] = activated.gas_used
    gas[SET_SHARES] = proposed.gas_used + activated.gas_used

    operator.connect(treasury).token.mint(owner.address, OWNER_FUNDS)
    _, first = leader.settle(emc, FIRST_PERIOD)
    gas[SETTLE_FIRST] = first.gas_used
    # Steady state: the EMC already holds tokens, the target is reached, and
    # Ledger.settle approves exactly the profit, as users' code does.
    _, settled = leader.settle(emc, PERIOD)
    gas[SETTLE] = settled.gas_used

    claimant = operator.connect(members.claimant).emc(emc_address)
    _, claimed = claimant.claim()
    gas[FIRST_CLAIM] = claimed.gas_used

    # The two transactions Ledger.settle sends, one by one, to read the approve's gas.
    gas[APPROVE] = leader.token.approve(emc_address, PERIOD.profit).gas_used
    emc.settle(PERIOD)
    _, claimed = claimant.claim()  # it claimed last period: the steady-state claim
    gas[CLAIM] = claimed.gas_used

    # With an unlimited allowance Ledger.settle sends no approve and the allowance
    # slot is never written.
    leader.token.approve(emc_address, MAX_UINT256)
    _, settled = leader.settle(emc, PERIOD)
    gas[SETTLE_MAX] = settled.gas_used

    gas[BID_COMMIT], gas[BID_REVEAL] = _bid_gas(w3, leader, emc_address, members.claimant)
    gas.update(_lifecycle(operator, treasury, owner, members, entries))
    return Column(gas={op: gas[op] for op in OPERATIONS if op in gas}, parties=parties)


def _loss(loss: int) -> PeriodReport:
    """A period whose costs exceed its revenue by ``loss``: no profit to pay in."""
    return PeriodReport(
        users=PERIOD.users,
        units=PERIOD.units,
        revenue=PERIOD.revenue,
        cost=PERIOD.revenue + loss,
        profit=0,
    )


def _invest(minter: Ledger, investor: Ledger, emc_address: ChecksumAddress, amount: int) -> int:
    """Gas of ``investor`` investing ``amount``, approved just before as users do; it holds
    twice that, so its balance stays above zero."""
    assert investor.sender is not None
    minter.token.mint(investor.sender.address, 2 * amount)
    investor.token.approve(emc_address, amount)
    _, invested = investor.emc(emc_address).invest(amount)
    return invested.gas_used


def _lifecycle(
    operator: Ledger,
    treasury: LocalAccount,
    owner: LocalAccount,
    members: Members,
    entries: list[ShareEntry],
) -> dict[str, int]:
    """Gas of investing, losses, dissolution and what follows, on a second EMC that never
    reaches its target, so dissolving forfeits its value-added pool.

    The same N members agree ``LIFECYCLE_VERSIONS`` versions in turn, a profitable period
    settled under each, so dissolving walks that many epochs to release the pool. The
    claimant (an ME with an operating share) invests first and claims along the way;
    another member invests later. The owner gives a member notice before the end.
    """
    gas: dict[str, int] = {}
    emc_address, _ = operator.factory.create_emc(owner.address, Strategy.EXPLORE, CRITERIA)
    leader = operator.connect(owner)
    emc = leader.emc(emc_address)
    tenth = emc.terms().loss_threshold // 10
    claimant = operator.connect(members.claimant)
    investors = [claimant]
    if len(members.all) > 1:
        investors.append(operator.connect(members.all[1]))
    minter = operator.connect(treasury)

    for version in range(LIFECYCLE_VERSIONS):
        leader.agree(emc, entries, members.all)
        leader.settle(emc, PERIOD)
        if version == 0:
            # zip stops at the investors there are: N=1 has no second member to invest.
            rows = (INVEST_FIRST, INVEST)
            for investor, tenths, row in zip(investors, INVEST_TENTHS, rows, strict=False):
                gas[row] = _invest(minter, investor, emc_address, tenths * tenth)
    claimant.emc(emc_address).claim()  # so the last claim is a steady one
    leader.settle(emc, PERIOD)  # profit the last claim collects
    # After the last version: a member whose notice has run out may not be named again.
    gas[TERMINATE] = emc.terminate(members.all[-1].address, 1, bytes(32)).gas_used

    for tenths, row in zip(LOSS_TENTHS, (SETTLE_FIRST_LOSS, SETTLE_LOSS, DISSOLVE), strict=True):
        _, settled = leader.settle(emc, _loss(tenths * tenth))
        gas[row] = settled.gas_used
    if emc.status() is not EmcStatus.DISSOLVED:
        raise RuntimeError(f"losses of {sum(LOSS_TENTHS)}/10 of the threshold did not dissolve")
    totals = emc.capital_totals()
    if totals.capital == 0 or (totals.pool_released == 0 and len(members.mes) > 1):
        raise RuntimeError(f"dissolution left no capital or released no pool: {totals}")

    _, returned = claimant.emc(emc_address).claim_capital()
    gas[CLAIM_CAPITAL] = returned.gas_used
    _, claimed = claimant.emc(emc_address).claim()
    gas[CLAIM_DISSOLVED] = claimed.gas_used
    return gas
