// The public list of EMCs, and one EMC: its terms, members and shares, versions, rounds.

import { getJson } from "../lib/api.js";
import {
  append, CLASS_NAMES, count, date, el, facts, message, money, percent, section,
  STATUS_NAMES, table, who, ZERO_ADDRESS,
} from "../lib/format.js";
import { emcList, needSignIn } from "./common.js";

export async function showEmcs(view) {
  const emcs = await emcList();
  view.replaceChildren(el("h2", "EMCs on the ledger"));
  view.append(
    el(
      "p",
      "Each ecosystem micro-community (EMC) gathers micro-enterprises (MEs) and outside " +
        "partners around one user scenario; they share its profit as agreed in signed share versions.",
      "intro",
    ),
  );
  if (emcs.length === 0) {
    view.append(message("No EMC is registered yet."));
    return;
  }
  const rows = emcs.map((emc, i) => {
    const open = el("a", `EMC #${i + 1}`);
    open.href = `#/emc/${emc.address}`;
    const name = el("span", null, "stack");
    append(name, open, who(emc.address));
    return [
      name,
      who(emc.owner),
      STATUS_NAMES[emc.status] || emc.status,
      count(emc.totals.periods),
      money(emc.totals.profit),
      money(emc.totals.paid),
      emc.totals.target_reached ? "Reached" : `${count(emc.totals.users)} of ${count(emc.terms.target_users)} users`,
    ];
  });
  view.append(
    table(
      "Every EMC, in order of registration. Choose one to see its members and shares.",
      ["EMC", "Owner", "Status", "Periods settled", "Profit shared", "Paid out", "Target"],
      rows,
      "emc-list",
    ),
  );
}

function entryRows(entries) {
  return entries.map((entry) => [
    entry.account === ZERO_ADDRESS ? "The EMC's development fund" : who(entry.account),
    CLASS_NAMES[entry.share_class] || entry.share_class,
    `${entry.percent}%`,
  ]);
}

export async function showEmc(view, address) {
  view.replaceChildren();
  const gate = needSignIn("this EMC's members and shares");
  const emcs = await emcList();
  const index = emcs.findIndex((e) => e.address.toLowerCase() === String(address).toLowerCase());
  view.append(el("h2", `EMC #${index + 1}`), who(address));
  if (gate) {
    view.append(gate);
    return;
  }
  const emc = await getJson(`/emcs/${encodeURIComponent(address)}`);
  view.append(
    section(
      "Terms and progress",
      facts([
        ["Owner", who(emc.owner)],
        ["Status", STATUS_NAMES[emc.status] || emc.status],
        ["Target", `${count(emc.terms.target_users)} users and ${money(emc.terms.target_revenue)} revenue`],
        ["Value-added sharing space", `${money(emc.terms.sharing_space)} (earned only once the target is reached)`],
        ["Users so far", count(emc.totals.users)],
        ["Revenue so far", money(emc.totals.revenue)],
        ["Periods settled", count(emc.totals.periods)],
        ["Target reached", emc.totals.target_reached ? "Yes" : "Not yet"],
        ["Losses so far", `${money(emc.capital.losses)} of ${money(emc.terms.loss_threshold)} that would dissolve it`],
        ["Development fund", `${money(emc.dev_fund.claimable)} available, ${money(emc.totals.dev_fund_withdrawn)} withdrawn`],
      ]),
    ),
  );
  const active = emc.active_version;
  if (active) {
    view.append(
      section(
        `Members and shares (version ${active.id})`,
        el(
          "p",
          `In force from period ${active.from_period}, activated ${date(active.activated_at)}, ` +
            `signed by all ${active.party_count} parties.`,
          "muted",
        ),
        table("Each member's share of every period's profit.", ["Member", "Class", "Share"], entryRows(active.entries)),
      ),
    );
  } else {
    view.append(section("Members and shares", message("No share version is active yet.")));
  }
  const versions = [];
  for (let id = 1; id <= emc.version_count; id += 1) {
    versions.push(await getJson(`/emcs/${encodeURIComponent(address)}/versions/${id}`));
  }
  if (versions.length) {
    view.append(
      section(
        "Share versions",
        table(
          "Every version ever proposed, newest first.",
          ["Version", "Status", "Proposed", "Activated", "Parties", "Total"],
          versions.reverse().map((v) => [
            `Version ${v.id}`,
            STATUS_NAMES[v.status] || v.status,
            date(v.proposed_at),
            v.activated_at ? date(v.activated_at) : `sign by ${date(v.deadline)}`,
            count(v.party_count),
            percent(v.total_bps),
          ]),
        ),
      ),
    );
  }
  const rounds = await getJson(`/emcs/${encodeURIComponent(address)}/bids`);
  view.append(
    section(
      "Bid rounds",
      rounds.length
        ? table(
            "Sealed-bid rounds the owner opened.",
            ["Round", "Bids until", "Reveal until", "Bids", "Revealed", "Invited"],
            rounds.map((r) => [`Round ${r.id}`, date(r.commit_deadline), date(r.reveal_deadline), count(r.bidder_count), count(r.revealed_count), count(r.invited_count)]),
          )
        : message("No bid round yet."),
    ),
  );
  const links = el("p", null, "actions");
  for (const [text, href] of [
    ["Partner view", `#/partner/${address}`],
    ["Node view", `#/node/${address}`],
    ["Auditor view", `#/auditor/${address}`],
  ]) {
    const a = el("a", text, "button-link");
    a.href = href;
    links.append(a);
  }
  view.append(links);
}
