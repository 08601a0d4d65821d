"""The Smart Cooking demo carried on past its first month, for the statement's tests.

Month 1 is the demo's seed (the source's figures). Then the shares are renegotiated
towards marketing and sales (version 2, from period 2) and three more months are settled
with a rising profit per unit; the target is reached in month 2 and the value-added pool
fills the 600,000 RMB sharing space in month 4. Some members claim along the way.
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_typing import ChecksumAddress
from eth_utils.crypto import keccak
from web3 import Web3

from rdh_chain.demo import DEV_FUND_BPS, MES, PARTNERS, YUAN, DemoCast, seed
from rdh_chain.deployment import deploy
from rdh_chain.events import Decoded, EventDecoder, fetch_logs
from rdh_chain.ledger import Ledger
from rdh_chain.statements import provider_accounts
from rdh_chain.toolchain import Artifact
from rdh_chain.tx import TxSender
from rdh_chain.types import ZERO_ADDRESS, PeriodReport, Position, ShareClass, ShareEntry

# Month 2 onwards: the value-added pool (still 6%) weighs towards marketing and sales.
MES_V2: dict[str, int] = {
    "me-smart-cooking": 70,
    "me-rnd-recipes": 40,
    "me-rnd-ovens": 40,
    "me-supply": 40,
    "me-manufacturing": 40,
    "me-marketing": 100,
    "me-sales-online": 90,
    "me-sales-stores": 70,
    "me-logistics": 50,
    "me-service": 30,
    "me-it": 30,
}
MONTHS: tuple[PeriodReport, ...] = (
    # profit per duck: 48.255 RMB (month 1), then 53.3333..., 60, then 62.5
    PeriodReport(
        users=30_000,
        units=30_000,
        revenue=6_300_000 * YUAN,
        cost=4_700_000 * YUAN,
        profit=1_600_000 * YUAN,
        document_hash=keccak(text="Smart Cooking statement 2020-09"),
    ),
    PeriodReport(
        users=40_000,
        units=40_000,
        revenue=9_000_000 * YUAN,
        cost=6_600_000 * YUAN,
        profit=2_400_000 * YUAN,
        document_hash=keccak(text="Smart Cooking statement 2020-10"),
    ),
    PeriodReport(
        users=96_000,
        units=96_000,
        revenue=22_000_000 * YUAN,
        cost=16_000_000 * YUAN,
        profit=6_000_000 * YUAN,
        document_hash=keccak(text="Smart Cooking statement 2020-11"),
    ),
)


@dataclass(frozen=True)
class DemoChain:
    ledger: Ledger
    cast: DemoCast
    emc: ChecksumAddress
    decoder: EventDecoder

    def events(self) -> list[Decoded]:
        w3 = self.ledger.w3
        logs = fetch_logs(
            w3.provider,
            self.ledger.deployment.block,
            w3.eth.block_number,
            [self.emc],
        )
        return self.decoder.decode_all(logs)

    def names(self) -> dict[str, str]:
        named: dict[str, str] = {a.address: n for n, a in self.cast.mes.items()}
        named.update({a.address: n for n, a in self.cast.partners.items()})
        named[self.cast.auditor.address] = "auditor"
        named[self.emc] = "Smart Cooking EMC"
        return named

    def positions(self) -> dict[str, Position]:
        """Every provider's position now (the development fund's included)."""
        emc = self.ledger.emc(self.emc)
        return {a: emc.position(a) for a in provider_accounts(self.emc, self.events())}

    def account(self, name: str) -> ChecksumAddress:
        wallets = {**self.cast.mes, **self.cast.partners}
        return wallets[name].address


def make_demo(w3: Web3, artifacts: dict[str, Artifact]) -> DemoChain:
    """A fresh deployment seeded as ``make run`` seeds it (month 1, the chef's claim)."""
    cast = DemoCast(
        admin=Account.create(),
        treasury=Account.create(),
        auditor=Account.create(),
        steward=Account.create(),
        mes={name: Account.create() for name, _, _ in MES},
        partners={name: Account.create() for name in PARTNERS},
    )
    deployment = deploy(TxSender(w3, cast.admin, Ledger.decoder_for(artifacts)), artifacts)
    ledger = Ledger(w3, deployment, artifacts)
    emc = seed(ledger, cast)
    decoder = EventDecoder.from_abis(a.abi for a in artifacts.values())
    return DemoChain(ledger, cast, emc, decoder)


def carry_on(demo: DemoChain, months: int = len(MONTHS)) -> None:
    """Version 2 (from period 2), then ``months`` more settled months, with claims."""
    ledger, cast = demo.ledger, demo.cast
    owner = ledger.connect(cast.owner)
    emc = owner.emc(demo.emc)
    entries = [
        ShareEntry(cast.partners[name].address, ShareClass.PARTNER, bps)
        for name, bps in PARTNERS.items()
    ]
    for name, operating, _ in MES:
        address = cast.mes[name].address
        entries.append(ShareEntry(address, ShareClass.OPERATING, operating))
        entries.append(ShareEntry(address, ShareClass.VALUE_ADDED, MES_V2[name]))
    entries.append(ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, DEV_FUND_BPS))
    owner.agree(
        emc,
        entries,
        [*cast.mes.values(), *cast.partners.values()],
        keccak(text="Smart Cooking agreement v2 (marketing and sales weighted)"),
    )
    treasury = ledger.connect(cast.treasury)
    for i, report in enumerate(MONTHS[:months]):
        treasury.token.mint(cast.owner.address, report.profit)
        owner.settle(emc, report)
        if i == 0:
            # The duck farm claims its partner share of months 1-2; marketing its operating
            # share and its value-added credit, unlocked by the target in month 2.
            ledger.connect(cast.partners["duck-farm"]).emc(demo.emc).claim()
            ledger.connect(cast.mes["me-marketing"]).emc(demo.emc).claim()
