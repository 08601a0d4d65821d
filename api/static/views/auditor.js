// An auditor's view of one EMC: its history with filters, the statement with its chart,
// the export, verification against the chain, and attesting a period report.

import { getJson, getText, query } from "../lib/api.js";
import {
  append, button, count, date, dateTime, el, facts, KIND_NAMES, message, money, section, setStatus,
  table, who,
} from "../lib/format.js";
import { session } from "../lib/session.js";
import { header, needSignIn } from "./common.js";
import { attestSection } from "./attest.js";

const KINDS = KIND_NAMES;
const PAGE = 25;

function filterForm(onChange) {
  const form = el("form", null, "filters");
  form.noValidate = true;
  const kind = el("select");
  kind.id = "history-kind";
  kind.append(Object.assign(el("option", "Everything"), { value: "" }));
  for (const [value, text] of Object.entries(KINDS)) kind.append(Object.assign(el("option", text), { value }));
  const member = el("select");
  member.id = "history-member";
  member.append(Object.assign(el("option", "Anyone"), { value: "" }));
  for (const m of session.directory) {
    member.append(Object.assign(el("option", m.name ? `${m.name} (${m.address.slice(0, 6)}…)` : m.address), { value: m.address }));
  }
  const from = Object.assign(el("input"), { id: "history-from", type: "number", min: "1", inputMode: "numeric" });
  const to = Object.assign(el("input"), { id: "history-to", type: "number", min: "1", inputMode: "numeric" });
  const labelled = (text, control) => {
    const wrap = el("div", null, "field");
    const label = el("label", text);
    label.htmlFor = control.id;
    wrap.append(label, control);
    return wrap;
  };
  const apply = el("button", "Show");
  apply.type = "submit";
  form.append(labelled("What", kind), labelled("Who", member), labelled("From period", from), labelled("To period", to), append(el("div", null, "field actions"), apply));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onChange({ kind: kind.value, member: member.value, period_from: from.value, period_to: to.value });
  });
  return form;
}

function historyRows(items) {
  return items.map((r) => {
    const tx = el("code", `${r.transaction_hash.slice(0, 10)}…`, "address");
    tx.title = `transaction ${r.transaction_hash}, block ${r.block_number}`;
    return [
      dateTime(r.block_time),
      KINDS[r.kind] || r.kind,
      r.period ?? "—",
      r.account ? who(r.account.address, r.account.name) : r.by ? who(r.by.address, r.by.name) : "—",
      r.amount ? money(r.amount) : "—",
      r.detail,
      append(el("span"), tx, el("span", ` block ${count(r.block_number)}`, "muted")),
    ];
  });
}

function historySection(base) {
  const box = section("History");
  const status = el("p", null, "status");
  const results = el("div");
  const exportLink = el("a", "Export as CSV", "button-link");
  exportLink.id = "export-history";
  let filters = {};
  let offset = 0;
  const load = async () => {
    const params = { ...filters, limit: PAGE, offset };
    exportLink.href = `${base}/history.csv${query(filters)}`;
    exportLink.setAttribute("download", "");
    setStatus(status, "Loading…");
    try {
      const page = await getJson(`${base}/history${query(params)}`);
      results.replaceChildren(
        table(
          `Rows ${page.total ? offset + 1 : 0}–${Math.min(offset + PAGE, page.total)} of ${count(page.total)}, oldest first, read up to block ${count(page.as_of_block)}${page.as_of.replica_lag_s ? ` (from a replica ${count(page.as_of.replica_lag_s)} s behind)` : ""}.`,
          ["When", "What", "Period", "Who", "Amount", "Detail", "On the chain"],
          historyRows(page.items),
          "history",
        ),
      );
      const pager = el("p", null, "actions pager");
      const prev = button("Earlier rows", () => {
        offset = Math.max(0, offset - PAGE);
        load();
      }, "secondary");
      prev.disabled = offset === 0;
      const next = button("Later rows", () => {
        offset += PAGE;
        load();
      }, "secondary");
      next.disabled = offset + PAGE >= page.total;
      pager.append(prev, next);
      results.append(pager);
      setStatus(status, "");
    } catch (error) {
      setStatus(status, error.message, "error");
    }
  };
  box.append(
    filterForm((f) => {
      filters = f;
      offset = 0;
      load();
    }),
    append(el("p", null, "actions"), exportLink),
    status,
    results,
  );
  load();
  return box;
}

async function statementSection(base) {
  const box = section("Win-win value-added statement");
  const statement = await getJson(`${base}/statement`);
  const c = statement.cumulative;
  box.append(
    facts([
      ["Periods settled", count(statement.settled_periods)],
      ["Users (element 1)", `${count(c.user_resources.users_to_date)} of ${count(c.user_resources.target_users)} targeted`],
      ["Resource providers (element 2)", count(statement.resource_providers.length)],
      ["Ecosystem revenue (element 3)", `${money(c.platform_value.revenue_to_date_fen)} of ${money(c.platform_value.target_revenue_fen)} targeted`],
      ["Revenues (element 4)", money(c.revenues.revenue_fen)],
      ["Costs (element 5)", money(c.costs.cost_fen)],
      ["Profit", money(c.costs.profit_fen)],
      ["Value-added sharing space", `${money(statement.sharing_space.earned_fen)} earned of ${money(statement.sharing_space.space_fen)}`],
    ]),
  );
  if (statement.periods.length) {
    box.append(
      table(
        "Each settled period.",
        ["Period", "Settled", "Users", "Revenue", "Cost", "Profit", "Attested by"],
        statement.periods.map((p) => [
          `Period ${p.period}`,
          date(p.block_time),
          count(p.user_resources.users),
          money(p.revenues.revenue_fen),
          money(p.costs.cost_fen),
          money(p.costs.profit_fen),
          p.costs.attested_by ? who(p.costs.attested_by) : "Not attested",
        ]),
      ),
    );
    const figure = el("figure", null, "chart-figure");
    const img = el("img");
    img.alt = "The statement's chart: users, revenue, cost and profit, and profit per unit, per period.";
    img.src = `${base}/statement.svg`;
    figure.append(img, el("figcaption", "Users, revenue, cost, profit and profit per unit over the periods (the gateway's chart)."));
    box.append(figure);
  }
  const csv = el("a", "Download the history (CSV)", "button-link");
  csv.href = `${base}/history.csv`;
  csv.setAttribute("download", "");
  box.append(append(el("p", null, "actions"), csv));
  return { box, statement };
}

// A figure as the verification returns it: a number (fen, users, units), text or a list.
function figure(value) {
  if (typeof value === "number") return count(value);
  if (value === null || value === undefined) return "missing";
  return Array.isArray(value) ? value.join(", ") : String(value);
}

function verifySection(base) {
  const box = section("Verify");
  box.append(el("p", "Recompute every figure of this EMC from its events and compare it with the contract's state at the same block.", "muted"));
  const result = el("div");
  result.setAttribute("aria-live", "polite");
  const go = button("Verify against the chain", async () => {
    go.disabled = true;
    result.replaceChildren(message("Verifying…"));
    try {
      const v = await getJson(`${base}/verify`);
      result.replaceChildren(
        message(
          v.ok
            ? `Verified at block ${count(v.block)}: ${count(v.figures)} figures of ${count(v.accounts)} accounts from ${count(v.events)} events, no mismatch.`
            : `${v.mismatches.length} mismatch(es) at block ${count(v.block)}.`,
          v.ok ? "ok" : "error",
        ),
      );
      if (!v.ok) {
        result.append(
          table("What differs.", ["Account", "Figure", "From the events", "On the chain", "Where"], v.mismatches.map((m) => [m.account ? who(m.account, m.account_name) : "The EMC", m.field, figure(m.recomputed), figure(m.on_chain), m.where || "state at the block"])),
        );
      }
    } catch (error) {
      result.replaceChildren(message(error.message, "error"));
    }
    go.disabled = false;
  });
  go.id = "verify";
  box.append(append(el("p", null, "actions"), go), result);
  return box;
}

export async function showAuditor(view, selected) {
  const emc = await header(
    view,
    "Audit",
    "Everything that happened in the EMC, the statement of each period, and a check of the " +
      "figures against the chain.",
    "auditor",
    selected,
  );
  if (!emc) return;
  const gate = needSignIn("the history");
  if (gate) {
    view.append(gate);
    return;
  }
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  const { box, statement } = await statementSection(base);
  view.append(verifySection(base), box, historySection(base));
  const attest = await attestSection(base, emc, statement);
  if (attest) view.append(attest);
}

export { getText };
