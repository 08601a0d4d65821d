"""Typed clients, one per rdh-chain contract."""

from rdh_chain.contracts.base import ContractClient
from rdh_chain.contracts.emc import EmcClient
from rdh_chain.contracts.factory import FactoryClient
from rdh_chain.contracts.guidelines import GuidelinesClient
from rdh_chain.contracts.registry import RegistryClient
from rdh_chain.contracts.token import TokenClient

__all__ = [
    "ContractClient",
    "EmcClient",
    "FactoryClient",
    "GuidelinesClient",
    "RegistryClient",
    "TokenClient",
]
