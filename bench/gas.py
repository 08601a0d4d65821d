"""Gas per operation, for EMCs whose share version names N members.

Each N gets its own deployment on the shared anvil, so every column is the same
story told with a different number of members: register them, create the EMC with
the demo's terms (the Smart Cooking guideline, scores and metadata hash of
``rdh_chain.demo``), agree the shares (the owner proposes, every member signs the
EIP-712 typed data with its own key, one transaction submits the signatures),
settle periods and claim, all through the SDK as users would. More EMCs with the
same members tell the rest of the story: one whose terms ask for every report to be
attested (see ``_attested``), and two, short of their target, in which members
invest, periods lose money (each loss attested by the auditor, as a loss drawn on
capital must be) and the loss that reaches the threshold dissolves them, one after
a single share version and one after three (see ``_lifecycle``). The figures are
the receipts' ``gasUsed``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from web3 import Web3
from web3.types import RPCEndpoint

from bench.setup import fresh_ledger
from rdh_chain.agreements import sign_version
from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.demo import EMC_METADATA, EXPLORE, SMART_COOKING
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.tx import TxResult
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
CREATE_FIRST_EMC = "create EMC (the factory's first)"
ADD_MEMBER = "add member (Nth)"
PROPOSE = "propose shares"
ACTIVATE = "activate shares"
ACTIVATE_PER_SIGNER = "activate per extra signer"
SET_SHARES = "set shares (propose + activate)"
RENEGOTIATE = "renegotiate (propose + activate)"
SET_SHARES_DRAFT = "set shares (signed draft, one transaction)"
SETTLE_FIRST = "settle (first period)"
SETTLE = "settle"
APPROVE = "approve (before each settle)"
SETTLE_MAX = "settle (approved max)"
SETTLE_POOL_FULL = "settle (pool full: excess to the fund)"
SETTLE_ATTESTED = "settle attested (every report attested)"
FIRST_CLAIM = "first claim"
CLAIM = "claim"
CLAIM_NEW_VERSION = "claim (across a new version)"
CLAIM_UNLOCK = "first claim, value-added (pool unlocked)"
CLAIM_VALUE_ADDED = "claim, value-added"
SWEEP = "sweep (credit sent to the EMC)"
# The lifecycle EMCs (see _lifecycle): share versions activated before they dissolve. The
# rows come from the longest; the others show what dissolving costs after fewer versions.
LIFECYCLE_VERSIONS = (1, 3)
SETTLE_FIRST_LOSS = "settle attested, first loss (capital pays)"
SETTLE_LOSS = "settle attested, loss (capital pays)"
INVEST_FIRST = "invest (first in the EMC)"
INVEST = "invest (later, another member)"
DISSOLVE = "settle attested, loss dissolving"
CLAIM_CAPITAL = "claimCapital (first investor, pool share)"
CLAIM_DISSOLVED = "claim (after dissolution, pool forfeited)"
TERMINATE = "terminate (notice)"
RESIGN = "resign (notice)"
BID_COMMIT = "bid commit"
BID_REVEAL = "bid reveal"
ROWS = (
    CREATE_EMC,
    CREATE_FIRST_EMC,
    ADD_MEMBER,
    PROPOSE,
    ACTIVATE,
    ACTIVATE_PER_SIGNER,  # derived from the activations: see per_extra_signer
    SET_SHARES,
    SET_SHARES_DRAFT,
    RENEGOTIATE,
    SETTLE_FIRST,
    SETTLE,
    APPROVE,
    SETTLE_MAX,
    SETTLE_POOL_FULL,
    SETTLE_ATTESTED,
    FIRST_CLAIM,
    CLAIM,
    CLAIM_NEW_VERSION,
    CLAIM_UNLOCK,
    CLAIM_VALUE_ADDED,
    SWEEP,
    INVEST_FIRST,
    INVEST,
    SETTLE_FIRST_LOSS,
    SETTLE_LOSS,
    DISSOLVE,
    CLAIM_CAPITAL,
    CLAIM_DISSOLVED,
    TERMINATE,
    RESIGN,
    BID_COMMIT,
    BID_REVEAL,
)
# What measure() returns: every row but the derived one (N=1 has no pool, no second
# investor and nobody left to resign).
OPERATIONS = tuple(row for row in ROWS if row != ACTIVATE_PER_SIGNER)
# The column the marginal cost of a signature is measured from.
REFERENCE_N = 10

# The Smart Cooking figures (DOMAIN.md): partners get 2-6 % each (the template's bounds,
# checked when a version is proposed), about 9 % is the development fund, the MEs share
# the rest.
PARTNER_BPS = 400
DEV_FUND_BPS = 900
MAX_PARTNERS = 4
# The Smart Cooking guideline, scores and metadata hash, as the demo registers its EMC:
# 20,000 users, 10M RMB revenue, 600,000 RMB sharing space, partners at 200-600 bps, losses
# attested where they draw on capital.
FORMULA = EXPLORE
CRITERIA = SMART_COOKING
METADATA = EMC_METADATA
# Why the attested EMC's terms were set by hand (terms off the guideline need a reason).
ATTEST_ALL_REASON = keccak(text="bench: every report attested")
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
SWEPT = 100_00  # fen sent straight to the EMC, which the owner sweeps into the fund
ATTESTATION_WINDOW = 3_600  # seconds an auditor's attestation stays valid
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

    @property
    def value_added(self) -> LocalAccount | None:
        """An ME holding only a value-added share (none for N=1)."""
        return self.mes[1] if len(self.mes) > 1 else None

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
class World:
    """One N's deployment: the platform's ledgers, the EMC owner and the members."""

    operator: Ledger  # the deployment's admin, also an operator
    treasury: Ledger
    auditor: Ledger
    owner: LocalAccount
    members: Members
    entries: list[ShareEntry]

    @property
    def leader(self) -> Ledger:
        return self.operator.connect(self.owner)

    @property
    def pool_bps(self) -> int:
        return sum(e.bps for e in self.entries if e.share_class is ShareClass.VALUE_ADDED)

    def create_emc(self) -> tuple[EmcClient, TxResult]:
        """An EMC registered from the guideline, with the demo's scores and metadata hash."""
        address, created = self.operator.factory.create_emc(
            self.owner.address, Strategy.EXPLORE, CRITERIA, METADATA
        )
        return self.leader.emc(address), created

    def settle_attested(self, emc: EmcClient, report: PeriodReport) -> TxResult:
        """Settle ``report`` as the owner with the auditor's attestation of it, signed just
        before (Ledger.attest) and valid for ATTESTATION_WINDOW seconds."""
        now = int(self.operator.w3.eth.get_block("latest")["timestamp"])
        attestation = self.auditor.attest(emc, report, now + ATTESTATION_WINDOW)
        _, settled = self.leader.settle(emc, report, attestation)
        return settled


@dataclass(frozen=True)
class Column:
    """One N's figures: gas by operation, how many parties signed the version, and the
    dissolving loss's gas by the number of versions the EMC had."""

    gas: dict[str, int]
    parties: int
    dissolve_by_versions: dict[int, int]


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
    """Add a member with a record reference, as the demo does (a zero one skips a write)."""
    metadata = keccak(text=f"bench {role} {account}")
    return ledger.registry.add_member(account, role, metadata).gas_used


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
    """Gas of every operation for EMCs with ``n`` members, on a fresh deployment."""
    treasury, owner, steward, auditor = (Account.create() for _ in range(4))
    members = Members.create(n)
    entries = members.share_entries()
    assert sum(e.bps for e in entries) == TOTAL_BPS
    assert len(entries) == n + 1

    operator = fresh_ledger(w3, artifacts)
    _register(operator, treasury.address, Role.TREASURY)
    _register(operator, owner.address, Role.ME)
    _register(operator, steward.address, Role.STEWARD)
    _register(operator, auditor.address, Role.AUDITOR)
    operator.connect(steward).guidelines.publish_formula(Strategy.EXPLORE, FORMULA)
    gas: dict[str, int] = {}
    for account in members.mes:
        gas[ADD_MEMBER] = _register(operator, account.address, Role.ME)
    for account in members.partners:
        gas[ADD_MEMBER] = _register(operator, account.address, Role.PARTNER)
    world = World(
        operator=operator,
        treasury=operator.connect(treasury),
        auditor=operator.connect(auditor),
        owner=owner,
        members=members,
        entries=entries,
    )
    world.treasury.token.mint(owner.address, OWNER_FUNDS)

    # The EMCs' terms come from the published guideline, as the platform registers EMCs.
    # The factory's first EMC also starts its list (a fresh length slot); from the second
    # on, every EMC costs the same: the "create EMC" row. The first serves the shortest
    # lifecycle.
    first, created = world.create_emc()
    gas[CREATE_FIRST_EMC] = created.gas_used
    emc, created = world.create_emc()
    gas[CREATE_EMC] = created.gas_used
    parties = _steady(world, emc, gas)
    gas[BID_COMMIT], gas[BID_REVEAL] = _bid_gas(w3, world.leader, emc.address, members.claimant)
    gas[SET_SHARES_DRAFT], gas[SETTLE_ATTESTED] = _attested(world)
    dissolve: dict[int, int] = {}
    for versions in LIFECYCLE_VERSIONS:
        story = first if versions == LIFECYCLE_VERSIONS[0] else world.create_emc()[0]
        measured = _lifecycle(world, story, versions)
        dissolve[versions] = measured[DISSOLVE]
        if versions == max(LIFECYCLE_VERSIONS):
            gas.update(measured)
    return Column(
        gas={op: gas[op] for op in OPERATIONS if op in gas},
        parties=parties,
        dissolve_by_versions=dissolve,
    )


def _steady(world: World, emc: EmcClient, gas: dict[str, int]) -> int:
    """The main EMC: shares agreed, the target reached in the first period, then steady
    settlements and claims, a sweep and, last, settlements once the pool filled the sharing
    space. Returns how many parties signed the version."""
    leader, members = world.leader, world.members
    # The SDK puts the entries in the contract's order; each member signs the typed data
    # with its own key; anyone may submit the signatures, here the owner.
    version_id, proposed = emc.propose_version(world.entries)
    typed = emc.typed_data(version_id)
    signatures = [sign_version(account, typed) for account in members.all]
    activated = emc.activate_version(version_id, signatures)
    parties = emc.version(version_id).party_count
    if parties != len(signatures):
        raise RuntimeError(f"version names {parties} parties, {len(signatures)} signed")
    gas[PROPOSE] = proposed.gas_used
    gas[ACTIVATE] = activated.gas_used
    gas[SET_SHARES] = proposed.gas_used + activated.gas_used

    _, first = leader.settle(emc, FIRST_PERIOD)
    gas[SETTLE_FIRST] = first.gas_used
    # Steady state: the EMC already holds tokens, the target is reached, and
    # Ledger.settle approves exactly the profit, as users' code does.
    _, settled = leader.settle(emc, PERIOD)
    gas[SETTLE] = settled.gas_used

    claimant = world.operator.connect(members.claimant).emc(emc.address)
    _, claimed = claimant.claim()
    gas[FIRST_CLAIM] = claimed.gas_used

    # The two transactions Ledger.settle sends, one by one, to read the approve's gas.
    gas[APPROVE] = leader.token.approve(emc.address, PERIOD.profit).gas_used
    emc.settle(PERIOD)
    _, claimed = claimant.claim()  # it claimed last period: the steady-state claim
    gas[CLAIM] = claimed.gas_used

    # Its credit is value-added only, so nothing was claimable before the target: its
    # first claim is the one that takes its pool share, into an empty balance.
    holder = None
    if members.value_added is not None:
        holder = world.operator.connect(members.value_added).emc(emc.address)
        _, claimed = holder.claim()
        gas[CLAIM_UNLOCK] = claimed.gas_used

    # With an unlimited allowance Ledger.settle sends no approve and the allowance
    # slot is never written.
    leader.token.approve(emc.address, MAX_UINT256)
    _, settled = leader.settle(emc, PERIOD)
    gas[SETTLE_MAX] = settled.gas_used
    if holder is not None:
        _, claimed = holder.claim()  # its steady-state claim, one period after the first
        gas[CLAIM_VALUE_ADDED] = claimed.gas_used

    # Credit sent straight to the EMC is owed to nobody: the owner sweeps it into the fund.
    leader.token.transfer(emc.address, SWEPT)
    swept, result = emc.sweep()
    if swept < SWEPT:
        raise RuntimeError(f"swept {swept} fen, sent {SWEPT}")
    gas[SWEEP] = result.gas_used

    if world.pool_bps:
        if emc.pool().full_at_profit:
            raise RuntimeError("the pool filled the sharing space before the steady rows")
        # One period fills the sharing space; from then on the pool's part of each profit
        # goes to the development fund. Measured as the settle row: approved exactly.
        leader.token.approve(emc.address, 0)
        fill = -(-emc.pool().left * TOTAL_BPS // world.pool_bps) + PERIOD.profit
        leader.settle(emc, replace(PERIOD, revenue=PERIOD.cost + fill, profit=fill))
        if not emc.pool().full_at_profit:
            raise RuntimeError(f"a profit of {fill} fen did not fill the sharing space")
        _, settled = leader.settle(emc, PERIOD)
        gas[SETTLE_POOL_FULL] = settled.gas_used
    gas[RENEGOTIATE] = _renegotiate(world, emc)
    return parties


def _renegotiate(world: World, emc: EmcClient) -> int:
    """Gas of the monthly case: the same parties agree new shares (one basis point moves
    between two MEs), proposed and activated with every signature."""
    entries = list(world.entries)
    mes = [
        i
        for i, e in enumerate(entries)
        if e.share_class is not ShareClass.PARTNER and e.account != ZERO_ADDRESS
    ]
    if len(mes) >= 2:
        first, second = mes[0], mes[1]
        entries[first] = replace(entries[first], bps=entries[first].bps - 1)
        entries[second] = replace(entries[second], bps=entries[second].bps + 1)
    version_id, proposed = emc.propose_version(entries)
    typed = emc.typed_data(version_id)
    signatures = [sign_version(account, typed) for account in world.members.all]
    activated = emc.activate_version(version_id, signatures)
    return proposed.gas_used + activated.gas_used


def _attested(world: World) -> tuple[int, int]:
    """Gas of the first version set from a draft the parties signed (proposed and
    activated in one transaction), and of a steady profit settlement, attested, on an EMC
    whose terms ask for every report to be attested: the guideline's terms with
    ``attest_all_reports`` set by hand. As the main EMC: its first period reaches the
    target, the profit approved exactly."""
    guidelines = world.operator.guidelines
    terms, _ = guidelines.generate_terms(Strategy.EXPLORE, CRITERIA, METADATA)
    address, _ = world.operator.factory.create_emc_with_terms(
        world.owner.address, replace(terms, attest_all_reports=True), ATTEST_ALL_REASON
    )
    leader = world.leader
    emc = leader.emc(address)
    if not emc.terms().attest_all_reports:
        raise RuntimeError("the attested EMC's terms do not ask for attestations")
    draft = emc.draft_typed_data(world.entries)
    signatures = [sign_version(account, draft) for account in world.members.all]
    _, set_shares = emc.propose_and_activate_version(draft, signatures)
    world.settle_attested(emc, FIRST_PERIOD)
    return set_shares.gas_used, world.settle_attested(emc, PERIOD).gas_used


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


def _lifecycle(world: World, emc: EmcClient, versions: int) -> dict[str, int]:
    """Gas of investing, losses, dissolution and what follows, on ``emc`` (new, from the
    guideline), which never reaches its target, so dissolving forfeits its value-added pool.

    The same N members agree ``versions`` versions in turn, a profitable period settled
    under each, after which the claimant (an ME with an operating share, the first to
    invest) claims: from the second version on, its claim crosses a new version. Another
    member invests later. The owner gives a member notice and another resigns before the
    losses, which draw on the capital and so are attested.
    """
    gas: dict[str, int] = {}
    leader, members = world.leader, world.members
    tenth = emc.terms().loss_threshold // 10
    claimant = world.operator.connect(members.claimant).emc(emc.address)
    investors = [world.operator.connect(members.claimant)]
    if len(members.all) > 1:
        investors.append(world.operator.connect(members.all[1]))

    for version in range(versions):
        leader.agree(emc, world.entries, members.all)
        leader.settle(emc, PERIOD)
        if version == 0:
            # zip stops at the investors there are: N=1 has no second member to invest.
            rows = (INVEST_FIRST, INVEST)
            for investor, tenths, row in zip(investors, INVEST_TENTHS, rows, strict=False):
                gas[row] = _invest(world.treasury, investor, emc.address, tenths * tenth)
        _, claimed = claimant.claim()
        if version == 1:
            gas[CLAIM_NEW_VERSION] = claimed.gas_used
    leader.settle(emc, PERIOD)  # profit the claim after dissolution collects
    # After the last version: a member whose notice has run out may not be named again.
    gas[TERMINATE] = emc.terminate(members.all[-1].address, 1, bytes(32)).gas_used
    if len(members.all) > 1:
        resigning = world.operator.connect(members.all[-2]).emc(emc.address)
        gas[RESIGN] = resigning.resign(1, bytes(32)).gas_used

    losses = (SETTLE_FIRST_LOSS, SETTLE_LOSS, DISSOLVE)
    for tenths, row in zip(LOSS_TENTHS, losses, strict=True):
        gas[row] = world.settle_attested(emc, _loss(tenths * tenth)).gas_used
    if emc.status() is not EmcStatus.DISSOLVED:
        raise RuntimeError(f"losses of {sum(LOSS_TENTHS)}/10 of the threshold did not dissolve")
    totals = emc.capital_totals()
    if totals.capital == 0 or (totals.pool_to_investors == 0 and world.pool_bps):
        raise RuntimeError(f"dissolution left no capital or released no pool: {totals}")

    _, returned = claimant.claim_capital()
    gas[CLAIM_CAPITAL] = returned.gas_used
    _, claimed = claimant.claim()
    gas[CLAIM_DISSOLVED] = claimed.gas_used
    return gas
