"""A test browser wallet: an EIP-1193 provider injected into the page whose requests are
answered by a Python signer holding a test key, so the page's MetaMask path is what runs.

The page sees ``window.ethereum`` with ``request({method, params})``, ``on`` and
``removeListener``; every request goes through ``page.expose_function`` to
:meth:`TestWallet.handle`, which signs with eth-account and sends transactions to the
real anvil, as MetaMask would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, cast

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from playwright.sync_api import Page
from web3 import Web3
from web3.types import TxParams

# The provider the page finds at window.ethereum. Errors carry an EIP-1193 code, as
# wallets give them (4001: the user refused; 4100: not authorized; -32603: internal).
PROVIDER_JS = """
(() => {
  const listeners = {};
  const provider = {
    isMetaMask: true,
    isRdhTestWallet: true,
    async request({ method, params }) {
      const answer = JSON.parse(await window.__rdhWallet(method, JSON.stringify(params || [])));
      if (answer.error) {
        const error = new Error(answer.error.message);
        error.code = answer.error.code;
        throw error;
      }
      return answer.result;
    },
    on(event, handler) { (listeners[event] ||= []).push(handler); return provider; },
    removeListener(event, handler) {
      listeners[event] = (listeners[event] || []).filter((h) => h !== handler);
      return provider;
    },
    __emit(event, value) { for (const h of listeners[event] || []) h(value); },
  };
  window.ethereum = provider;
})();
"""


class WalletError(Exception):
    """A request the test wallet refuses, with its EIP-1193 code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class TestWallet:
    """The key behind the page's wallet, and a record of what it was asked to do."""

    __test__ = False  # not a test class, whatever pytest thinks of its name

    w3: Web3
    account: LocalAccount
    connected: bool = False
    chain_id: int | None = None  # another chain than the node's: a wallet on the wrong network
    calls: list[tuple[str, list[Any]]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.account.address

    def install(self, page: Page) -> None:
        """Give ``page`` (before it loads) this wallet as ``window.ethereum``."""
        page.expose_function("__rdhWallet", self._answer)
        page.add_init_script(PROVIDER_JS)

    def _answer(self, method: str, params_json: str) -> str:
        params = json.loads(params_json)
        self.calls.append((method, params))
        try:
            return json.dumps({"result": self.handle(method, params)})
        except WalletError as exc:
            return json.dumps({"error": {"code": exc.code, "message": str(exc)}})
        except Exception as exc:  # what a wallet reports for a failed request
            return json.dumps({"error": {"code": -32603, "message": str(exc)}})

    def _check_from(self, address: str) -> None:
        if address.lower() != self.address.lower():
            raise WalletError(4100, f"the wallet holds {self.address}, not {address}")

    def handle(self, method: str, params: list[Any]) -> Any:
        if method == "eth_requestAccounts":
            self.connected = True
            return [self.address]
        if method == "eth_accounts":
            return [self.address] if self.connected else []
        if method == "eth_chainId":
            return hex(self.chain_id or self.w3.eth.chain_id)
        if not self.connected:
            raise WalletError(4100, "connect the wallet first (eth_requestAccounts)")
        if method == "personal_sign":
            message, address = params[0], params[1]
            self._check_from(address)
            raw = HexBytes(message) if message.startswith("0x") else message.encode()
            signed = self.account.sign_message(encode_defunct(primitive=bytes(raw)))
            return "0x" + signed.signature.hex().removeprefix("0x")
        if method == "eth_signTypedData_v4":
            address, typed = params[0], params[1]
            self._check_from(address)
            data = json.loads(typed) if isinstance(typed, str) else typed
            signed = Account.sign_typed_data(self.account.key, full_message=data)
            return "0x" + signed.signature.hex().removeprefix("0x")
        if method == "eth_sendTransaction":
            return self._send(params[0])
        raise WalletError(4200, f"the test wallet does not support {method}")

    def _send(self, tx: dict[str, Any]) -> str:
        self._check_from(tx.get("from", self.address))
        w3 = self.w3

        def number(key: str, default: int) -> int:
            value = tx.get(key)
            if value is None:
                return default
            return int(value, 16) if isinstance(value, str) else int(value)

        to = Web3.to_checksum_address(tx["to"]) if tx.get("to") else None
        unsigned: dict[str, Any] = {
            "from": self.address,
            "data": tx.get("data", "0x"),
            "value": number("value", 0),
            "chainId": w3.eth.chain_id,
            "nonce": w3.eth.get_transaction_count(self.account.address, "pending"),
            "gasPrice": number("gasPrice", 0),
        }
        if to is not None:
            unsigned["to"] = to
        unsigned["gas"] = number("gas", 0) or int(
            w3.eth.estimate_gas(cast(TxParams, unsigned)) * 5 // 4
        )
        signed = self.account.sign_transaction(unsigned)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        self.sent.append("0x" + bytes(tx_hash).hex())
        return self.sent[-1]
