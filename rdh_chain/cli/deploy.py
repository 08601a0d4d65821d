"""``rdh deploy``: deploy registry, token and factory and record where they are."""

from __future__ import annotations

from typing import Annotated

import typer
from web3 import Web3

from rdh_chain.artifacts import load_artifacts
from rdh_chain.cli.context import (
    CliState,
    JsonOption,
    KeystoreOption,
    PasswordFileOption,
    WalletChoice,
    WalletOption,
    get_state,
)
from rdh_chain.cli.output import echo_json, fields, note
from rdh_chain.deployment import Deployment, deploy
from rdh_chain.exceptions import DeploymentError
from rdh_chain.ledger import Ledger
from rdh_chain.tx import TxSender
from rdh_chain.wallet import Wallet

ADMIN_WALLET = "admin"


def deploy_command(
    ctx: typer.Context,
    force: Annotated[
        bool, typer.Option("--force", help="Deploy anew even if a working deployment is recorded.")
    ] = False,
    wallet: WalletOption = None,
    keystore: KeystoreOption = None,
    password_file: PasswordFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy the contracts with the admin wallet and write <data-dir>/deployment.json.

    The admin wallet (default `admin`, created if missing) becomes the registry
    admin and its first operator.
    """
    state = get_state(ctx)
    settings = state.settings
    w3 = state.ledgers.w3
    if not force:
        _refuse_if_deployed(state, w3)
    admin = _admin_wallet(state, WalletChoice(wallet, keystore, password_file))
    artifacts = load_artifacts()
    sender = TxSender(w3, admin.account, Ledger.decoder_for(artifacts))
    deployment = deploy(sender, artifacts)
    deployment.save(settings.deployment_file)
    if as_json:
        echo_json(
            {
                "chain_id": deployment.chain_id,
                "registry": deployment.registry,
                "token": deployment.token,
                "factory": deployment.factory,
                "admin": deployment.admin,
                "block": deployment.block,
                "deployment_file": str(settings.deployment_file),
            }
        )
        return
    fields(
        [
            ("chain id", str(deployment.chain_id)),
            ("registry", deployment.registry),
            ("token", deployment.token),
            ("factory", deployment.factory),
            ("admin", f"{deployment.admin} ({admin.name})"),
            ("block", str(deployment.block)),
            ("recorded in", str(settings.deployment_file)),
        ]
    )


def _refuse_if_deployed(state: CliState, w3: Web3) -> None:
    """Raise if the record describes contracts that work on this chain (or cannot be read)."""
    path = state.settings.deployment_file
    if not path.exists():
        return
    try:
        existing = Deployment.load(path)
    except DeploymentError as exc:
        raise DeploymentError(f"{exc} Pass --force to replace it.") from exc
    chain_id = w3.eth.chain_id
    if existing.chain_id != chain_id:
        raise DeploymentError(
            f"{path} records a deployment on chain {existing.chain_id}, but the node is chain "
            f"{chain_id}; point --rpc-url at that chain, or pass --force to replace the record."
        )
    missing = [name for name, address in existing.contracts.items() if not w3.eth.get_code(address)]
    if not missing:
        raise DeploymentError(
            f"Already deployed on chain {chain_id} (registry {existing.registry}, recorded in "
            f"{path}); pass --force to deploy a new set and replace the record."
        )
    note(
        f"The deployment recorded in {path} has no code on this chain ({', '.join(missing)} "
        "missing): the chain was reset. Deploying anew."
    )


def _admin_wallet(state: CliState, choice: WalletChoice) -> Wallet:
    if choice.keystore is None and (choice.name or ADMIN_WALLET) == ADMIN_WALLET:
        path = state.keystores.path(ADMIN_WALLET)
        if not path.exists():
            wallet = state.keystores.load_or_create(ADMIN_WALLET)
            note(f"Created wallet {ADMIN_WALLET} ({wallet.address}) in {state.keystores.folder}.")
            return wallet
    return state.wallet(choice, ADMIN_WALLET)
