"""Deploying the rdh-chain contracts and remembering where they are."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress, HexStr
from web3 import Web3

from rdh_chain.artifacts import Artifact
from rdh_chain.exceptions import DeploymentError
from rdh_chain.tx import TxResult, TxSender
from rdh_chain.types import Role


@dataclass(frozen=True)
class Deployment:
    """Addresses of one deployment on one chain."""

    chain_id: int
    registry: ChecksumAddress
    token: ChecksumAddress
    factory: ChecksumAddress
    guidelines: ChecksumAddress
    admin: ChecksumAddress
    block: int

    @property
    def contracts(self) -> dict[str, ChecksumAddress]:
        """The deployed contracts by role."""
        return {
            "registry": self.registry,
            "token": self.token,
            "guidelines": self.guidelines,
            "factory": self.factory,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return cls(**data)
        except FileNotFoundError as exc:
            raise DeploymentError(
                f"No deployment record at {path}; run `rdh deploy` first."
            ) from exc
        except (OSError, ValueError, TypeError) as exc:
            raise DeploymentError(f"{path} is not a deployment record ({exc}).") from exc

    def check(self, w3: Web3) -> None:
        """Raise unless this chain is the one deployed to and the contracts have code there."""
        chain_id = w3.eth.chain_id
        if chain_id != self.chain_id:
            raise DeploymentError(
                f"The deployment is for chain {self.chain_id}, the node is chain {chain_id}; "
                "point RDH_RPC_URL at the right node or deploy again."
            )
        for name, address in self.contracts.items():
            if not w3.eth.get_code(address):
                raise DeploymentError(
                    f"No {name} contract at {address}: the chain was reset. "
                    "Remove the deployment record and deploy again."
                )


def deploy_contract(
    sender: TxSender, artifact: Artifact, *args: Any
) -> tuple[ChecksumAddress, TxResult]:
    """Deploy ``artifact`` with constructor ``args``; returns its address and receipt."""
    factory = sender.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    data = HexStr(factory.constructor(*args).data_in_transaction)
    result = sender.transact(None, data, action=f"deploy {artifact.name}")
    address = result.receipt["contractAddress"]
    if address is None:
        raise DeploymentError(f"deploying {artifact.name} produced no contract address")
    return address, result


def deploy(
    sender: TxSender, artifacts: Mapping[str, Artifact], admin_metadata: bytes = bytes(32)
) -> Deployment:
    """Deploy registry, token, guidelines and factory with ``sender`` as the registry admin."""
    registry, first = deploy_contract(
        sender, artifacts["MemberRegistry"], sender.address, admin_metadata
    )
    token, _ = deploy_contract(sender, artifacts["SettlementToken"], registry)
    guidelines, _ = deploy_contract(sender, artifacts["TargetGuidelines"], registry)
    factory, _ = deploy_contract(sender, artifacts["EMCFactory"], registry, token, guidelines)
    registry_contract = sender.w3.eth.contract(
        address=registry, abi=artifacts["MemberRegistry"].abi
    )
    sender.transact(
        registry,
        registry_contract.encode_abi("addMember", args=[factory, Role.REGISTRAR.id, bytes(32)]),
        action="register the EMC factory",
    )
    return Deployment(
        chain_id=sender.w3.eth.chain_id,
        registry=registry,
        token=token,
        factory=factory,
        guidelines=guidelines,
        admin=sender.address,
        block=first.block_number,
    )
