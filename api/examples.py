"""The OpenAPI document's address examples name the deployment's real EMC and member.

The routes declare their addresses with the stand-ins of :mod:`api.inputs`; the document
served at ``/openapi.json`` has them replaced, from the deployment record alone (no chain
call), by:

- the factory's first EMC, whose address is fixed by the factory's: the factory creates the
  EMC module (nonce 1) and the template (nonce 2) in its constructor, then one clone per EMC
  with ``CREATE``, so the first EMC is at the factory's nonce 3 (``make run``'s Smart
  Cooking);
- the registry's admin, which the deployment registers as a member (the demo's platform
  operator).

Without a readable record the stand-ins stay (well-formed addresses, of nothing).
"""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress, HexAddress, HexStr
from fastapi import FastAPI
from web3.types import Nonce
from web3.utils.address import get_create_address

from api.inputs import EMC_EXAMPLE, MEMBER_EXAMPLE
from rdh_chain.config import Settings
from rdh_chain.deployment import Deployment
from rdh_chain.exceptions import RdhChainError

# The factory's CREATEs before its first clone: the EMC module and the template.
_FACTORY_CREATES_BEFORE_FIRST_EMC = 2


def emc_address(factory: ChecksumAddress, index: int) -> ChecksumAddress:
    """The address of the factory's ``index``-th EMC (from 0), without asking the chain.

    A contract's nonce starts at 1 (EIP-161) and each ``CREATE`` it makes takes the next.
    """
    nonce = 1 + _FACTORY_CREATES_BEFORE_FIRST_EMC + index
    return get_create_address(HexAddress(HexStr(factory)), Nonce(nonce))


def deployment_examples(deployment: Deployment) -> dict[str, ChecksumAddress]:
    """Stand-in -> the deployment's address it stands for."""
    return {
        EMC_EXAMPLE: emc_address(deployment.factory, 0),
        MEMBER_EXAMPLE: deployment.admin,
    }


def _replaced(node: Any, names: dict[str, ChecksumAddress]) -> Any:
    if isinstance(node, dict):
        return {k: _replaced(v, names) for k, v in node.items()}
    if isinstance(node, list):
        return [_replaced(v, names) for v in node]
    if isinstance(node, str):
        return names.get(node, node)
    return node


def install_schema_examples(app: FastAPI, settings: Settings) -> None:
    """Serve the document with the examples of ``settings``' deployment record, read anew on
    each call (a new deployment changes them; FastAPI caches the document it builds)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        try:
            deployment = Deployment.load(settings.deployment_file)
        except RdhChainError:  # DeploymentError: missing or unreadable
            return document
        named: dict[str, Any] = _replaced(document, deployment_examples(deployment))
        return named

    app.openapi = openapi  # type: ignore[method-assign]
