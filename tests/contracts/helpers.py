"""What the contract tests share: the deployed cast of members and a reference model of payouts.

The model restates ``contracts/libraries/Accrual.sol`` and ``EMC._accrued`` in plain
integers: an account that held ``bps`` while ``profit`` was settled earned ``bps * profit``
credit in 1/10,000 fen; whole fen of payable credit are claimable, whole fen of value-added
credit are locked until the target is reached, and each remainder (dust) stays with the
account: payable and value-added credit keep separate remainders, also once the target is
reached. Because the dust carries over, an account's figures depend only on its total
credit, never on when it claimed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress, HexStr
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract import Contract
from web3.types import RPCEndpoint

from rdh_chain.agreements import sign_version, typed_data_parties
from rdh_chain.contracts import EmcClient
from rdh_chain.contracts.base import ContractClient
from rdh_chain.deployment import Deployment
from rdh_chain.exceptions import ContractRevertError
from rdh_chain.ledger import Ledger
from rdh_chain.toolchain.artifacts import Artifact
from rdh_chain.tx import TxResult
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PartySignature,
    PeriodReport,
    Position,
    ReportAttestation,
    Role,
    ShareClass,
    ShareEntry,
)

BPS = 10_000
# The registry's DEFAULT_ADMIN_ROLE, as the revert decoder shows a bytes32.
ADMIN_ROLE_HEX = "0x" + "00" * 32
PARTNER_NAMES = ("platform", "chef", "food_processor", "duck_farm")


def role_hex(role: Role) -> str:
    """``role``'s id as the revert decoder renders a bytes32 argument."""
    return "0x" + role.id.hex()


def new_account() -> LocalAccount:
    # Gas is free on the test chain, so a fresh key can sign without funding.
    account: LocalAccount = Account.create()
    return account


@dataclass
class Cast:
    """A deployed ledger with one wallet per role, plus one EMC ready for permission tests.

    ``base_emc`` is owned by ``mes[0]``: version 1 (chef partner 1,000 bps, ``mes[0]``
    operating 7,000, ``mes[1]`` value-added 1,000, dev fund 1,000) was signed by its three
    parties and is active, version 2 (the same entries) is proposed but unsigned, one period
    of ``BASE_PROFIT`` is settled, and the owner holds spare credit.
    """

    w3: Web3
    artifacts: dict[str, Artifact]
    deployment: Deployment
    ledger: Ledger  # read-only
    admin: LocalAccount  # registry admin and first operator
    operator2: LocalAccount  # an operator without the admin role
    treasury: LocalAccount
    auditor: LocalAccount
    steward: LocalAccount
    mes: list[LocalAccount]
    partners: dict[str, LocalAccount]
    base_emc: ChecksumAddress = ZERO_ADDRESS
    _signers: dict[ChecksumAddress, Ledger] = field(default_factory=dict)
    _state_calls: list[dict[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Cast(registry={self.deployment.registry})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis prints a failing example's arguments; the artifacts would fill pages.
        printer.text(repr(self))

    def as_(self, account: LocalAccount) -> Ledger:
        """The ledger signing as ``account`` (one per account, so nonces stay in one place)."""
        signer = self._signers.get(account.address)
        if signer is None:
            signer = self.ledger.connect(account)
            self._signers[account.address] = signer
        return signer

    def refresh(self) -> None:
        """Forget cached nonces: an ``evm_revert`` between tests rewinds them on chain."""
        self.ledger.forget_nonces()

    @property
    def chef(self) -> LocalAccount:
        return self.partners["chef"]

    @property
    def owner(self) -> LocalAccount:
        return self.mes[0]

    @property
    def wallets(self) -> list[LocalAccount]:
        """Every wallet a version can name: the MEs and the partners."""
        return [*self.mes, *self.partners.values()]

    def emc(self, address: ChecksumAddress | None = None) -> EmcClient:
        """The owner's client for the EMC at ``address`` (the base EMC by default)."""
        return self.as_(self.owner).emc(address or self.base_emc)

    def agree(
        self,
        address: ChecksumAddress,
        entries: Sequence[ShareEntry],
        document_hash: bytes = bytes(32),
    ) -> tuple[int, TxResult]:
        """The owner proposes ``entries``, every party named signs, the owner activates."""
        owner = self.as_(self.owner)
        return owner.agree(owner.emc(address), entries, self.wallets, document_hash)

    def sign(
        self,
        emc: EmcClient,
        version_id: int,
        accounts: Iterable[LocalAccount] | None = None,
    ) -> list[PartySignature]:
        """Signatures of ``version_id`` by ``accounts`` (by default, every party it names)."""
        typed = emc.typed_data(version_id)
        if accounts is None:
            by_address = {a.address: a for a in self.wallets}
            accounts = [by_address[p] for p in emc.parties(version_id)]
        return [sign_version(account, typed) for account in accounts]

    def sign_draft(
        self, emc: EmcClient, entries: Sequence[ShareEntry], document_hash: bytes = bytes(32)
    ) -> tuple[dict[str, Any], list[PartySignature]]:
        """The typed data of ``entries`` as ``emc``'s next version, and every party's
        signature of it (for ``propose_and_activate_version``)."""
        draft = emc.draft_typed_data(entries, document_hash)
        by_address = {a.address: a for a in self.wallets}
        return draft, [sign_version(by_address[p], draft) for p in typed_data_parties(draft)]

    def mint(self, to: ChecksumAddress, amount: int) -> None:
        self.as_(self.treasury).token.mint(to, amount)

    def balance(self, account: ChecksumAddress) -> int:
        return self.ledger.token.balance_of(account)

    def state(self) -> list[Any]:
        """What a rejected call could have touched: members, supply, balances, EMCs, the base
        EMC's totals, versions and positions (raw results of one batched request), plus the
        block number: no block mined means no state changed at all."""
        if not self._state_calls:
            self._state_calls = self._build_state_calls()
        provider: Any = self.w3.provider  # an HTTPProvider, which batches
        calls = [*self._state_calls, *self._position_calls()]
        replies = provider.make_batch_request(
            [(RPCEndpoint("eth_call"), [call, "latest"]) for call in calls]
        )
        assert isinstance(replies, list)
        return [self.w3.eth.block_number, *(reply["result"] for reply in replies)]

    def _build_state_calls(self) -> list[dict[str, str]]:
        registry, token = self.ledger.registry.contract, self.ledger.token.contract
        factory = self.ledger.factory.contract
        emc = self.w3.eth.contract(address=self.base_emc, abi=EmcClient.abi(self.artifacts))
        accounts = [
            a.address
            for a in (
                self.admin,
                self.operator2,
                self.treasury,
                self.owner,
                self.mes[1],
                self.mes[2],
                self.chef,
            )
        ]
        calls: list[tuple[Contract, str, list[Any]]] = [
            (registry, "memberCount", []),
            (token, "totalSupply", []),
            (factory, "emcCount", []),
            (token, "balanceOf", [self.base_emc]),
        ]
        for account in accounts:
            calls += [(registry, "member", [account]), (token, "balanceOf", [account])]
        calls += [
            (emc, "status", []),
            (emc, "capitalTotals", []),
            (emc, "departureOf", [self.chef.address]),
            (emc, "capitalOf", [self.mes[1].address]),
            (emc, "totals", []),
            (emc, "versionCount", []),
            (emc, "pool", []),
            (emc, "capitalOf", [self.chef.address]),
            (emc, "activeVersionId", []),
            (emc, "version", [1]),
            (emc, "version", [2]),
        ]
        calls += [
            (emc, "unsyncedEpochs", [a])
            for a in (ZERO_ADDRESS, self.owner.address, self.mes[1].address, self.chef.address)
        ]
        return [{"to": c.address, "data": c.encode_abi(fn, args=args)} for c, fn, args in calls]

    def _position_calls(self) -> list[dict[str, str]]:
        """The base EMC's positions, with the share proofs they need as of now."""
        emc = self.ledger.emc(self.base_emc)
        accounts = (ZERO_ADDRESS, self.owner.address, self.mes[1].address, self.chef.address)
        return [
            {
                "to": emc.address,
                "data": emc.contract.encode_abi(
                    "accountOf", args=[a, [p.as_abi() for p in emc.share_proofs(a)]]
                ),
            }
            for a in accounts
        ]


def assert_reverts(
    cast: Cast,
    action: Callable[[], object],
    error: type[ContractRevertError],
    args: dict[str, Any],
) -> None:
    """``action`` raises exactly ``error`` with ``args`` and leaves ``cast.state()`` as it was."""
    before = cast.state()
    with pytest.raises(ContractRevertError) as info:
        action()
    assert type(info.value) is error, info.value
    assert info.value.error_name == error.__name__
    assert info.value.args_by_name == args, info.value.args_by_name
    assert cast.state() == before


BASE_PROFIT = 1_000_000  # fen settled in the base EMC's first period
BASE_OWNER_CREDIT = 10**12  # fen the base EMC's owner holds for further settlements
# EMCs in these tests get their terms by hand, which the factory records with a reason.
TERMS_REASON = keccak(text="terms set by hand for a test")
BASE_TERMS = EmcTerms(
    target_users=1_000,
    target_revenue=100_000_000,
    sharing_space=5_000_000,
    loss_threshold=10_000_000,
)


def base_entries(cast: Cast) -> list[ShareEntry]:
    return [
        ShareEntry(cast.chef.address, ShareClass.PARTNER, 1_000),
        ShareEntry(cast.mes[0].address, ShareClass.OPERATING, 7_000),
        ShareEntry(cast.mes[1].address, ShareClass.VALUE_ADDED, 1_000),
        ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
    ]


def build_cast(
    w3: Web3, artifacts: dict[str, Artifact], deployment: Deployment, admin: LocalAccount
) -> Cast:
    cast = Cast(
        w3=w3,
        artifacts=artifacts,
        deployment=deployment,
        ledger=Ledger(w3, deployment, artifacts),
        admin=admin,
        operator2=new_account(),
        treasury=new_account(),
        auditor=new_account(),
        steward=new_account(),
        mes=[new_account() for _ in range(11)],
        partners={name: new_account() for name in PARTNER_NAMES},
    )
    registry = cast.as_(admin).registry
    registry.add_member(cast.operator2.address, Role.OPERATOR)
    registry.add_member(cast.treasury.address, Role.TREASURY)
    registry.add_member(cast.auditor.address, Role.AUDITOR)
    registry.add_member(cast.steward.address, Role.STEWARD)
    for me in cast.mes:
        registry.add_member(me.address, Role.ME)
    for partner in cast.partners.values():
        registry.add_member(partner.address, Role.PARTNER)
    # The article's chef also took a value-added share, which needs the node (ME) role.
    registry.add_member(cast.chef.address, Role.ME)

    emc_address, _ = cast.as_(admin).factory.create_emc_with_terms(
        cast.owner.address, BASE_TERMS, TERMS_REASON
    )
    cast.base_emc = emc_address
    owner = cast.as_(cast.owner)
    emc = owner.emc(emc_address)
    cast.agree(emc_address, base_entries(cast))
    # The client sorts entries into the contracts' canonical order, whatever order it is given.
    emc.propose_version(base_entries(cast)[::-1])
    cast.mint(cast.owner.address, BASE_PROFIT + BASE_OWNER_CREDIT)
    owner.settle(emc, PeriodReport(10, 10, 1_000_000, 0, BASE_PROFIT))
    return cast


# How long the attestations these tests make stay good (the chain's clock rarely moves).
ATTESTATION_WINDOW = 3_600


def attest(
    cast: Cast,
    emc: EmcClient,
    report: PeriodReport,
    *,
    auditor: LocalAccount | None = None,
    deadline: int | None = None,
) -> ReportAttestation:
    """``auditor``'s (the cast's auditor by default) attestation of ``report`` as ``emc``'s
    next period, good for ``ATTESTATION_WINDOW`` seconds from the latest block unless
    ``deadline`` says otherwise."""
    if deadline is None:
        deadline = latest_timestamp(cast.w3) + ATTESTATION_WINDOW
    return cast.as_(auditor or cast.auditor).attest(emc, report, deadline)


def needs_attestation(emc: EmcClient, report: PeriodReport) -> bool:
    """Whether the EMC takes ``report`` only with an auditor's attestation (README, "Attested
    reports"): its terms attest every report, or it is a loss while capital is invested."""
    if emc.terms().attest_all_reports:
        return True
    return report.loss > 0 and emc.capital_totals().capital > 0


def settle(
    cast: Cast, emc: EmcClient, report: PeriodReport, *, by: LocalAccount | None = None
) -> TxResult:
    """``by`` (the owner by default) settles ``report`` on ``emc``, attested by the cast's
    auditor where the rules need it (``needs_attestation``); returns the receipt."""
    reporter = cast.as_(by or cast.owner)
    client = reporter.emc(emc.address)
    attestation = attest(cast, client, report) if needs_attestation(client, report) else None
    _, result = reporter.settle(client, report, attestation)
    return result


def snapshot(w3: Web3) -> str:
    result: str = w3.provider.make_request(RPCEndpoint("evm_snapshot"), [])["result"]
    return result


def revert(w3: Web3, snapshot_id: str) -> None:
    reply = w3.provider.make_request(RPCEndpoint("evm_revert"), [snapshot_id])
    assert reply.get("result") is True, f"evm_revert({snapshot_id}) failed: {reply}"


def increase_time(w3: Web3, seconds: int) -> int:
    """Move the chain's clock ``seconds`` ahead and mine a block there; returns its timestamp.

    Call it inside a test: the test's ``evm_revert`` rewinds the clock with the state.
    """
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [seconds])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    return int(w3.eth.get_block("latest")["timestamp"])


def latest_timestamp(w3: Web3) -> int:
    """The latest block's timestamp: the ``block.timestamp`` a refused call reports.

    The SDK estimates gas against the latest block, so a check of ``block.timestamp`` that
    refuses a call sees this value, whatever second the wall clock has reached.
    """
    return int(w3.eth.get_block("latest")["timestamp"])


def pin_next_timestamp(w3: Web3, timestamp: int) -> None:
    """Mine the next block at ``timestamp`` exactly (it must not precede the latest)."""
    reply = w3.provider.make_request(RPCEndpoint("evm_setNextBlockTimestamp"), [timestamp])
    assert "error" not in reply, reply


def add_admin(cast: Cast) -> LocalAccount:
    """A fresh account registered by the cast's admin with the registry admin role alone.

    The typed client adds ``Role`` members only; the admin role is ``DEFAULT_ADMIN_ROLE``.
    """
    account = new_account()
    admin = cast.as_(cast.admin)
    raw_transact(admin, admin.registry, "addMember", account.address, bytes(32), bytes(32))
    return account


def raw_transact(signer: Ledger, client: ContractClient, fn_name: str, *args: Any) -> TxResult:
    """Send a call the typed clients deliberately do not offer (grantRole, initialize...)."""
    assert signer.sender is not None
    data = client.contract.encode_abi(fn_name, args=list(args))
    return signer.sender.transact(client.address, data, action=f"{client.artifact_name}.{fn_name}")


# -- reference model ---------------------------------------------------------------------


@dataclass
class Credit:
    """An account's total credit in 1/10,000 fen: payable, and value-added (target-gated)."""

    free: int = 0
    locked: int = 0

    def expected(self, target_reached: bool, paid: int) -> Position:
        """The position ``EMC.accountOf`` must report after ``paid`` fen were paid out."""
        dust = self.free % BPS + self.locked % BPS
        if target_reached:
            return Position(self.entitlement - paid, 0, paid, dust)
        return Position(self.free // BPS - paid, self.locked // BPS, paid, dust)

    @property
    def entitlement(self) -> int:
        """Everything the account can be paid: its payable and its value-added credit, each
        floored to whole fen (their remainders never merge)."""
        return self.free // BPS + self.locked // BPS


def accrue(
    credits: dict[ChecksumAddress, Credit], entries: Iterable[ShareEntry], profit: int
) -> None:
    """Credit every entry of the active version with its share of one period's ``profit``."""
    for entry in entries:
        credit = credits.setdefault(entry.account, Credit())
        if entry.share_class is ShareClass.VALUE_ADDED:
            credit.locked += entry.bps * profit
        else:
            credit.free += entry.bps * profit


def split_bps(cuts: Iterable[int]) -> list[int]:
    """The gaps between sorted distinct cut points in (0, 10,000): positive, summing to 10,000."""
    points = [0, *sorted(set(cuts)), BPS]
    return [b - a for a, b in itertools.pairwise(points)]


# -- a contract wallet (ERC-1271) ------------------------------------------------------------


def one_key_wallet_runtime(key_owner: ChecksumAddress) -> bytes:
    """EVM code of a minimal ERC-1271 contract wallet (a Safe with one owner key, say).

    ``isValidSignature(bytes32 hash, bytes signature)`` returns the magic value
    ``0x1626ba7e`` when ``ecrecover(hash, v, r, s)`` of the 65-byte signature is
    ``key_owner``, else 32 zero bytes. Hand-assembled, so that nothing compiles during the
    test and no mock joins the contracts' build.
    """
    magic = bytes.fromhex("1626ba7e")
    check = b"".join(
        [
            bytes.fromhex("600435600052"),  # mstore(0x00, hash)
            bytes.fromhex("60a43560f81c602052"),  # mstore(0x20, v): the signature's last byte
            bytes.fromhex("606435604052"),  # mstore(0x40, r)
            bytes.fromhex("608435606052"),  # mstore(0x60, s)
            # staticcall(gas, ecrecover, 0x00, 0x80, 0x80, 0x20); the result is ignored:
            # memory at 0x80 stays zero if recovery fails.
            bytes.fromhex("602060806080600060015afa50"),
            bytes.fromhex("608051") + b"\x73" + bytes.fromhex(key_owner[2:]) + b"\x14",
            bytes.fromhex("60003560e01c63") + magic + b"\x14\x16",  # and the selector is ours
        ]
    )
    refuse = bytes.fromhex("602060a0f3")  # return 32 zero bytes
    accept = b"\x5b\x63" + magic + bytes.fromhex("60e01b60005260206000f3")
    ok = len(check) + 3 + len(refuse)
    assert ok < 256
    return check + bytes([0x60, ok, 0x57]) + refuse + accept


def deploy_one_key_wallet(cast: Cast, key_owner: ChecksumAddress) -> ChecksumAddress:
    """A new one-key ERC-1271 wallet (``one_key_wallet_runtime``) controlled by ``key_owner``."""
    runtime = one_key_wallet_runtime(key_owner)
    # Init code: codecopy(0, 11, len(runtime)); return(0, len(runtime)).
    init = bytes([0x60, len(runtime), 0x80, 0x60, 0x0B, 0x60, 0x00, 0x39, 0x60, 0x00, 0xF3])
    sender = cast.as_(cast.admin).sender
    assert sender is not None
    result = sender.transact(None, HexStr("0x" + (init + runtime).hex()), action="deploy wallet")
    address = result.receipt["contractAddress"]
    assert address is not None
    assert cast.w3.eth.get_code(address) == runtime
    return address
