// A platform operator registers an EMC: four scores of its user scenario, previewed as the
// target and sharing space the guideline gives them, then signed in the operator's wallet.

import { postJson } from "../lib/api.js";
import { keccak256, toHex, utf8 } from "../lib/keccak.js";
import { append, count, el, facts, message, money, section, setStatus, who } from "../lib/format.js";
import { hasRole, session } from "../lib/session.js";
import { txPanel } from "../lib/tx.js";
import { needSignIn } from "./common.js";

const CRITERIA = [
  ["market_capacity", "Market capacity", "How large the market for the scenario is."],
  ["consumption_habits", "Consumption habits", "How ready users are to buy this way."],
  ["industry_scale", "Industry scale", "How big the industry around it is."],
  ["team_integration", "Team integration ability", "How well the team can bring the nodes together."],
];

function scoreField(key, label, help) {
  const wrap = el("div", null, "field");
  const l = el("label", `${label} (0–100)`);
  l.htmlFor = `criteria-${key}`;
  const input = Object.assign(el("input"), { id: `criteria-${key}`, type: "number", min: "0", max: "100", step: "1", inputMode: "numeric", required: true });
  wrap.append(l, input, el("p", help, "help"));
  return { wrap, input };
}

export async function showOperator(view) {
  view.replaceChildren(el("h2", "Register an EMC"));
  view.append(
    el(
      "p",
      "Score the EMC's user scenario on the four criteria; the platform's target guideline " +
        "turns the scores into its target (users and ecosystem revenue) and its value-added sharing space.",
      "intro",
    ),
  );
  const gate = needSignIn("the registration form");
  if (gate) {
    view.append(gate);
    return;
  }
  if (!hasRole("operator")) {
    view.append(message("Only platform operators register EMCs; your wallet is not one. Ask a platform operator.", "error"));
    return;
  }
  const form = el("form", null, "form grid");
  form.noValidate = true;
  const fields = Object.fromEntries(CRITERIA.map(([key, label, help]) => [key, scoreField(key, label, help)]));
  const strategy = el("select");
  strategy.id = "criteria-strategy";
  for (const [value, text] of [["explore", "Explore a new market"], ["exploit", "Exploit a known market"]]) {
    strategy.append(Object.assign(el("option", text), { value }));
  }
  const owner = el("select");
  owner.id = "register-owner";
  const mes = session.directory.filter((m) => m.roles.includes("me") && m.active);
  for (const m of mes) owner.append(Object.assign(el("option", m.name ? `${m.name} (${m.address.slice(0, 6)}…${m.address.slice(-4)})` : m.address), { value: m.address }));
  const documentText = Object.assign(el("input"), { id: "register-document", type: "text", placeholder: "e.g. Balcony EMC, registered 2020-09-01" });
  const labelled = (text, control, help) => {
    const wrap = el("div", null, "field");
    const l = el("label", text);
    l.htmlFor = control.id;
    wrap.append(l, control);
    if (help) wrap.append(el("p", help, "help"));
    return wrap;
  };
  const previewButton = el("button", "Preview the terms", "secondary");
  previewButton.type = "button";
  previewButton.id = "preview-terms";
  const register = el("button", "Register the EMC");
  register.type = "submit";
  register.id = "register-emc";
  form.append(
    ...CRITERIA.map(([key]) => fields[key].wrap),
    labelled("Target guideline", strategy),
    labelled("Owner (the EMC's leader, an ME)", owner),
    labelled("Registration document", documentText, "Only its hash goes on the ledger."),
    append(el("p", null, "actions"), previewButton, register),
  );
  const status = el("p", null, "status");
  const preview = el("div");
  const panel = txPanel("the registration");
  const scores = () => {
    const body = { strategy: strategy.value };
    for (const [key, label] of CRITERIA) {
      const value = fields[key].input.value;
      const n = Number(value);
      if (value === "" || !Number.isInteger(n) || n < 0 || n > 100) throw new Error(`${label}: give a whole number from 0 to 100.`);
      body[key] = n;
    }
    return body;
  };
  previewButton.addEventListener("click", async () => {
    try {
      const answer = await postJson("/platform/terms-preview", scores());
      setStatus(status, "");
      const t = answer.terms;
      preview.replaceChildren(
        section(
          `Terms under the ${answer.strategy} guideline (formula version ${answer.formula_version})`,
          facts([
            ["Score", `${answer.score_percent} of 100`],
            ["Target", `${count(t.target_users)} users and ${money(t.target_revenue)} ecosystem revenue`],
            ["Value-added sharing space", money(t.sharing_space)],
            ["Dissolved when losses reach", money(t.loss_threshold)],
            ["Partner shares", `${(t.partner_min_bps / 100).toFixed(2)}% to ${(t.partner_max_bps / 100).toFixed(2)}%`],
          ]),
        ),
      );
    } catch (error) {
      setStatus(status, error.message, "error");
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    let body;
    try {
      body = scores();
    } catch (error) {
      setStatus(status, error.message, "error");
      return;
    }
    if (!owner.value) {
      setStatus(status, "Choose the ME that leads the EMC.", "error");
      return;
    }
    setStatus(status, "");
    register.disabled = true;
    const text = documentText.value.trim();
    body.owner = owner.value;
    body.metadata = text ? toHex(keccak256(utf8(text))) : `0x${"00".repeat(32)}`;
    await panel.run(
      () => postJson("/platform/tx/register-emc", body),
      async (answer) => {
        const created = ((answer.receipt || {}).events || []).find((e) => e.event === "EmcCreated");
        if (created) {
          const link = el("a", "Open the new EMC");
          link.href = `#/emc/${created.args.emc}`;
          panel.result.append(append(el("p"), "Registered: ", who(created.args.emc), " ", link));
        }
      },
    );
    register.disabled = false;
  });
  view.append(section("Criteria", form, status), preview, panel.node);
}
