"""Unsigned transactions for members' own wallets, and the gateway's relayer wallet.

Each builder's transaction is signed here with eth-account (as a browser wallet would sign
what ``eth_sendTransaction`` is given) and sent raw to the real anvil.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import HexStr
from hexbytes import HexBytes
from web3 import Web3
from web3.types import RPCEndpoint

from rdh_chain import contract_errors as errors
from rdh_chain import events
from rdh_chain.agreements import sign_version
from rdh_chain.bids import SealedBid
from rdh_chain.contracts import EmcClient
from rdh_chain.relayer import RELAYER_WALLET, Relayer
from rdh_chain.tx import UnsignedTx
from rdh_chain.types import (
    ZERO_ADDRESS,
    EmcTerms,
    PeriodReport,
    ShareClass,
    ShareEntry,
    VersionStatus,
)
from rdh_chain.wallet import KeystoreDir
from tests.sdk.conftest import SdkWorld

TERMS = EmcTerms(
    target_users=1_000, target_revenue=1_000_000_00, sharing_space=1_000_00, loss_threshold=500_00
)
PROFIT = PeriodReport(10, 10, 5_000_00, 1_000_00, 1_000_00)


@dataclass(frozen=True)
class Setup:
    sdk: SdkWorld
    emc: EmcClient  # read-only; alice owns it, alice and bob are its parties

    def entries(self, alice_bps: int) -> list[ShareEntry]:
        return [
            ShareEntry(self.sdk.alice.address, ShareClass.OPERATING, alice_bps),
            ShareEntry(self.sdk.bob.address, ShareClass.OPERATING, 9_000 - alice_bps),
            ShareEntry(ZERO_ADDRESS, ShareClass.DEV_FUND, 1_000),
        ]


@pytest.fixture
def setup(sdk: SdkWorld) -> Setup:
    ledger = sdk.ledger
    address, _ = ledger.connect(sdk.admin).factory.create_emc_with_terms(
        sdk.alice.address, TERMS, b"\x5a" * 32
    )
    owner = ledger.connect(sdk.alice)
    emc = owner.emc(address)
    setup = Setup(sdk, ledger.emc(address))
    owner.agree(emc, setup.entries(6_000), [sdk.alice, sdk.bob])
    ledger.connect(sdk.treasury).token.mint(sdk.alice.address, 10_000_00)
    return setup


def _send(w3: Web3, account: LocalAccount, tx: UnsignedTx) -> HexBytes:
    """Sign ``tx`` as a wallet would and send it raw; the successful receipt's hash."""
    signed = account.sign_transaction(tx.as_signable())
    tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt["status"] == 1
    return HexBytes(tx_hash)


def test_claim_tx_is_estimated_from_the_member_at_its_nonce_for_free(
    setup: Setup, w3: Web3
) -> None:
    sdk = setup.sdk
    sdk.ledger.connect(sdk.alice).settle(setup.emc, PROFIT)

    tx = setup.emc.claim_tx(sdk.bob.address)

    assert (tx.to, tx.sender, tx.value, tx.gas_price) == (setup.emc.address, sdk.bob.address, 0, 0)
    assert tx.chain_id == 31337
    assert tx.nonce == w3.eth.get_transaction_count(sdk.bob.address)
    rpc = tx.as_rpc()
    assert rpc["from"] == sdk.bob.address
    assert rpc["chainId"] == "0x7a69"
    assert int(rpc["gas"], 16) == tx.gas
    claimable = setup.emc.position(sdk.bob.address).claimable
    assert claimable > 0
    _send(w3, sdk.bob, tx)
    assert sdk.ledger.token.balance_of(sdk.bob.address) == claimable


def test_claim_tx_raises_the_decoded_error_for_a_second_claim(setup: Setup, w3: Web3) -> None:
    sdk = setup.sdk
    sdk.ledger.connect(sdk.alice).settle(setup.emc, PROFIT)
    _send(w3, sdk.bob, setup.emc.claim_tx(sdk.bob.address))
    nonce = w3.eth.get_transaction_count(sdk.bob.address)

    with pytest.raises(errors.EmcNothingToClaim):
        setup.emc.claim_tx(sdk.bob.address)
    assert w3.eth.get_transaction_count(sdk.bob.address) == nonce


def test_bid_commit_and_reveal_txs_seal_and_open_a_bid(setup: Setup, w3: Web3) -> None:
    sdk = setup.sdk
    latest = int(w3.eth.get_block("latest")["timestamp"])
    owner = sdk.ledger.connect(sdk.alice).emc(setup.emc.address)
    round_id, _ = owner.open_bid_round(latest + 3_600, latest + 7_200)
    sealed = SealedBid.seal(setup.emc.address, round_id, sdk.bob.address, 5, 50_00, 300, bytes(32))

    _send(w3, sdk.bob, setup.emc.commit_bid_tx(sdk.bob.address, round_id, sealed.commitment))
    with pytest.raises(errors.EmcRevealNotOpen):
        setup.emc.reveal_bid_tx(sealed)
    w3.provider.make_request(RPCEndpoint("evm_increaseTime"), [3_601])
    w3.provider.make_request(RPCEndpoint("evm_mine"), [])
    _send(w3, sdk.bob, setup.emc.reveal_bid_tx(sealed))

    bid = setup.emc.bid(round_id, sdk.bob.address)
    assert (bid.ask_bps, bid.undertaken_users) == (300, 5)


def test_invest_tx_needs_the_approval_first(setup: Setup, w3: Web3) -> None:
    sdk = setup.sdk
    sdk.ledger.connect(sdk.treasury).token.mint(sdk.bob.address, 500_00)
    with pytest.raises(errors.ERC20InsufficientAllowance):
        setup.emc.invest_tx(sdk.bob.address, 500_00)

    _send(w3, sdk.bob, sdk.ledger.token.approve_tx(sdk.bob.address, setup.emc.address, 500_00))
    _send(w3, sdk.bob, setup.emc.invest_tx(sdk.bob.address, 500_00))

    assert setup.emc.capital_of(sdk.bob.address).invested == 500_00


def test_settle_tx_settles_the_owners_report(setup: Setup, w3: Web3) -> None:
    sdk = setup.sdk
    token = sdk.ledger.token
    _send(w3, sdk.alice, token.approve_tx(sdk.alice.address, setup.emc.address, PROFIT.profit))
    with pytest.raises(errors.EmcNotReporter):
        setup.emc.settle_tx(sdk.bob.address, PROFIT)

    _send(w3, sdk.alice, setup.emc.settle_tx(sdk.alice.address, PROFIT))

    assert setup.emc.totals().periods == 1


def test_relayer_activates_a_version_from_a_fresh_unfunded_wallet(
    setup: Setup, w3: Web3, tmp_path: Path
) -> None:
    sdk = setup.sdk
    owner = sdk.ledger.connect(sdk.alice).emc(setup.emc.address)
    version_id, _ = owner.propose_version(setup.entries(5_000))
    typed = setup.emc.typed_data(version_id)
    signatures = [sign_version(a, typed) for a in (sdk.alice, sdk.bob)]
    keystores = KeystoreDir(tmp_path / "keystores")
    # Two gateway workers open the same relayer: one key, and their nonces never collide.
    first, second = (Relayer.open(w3, keystores, sdk.ledger.decoder) for _ in range(2))
    assert first.address == second.address
    assert keystores.names() == [RELAYER_WALLET]
    assert w3.eth.get_balance(first.address) == 0

    with first.sending() as sender:
        result = setup.emc.with_sender(sender).activate_version(version_id, signatures)
    with second.sending() as sender:
        sender.transact(first.address, HexStr("0x"), action="a second worker's send")

    activated = setup.emc.event(result, events.VersionActivated)
    assert activated.version_id == version_id
    assert setup.emc.version(version_id).status is VersionStatus.ACTIVE
    assert w3.eth.get_transaction_count(first.address) == 2


def test_a_relayer_is_a_keystore_that_outlives_the_process(sdk: SdkWorld, tmp_path: Path) -> None:
    keystores = KeystoreDir(tmp_path / "keystores")
    address = Relayer.open(sdk.ledger.w3, keystores, sdk.ledger.decoder).address
    assert Relayer.open(sdk.ledger.w3, keystores, sdk.ledger.decoder).address == address
    assert keystores.load(RELAYER_WALLET).address == address
    assert Account.from_key(keystores.load(RELAYER_WALLET).account.key).address == address
