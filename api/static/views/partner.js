// A partner's (or any member's) view of one EMC: the share promised in each version with
// who signed it and when, what was credited per period, what is claimable now, a chart over
// the months, and the claim.

import { getJson, postJson, query } from "../lib/api.js";
import { barChart } from "../lib/chart.js";
import {
  append, button, CLASS_NAMES, count, date, dateTime, el, facts, message, money, percent,
  section, STATUS_NAMES, table, who,
} from "../lib/format.js";
import { signedInAddress } from "../lib/session.js";
import { txPanel } from "../lib/tx.js";
import { header, needSignIn } from "./common.js";
import { proposedSection } from "./node.js";

const MONTH = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

export async function showPartner(view, selected) {
  const emc = await header(
    view,
    "Your share",
    "What you were promised in each version of the agreement, what each period paid you, " +
      "and what you can claim now.",
    "partner",
    selected,
  );
  if (!emc) return;
  const gate = needSignIn("your share");
  if (gate) {
    view.append(gate);
    return;
  }
  const me = signedInAddress();
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  const [shares, signed, statement] = await Promise.all([
    getJson(`/members/${encodeURIComponent(me)}/share${query({ emc: emc.address })}`),
    getJson(`${base}/history${query({ kind: ["version-signed", "version-activated"], limit: 1000 })}`),
    getJson(`${base}/statement`),
  ]);
  const share = shares.emcs[0];
  const position = share.position;

  // Now: paid, claimable, locked, and the claim.
  const claim = txPanel("your claim");
  const claimButton = button(`Claim ${money(position.claimable)}`, async () => {
    claimButton.disabled = true;
    await claim.run(
      () => postJson(`${base}/tx/claim`, {}),
      async () => {
        const after = (await getJson(`/members/${encodeURIComponent(me)}/share${query({ emc: emc.address })}`)).emcs[0].position;
        now.replaceChildren(...summary(after).childNodes);
        claimButton.textContent = `Claim ${money(after.claimable)}`;
        position.claimable = after.claimable;
      },
    );
    claimButton.disabled = position.claimable.fen === 0;
  });
  claimButton.id = "claim";
  claimButton.disabled = position.claimable.fen === 0;
  const now = summary(position);
  now.id = "position";
  view.append(
    section(
      "Now",
      now,
      position.claimable.fen === 0 ? message("Nothing to claim right now; each settled period adds to it.") : null,
      append(el("p", null, "actions"), claimButton),
      claim.node,
    ),
  );

  // Promised in each version, with who signed and when.
  const versions = [];
  const emcDetail = await getJson(base);
  for (let id = 1; id <= emcDetail.version_count; id += 1) versions.push(await getJson(`${base}/versions/${id}`));
  const signatures = new Map();
  for (const row of signed.items) {
    if (row.version === null) continue;
    if (!signatures.has(row.version)) signatures.set(row.version, []);
    signatures.get(row.version).push(row);
  }
  const promised = versions
    .filter((v) => v.parties.some((p) => p.toLowerCase() === me.toLowerCase()))
    .reverse()
    .map((v) => {
      const mine = v.entries.filter((e) => e.account.toLowerCase() === me.toLowerCase());
      const list = el("ul", null, "plain");
      for (const e of mine) list.append(el("li", `${e.percent}% ${CLASS_NAMES[e.share_class] || e.share_class}`));
      const rows = signatures.get(v.id) || [];
      const signedRows = rows.filter((r) => r.kind === "version-signed");
      const activated = rows.find((r) => r.kind === "version-activated");
      const signers = el("div", null, "signers");
      if (signedRows.length) {
        const times = [...new Set(signedRows.map((r) => dateTime(r.block_time)))];
        const details = el("details");
        details.append(
          el("summary", `${signedRows.length} of ${v.party_count} parties signed${times.length === 1 ? `, ${times[0]}` : ""}`),
        );
        const list2 = el("ul", null, "plain");
        for (const row of signedRows) {
          const party = row.account || row.by;
          const li = el("li");
          append(li, party ? who(party.address, party.name) : "—", times.length > 1 ? el("span", ` ${dateTime(row.block_time)}`, "muted") : null);
          list2.append(li);
        }
        details.append(list2);
        signers.append(details);
      } else {
        signers.append(el("p", `${v.party_count} parties must sign by ${date(v.deadline)}; who has is below.`, "muted"));
      }
      return [`Version ${v.id}`, STATUS_NAMES[v.status] || v.status, list, signers, activated ? dateTime(activated.block_time) : "—"];
    });
  view.append(
    section(
      "Promised to you",
      promised.length
        ? table("Your share of each period's profit in each version.", ["Version", "Status", "Your share", "Signed by", "In force since"], promised)
        : message("No version names you yet."),
    ),
  );

  // A version waiting for signatures: its change, who has signed, and signing it.
  view.append(await proposedSection(emc, me));

  // Credited per period, and the chart over the months.
  const periods = statement.periods.map((p) => {
    const earned = Number((p.earned_fen || {})[me] || Object.entries(p.earned_fen || {}).find(([a]) => a.toLowerCase() === me.toLowerCase())?.[1] || 0);
    return { period: p.period, time: p.block_time, earned, version: p.version_id, profit: p.costs.profit_fen };
  });
  const provider = statement.resource_providers.find((r) => r.account.toLowerCase() === me.toLowerCase());
  view.append(
    section(
      "Paid per period",
      periods.length
        ? table(
            "What each settled period credited to you (claimed or still claimable).",
            ["Period", "Settled", "Version", "EMC profit", "Your credit"],
            periods.map((p) => [`Period ${p.period}`, date(p.time), `Version ${p.version}`, money(p.profit), money(p.earned)]),
          )
        : message("No period has been settled yet."),
      periods.length
        ? barChart(
            "Your credit per month",
            periods.map((p) => ({ label: p.time ? MONTH.format(new Date(p.time * 1000)) : `Period ${p.period}`, value: p.earned, text: money(p.earned) })),
          )
        : null,
      provider ? facts([["Credited to you in all", money(provider.earned_fen)]]) : null,
    ),
  );
}

function summary(position) {
  return facts([
    ["Paid to you so far", money(position.paid)],
    ["Claimable now", money(position.claimable)],
    ["Locked until the EMC reaches its target", money(position.locked)],
  ]);
}

export { count, percent };
