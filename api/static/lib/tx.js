// Transactions the gateway builds and the wallet signs and sends (EIP-1193
// eth_sendTransaction), then the receipt and the index's new rows.

import { getJson, postJson } from "./api.js";
import { append, el, KIND_NAMES, message, setStatus, table, who, dateTime, money } from "./format.js";
import { connect, sendTransaction } from "./wallet.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait through the gateway (GET /tx/{hash}) until the transaction is mined and the
 * index has reached it, up to about a minute; its status with the receipt and rows. */
export async function waitForReceipt(hash, onProgress) {
  let mined = null;
  for (let attempt = 0; attempt < 120; attempt += 1) {
    try {
      const answer = await getJson(`/tx/${hash}`);
      if (answer.state === "reverted") {
        throw new Error(`The transaction ${hash} was mined but reverted; nothing changed.`);
      }
      if (answer.state === "success") {
        mined = answer;
        if (answer.indexed || answer.checkpoint_block === null) return answer;
        if (onProgress) onProgress("Mined; waiting for the history to show it…");
      }
    } catch (error) {
      if (error.status && error.status !== 404) throw error;
      if (!error.status && !(error instanceof TypeError)) throw error;
    }
    await sleep(500);
  }
  if (mined) return mined;
  throw new Error(`The transaction ${hash} was sent but no receipt came within a minute; look it up later in the history.`);
}

/** A status line and a result box for one action; returns {node, run}. `run(build)`:
 * `build()` returns the unsigned transaction from the gateway. */
export function txPanel(label) {
  const node = el("div", null, "tx-panel");
  const status = el("p", null, "status");
  status.setAttribute("aria-live", "polite");
  const result = el("div", null, "tx-result");
  node.append(status, result);
  async function run(build, after) {
    result.replaceChildren();
    try {
      const account = await connect();
      setStatus(status, `Preparing ${label}…`);
      const tx = await build(account);
      setStatus(status, "Confirm the transaction in your wallet.");
      const hash = await sendTransaction(account, tx);
      setStatus(status, "Sent; waiting for it to be mined…");
      const answer = await waitForReceipt(hash, (text) => setStatus(status, text));
      setStatus(status, `Done: ${label} is on the ledger.`, "ok");
      result.append(receiptView(hash, answer));
      if (after) await after(answer);
      return answer;
    } catch (error) {
      setStatus(status, error.message, "error");
      return null;
    }
  }
  return { node, run, status, result };
}

export function receiptView(hash, answer) {
  const box = el("div", null, "receipt");
  const receipt = answer.receipt || {};
  const events = answer.events || receipt.events || [];
  const rows = answer.rows || answer.index_rows || [];
  const shortHash = `${hash.slice(0, 10)}…${hash.slice(-6)}`;
  const line = el("p");
  const code = el("code", shortHash, "address");
  code.title = hash;
  append(line, "Transaction ", code, receipt.block_number !== undefined ? ` in block ${receipt.block_number}` : "");
  box.append(line);
  if (events.length) {
    box.append(el("p", `Events: ${events.map((e) => e.event || e.name).join(", ")}`, "muted"));
  }
  if (rows.length) {
    box.append(
      table(
        "What the history now shows",
        ["When", "What", "Who", "Amount", "Detail"],
        rows.map((r) => [
          dateTime(r.block_time),
          KIND_NAMES[r.kind] || r.kind,
          r.account ? who(r.account.address, r.account.name) : "—",
          r.amount ? money(r.amount) : "—",
          r.detail,
        ]),
      ),
    );
  }
  return box;
}

export { message, postJson };
