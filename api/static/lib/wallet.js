// The browser wallet (EIP-1193: window.ethereum, as MetaMask provides it), the sign-in
// with it (EIP-4361, "Sign-In with Ethereum") and the transactions it sends.

import { getJson, postJson } from "./api.js";
import { keccak256, toHex, utf8 } from "./keccak.js";

export class WalletError extends Error {}

// A demo wallet (make run only) replaces the browser's when the person picks one.
let demoProvider = null;

/** Use the demo wallet `name` (its requests answered by the demo gateway), or null for the
 * browser's own wallet again. */
export function useDemoWallet(name) {
  // Kept for this tab, so that a reload signs with the same demo wallet.
  if (name) window.sessionStorage.setItem("rdh.demo-wallet", name);
  else window.sessionStorage.removeItem("rdh.demo-wallet");
  demoProvider = name
    ? {
        isDemo: true,
        async request({ method, params }) {
          const answer = await postJson(`/demo/wallets/${encodeURIComponent(name)}/request`, { method, params: params || [] });
          return answer.result;
        },
      }
    : null;
}

/** The demo wallet this tab used before a reload, if any. */
export function rememberedDemoWallet() {
  return window.sessionStorage.getItem("rdh.demo-wallet");
}

export function usingDemoWallet() {
  return demoProvider !== null;
}

function provider() {
  if (demoProvider) return demoProvider;
  if (!window.ethereum || typeof window.ethereum.request !== "function") {
    throw new WalletError(
      "No browser wallet found. Install MetaMask (or another Ethereum wallet) in this " +
        "browser, unlock it, then reload the page.",
    );
  }
  return window.ethereum;
}

export function hasWallet() {
  return demoProvider !== null || Boolean(window.ethereum && typeof window.ethereum.request === "function");
}

async function request(method, params) {
  try {
    return await provider().request({ method, params });
  } catch (error) {
    if (error instanceof WalletError) throw error;
    if (error && error.code === 4001) throw new WalletError("You declined in your wallet; nothing was sent.");
    throw new WalletError(`Your wallet answered: ${error && error.message ? error.message : error}`);
  }
}

/** The wallet's account, asking the person to connect it if needed. */
export async function connect() {
  const accounts = await request("eth_requestAccounts", []);
  if (!accounts || accounts.length === 0) throw new WalletError("The wallet gave no account; unlock it and try again.");
  return accounts[0];
}

export async function chainId() {
  return parseInt(await request("eth_chainId", []), 16);
}

export function onAccountsChanged(handler) {
  if (hasWallet() && typeof window.ethereum.on === "function") window.ethereum.on("accountsChanged", handler);
}

export async function personalSign(account, text) {
  return request("personal_sign", [toHex(utf8(text)), account]);
}

export async function signTypedData(account, typedData) {
  return request("eth_signTypedData_v4", [account, JSON.stringify(typedData)]);
}

/** Send a transaction the gateway built ({to, data, value, gas, ...}); its hash. */
export async function sendTransaction(account, tx) {
  const fields = { from: account, to: tx.to, data: tx.data };
  for (const key of ["value", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "nonce", "chainId"]) {
    if (tx[key] !== undefined && tx[key] !== null) {
      fields[key] = typeof tx[key] === "number" || typeof tx[key] === "bigint" ? `0x${BigInt(tx[key]).toString(16)}` : tx[key];
    }
  }
  return request("eth_sendTransaction", [fields]);
}

// ---- Sign-In with Ethereum ---------------------------------------------------------

/** The EIP-4361 message for this gateway (its host and origin), chain and nonce. */
export function siweMessage({ domain, uri, address, chainId: chain, nonce, issuedAt, statement }) {
  return [
    `${domain} wants you to sign in with your Ethereum account:`,
    address,
    "",
    statement,
    "",
    `URI: ${uri}`,
    "Version: 1",
    `Chain ID: ${chain}`,
    `Nonce: ${nonce}`,
    `Issued At: ${issuedAt}`,
  ].join("\n");
}

/** Who is signed in ({address, roles, ...}), or null. */
export async function whoAmI() {
  try {
    return await getJson("/auth/me");
  } catch (error) {
    if (error.status === 401 || error.status === 404) return null;
    throw error;
  }
}

export async function signIn() {
  const address = await connect();
  const chain = await chainId();
  // The gateway says what the message must name: its domain and URI, the ledger's chain.
  const site = await getJson("/auth/nonce");
  if (chain !== site.chain_id) {
    throw new WalletError(
      `Your wallet is on chain ${chain}, but this ledger is chain ${site.chain_id}: switch ` +
        "networks in the wallet, then sign in again.",
    );
  }
  const message = siweMessage({
    domain: site.domain,
    uri: site.uri,
    address: checksumLike(address),
    chainId: site.chain_id,
    nonce: site.nonce,
    // The gateway's clock, not this computer's (which may be off by minutes).
    issuedAt: site.issued_at ? new Date(site.issued_at).toISOString() : new Date().toISOString(),
    statement: site.statement || "Sign in to the rdh-chain ledger.",
  });
  const signature = await personalSign(address, message);
  await postJson("/auth/siwe", { message, signature });
  return whoAmI();
}

export async function signOut() {
  await postJson("/auth/logout");
}

/** The EIP-55 (mixed-case checksum) spelling of an address, which EIP-4361 asks for;
 * wallets give checksummed or lower-case addresses. */
export function checksumLike(address) {
  const hex = address.toLowerCase().replace(/^0x/, "");
  const hash = toHex(keccak256(utf8(hex))).slice(2);
  let out = "0x";
  for (let i = 0; i < hex.length; i += 1) {
    out += parseInt(hash[i], 16) >= 8 ? hex[i].toUpperCase() : hex[i];
  }
  return out;
}
