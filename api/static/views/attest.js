// Attesting a period report: an auditor signs the report's EIP-712 typed data (the gateway
// builds it) in the wallet; the signature goes to the reporter, who settles with it.

import { postJson } from "../lib/api.js";
import { append, button, el, message, section, setStatus, download } from "../lib/format.js";
import { hasRole } from "../lib/session.js";
import { connect, signTypedData } from "../lib/wallet.js";

function numberField(id, text, help) {
  const wrap = el("div", null, "field");
  const label = el("label", text);
  label.htmlFor = id;
  const input = Object.assign(el("input"), { id, type: "number", min: "0", step: "any", inputMode: "decimal", required: true });
  wrap.append(label, input);
  if (help) wrap.append(el("p", help, "help"));
  return { wrap, input };
}

export async function attestSection(base, emc, statement) {
  if (!hasRole("auditor")) return null;
  const box = section("Attest a period report");
  box.append(
    el(
      "p",
      `Sign the report of period ${statement.settled_periods + 1} as the reporter gave it to you; ` +
        "the reporter settles the period with your signature. Amounts in RMB.",
      "muted",
    ),
  );
  const users = numberField("attest-users", "Users");
  const units = numberField("attest-units", "Units sold");
  const revenue = numberField("attest-revenue", "Revenue (RMB)");
  const cost = numberField("attest-cost", "Cost (RMB)");
  const profit = numberField("attest-profit", "Profit (RMB)");
  const doc = Object.assign(el("input"), { id: "attest-document", type: "text", placeholder: "0x… (the report document's hash)" });
  const docWrap = el("div", null, "field");
  docWrap.append(Object.assign(el("label", "Document hash"), { htmlFor: "attest-document" }), doc);
  const status = el("p", null, "status");
  const form = el("form", null, "form grid");
  form.noValidate = true;
  const submit = el("button", "Sign the report");
  submit.id = "attest-sign";
  submit.type = "submit";
  form.append(users.wrap, units.wrap, revenue.wrap, cost.wrap, profit.wrap, docWrap, append(el("p", null, "actions"), submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fen = (input) => Math.round(Number(input.value) * 100);
    const values = [users, units, revenue, cost, profit].map((f) => f.input.value);
    if (values.some((v) => v === "")) {
      setStatus(status, "Fill in every figure of the report first.", "error");
      return;
    }
    submit.disabled = true;
    try {
      const account = await connect();
      // Counts and RMB as text, as a person writes them (the gateway reads them exactly).
      const rmb = (input) => (fen(input) / 100).toFixed(2);
      const typed = await postJson(`${base}/reports/typed-data`, {
        period: statement.settled_periods + 1,
        users: String(Math.round(Number(users.input.value))),
        units: String(Math.round(Number(units.input.value))),
        revenue: rmb(revenue.input),
        cost: rmb(cost.input),
        profit: rmb(profit.input),
        document_hash: doc.value.trim() || `0x${"00".repeat(32)}`,
      });
      setStatus(status, "Check your wallet: it shows the report you attest.");
      const signature = await signTypedData(account, typed);
      // The settlement's `attestation` (POST .../tx/settle), with what was signed.
      const attestation = { auditor: account, deadline: typed.message.deadline, signature, typed_data: typed };
      setStatus(status, "Signed. Give this attestation to the reporter (downloaded as a file).", "ok");
      download(`attestation-${emc.address}-period-${statement.settled_periods + 1}.json`, `${JSON.stringify(attestation, null, 2)}\n`, "application/json");
      box.append(message(`Signature ${signature.slice(0, 18)}…`, "ok"));
    } catch (error) {
      setStatus(status, error.message, "error");
    }
    submit.disabled = false;
  });
  box.append(form, status);
  return box;
}
