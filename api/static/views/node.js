// A node's (ME's) view: open bid rounds, a sealed bid (its salt made and kept in this
// browser, offered as a file, sent to nobody before the reveal), the reveal, and a
// proposed share version with its change from the current one, to sign.

import { getJson, postJson } from "../lib/api.js";
import { encodeStatic, fromHex, keccak256, toHex, utf8 } from "../lib/keccak.js";
import {
  append, button, CLASS_NAMES, count, date, dateTime, download, el, facts, message, money,
  section, setStatus, table, who, ZERO_ADDRESS,
} from "../lib/format.js";
import { signedInAddress } from "../lib/session.js";
import { txPanel } from "../lib/tx.js";
import { checksumLike, connect, signTypedData } from "../lib/wallet.js";
import { header, needSignIn } from "./common.js";

const STORE = "rdh.sealed-bids";

function savedBids() {
  try {
    return JSON.parse(window.localStorage.getItem(STORE) || "{}");
  } catch {
    return {};
  }
}

function bidKey(emc, round, bidder) {
  return `${emc.toLowerCase()}/${round}/${bidder.toLowerCase()}`;
}

function keepBid(bid) {
  const all = savedBids();
  all[bidKey(bid.emc, bid.round_id, bid.bidder)] = bid;
  window.localStorage.setItem(STORE, JSON.stringify(all));
}

/** A sealed bid, as `rdh bids commit` writes it (the same file reveals with the CLI). */
export function sealBid({ emc, roundId, bidder, users, revenueFen, askBps, proposal }) {
  const salt = toHex(crypto.getRandomValues(new Uint8Array(32)));
  const proposalHash = toHex(keccak256(utf8(proposal)));
  const commitment = toHex(
    keccak256(
      encodeStatic([
        [emc, "address"],
        [roundId, "uint256"],
        [bidder, "address"],
        [users, "uint256"],
        [revenueFen, "uint256"],
        [askBps, "uint256"],
        [proposalHash, "bytes32"],
        [salt, "bytes32"],
      ]),
    ),
  );
  return {
    emc: checksumLike(emc),
    round_id: Number(roundId),
    bidder: checksumLike(bidder),
    users: Number(users),
    revenue: Number(revenueFen),
    ask_bps: Number(askBps),
    proposal_hash: proposalHash,
    salt,
    commitment,
  };
}

function field(labelText, input, help) {
  const wrap = el("div", null, "field");
  const label = el("label", labelText);
  label.htmlFor = input.id;
  wrap.append(label, input);
  if (help) wrap.append(el("p", help, "help"));
  return wrap;
}

function input(id, type, attrs) {
  const node = el(type === "textarea" ? "textarea" : "input");
  node.id = id;
  if (type !== "textarea") node.type = type;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function bidForm(emc, round, me) {
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  const form = el("form", null, "form grid");
  form.id = `bid-${round.id}`;
  form.noValidate = true;
  const users = input(`bid-users-${round.id}`, "number", { min: "0", step: "1", required: "", inputmode: "numeric" });
  const revenue = input(`bid-revenue-${round.id}`, "number", { min: "0", step: "0.01", required: "", inputmode: "decimal" });
  const ask = input(`bid-ask-${round.id}`, "number", { min: "0", max: "100", step: "0.01", required: "", inputmode: "decimal" });
  const proposal = input(`bid-proposal-${round.id}`, "textarea", { rows: "3", required: "" });
  const submit = el("button", "Seal and place the bid");
  submit.type = "submit";
  const panel = txPanel("your sealed bid");
  const saved = el("div");
  form.append(
    field("Users you undertake to bring", users),
    field("Revenue you undertake (RMB)", revenue),
    field("Share you ask for (% of profit)", ask, "For example 3 for 3%."),
    field("Your proposal", proposal, "What you will do. Only its hash goes on the ledger with the bid."),
    append(el("p", null, "actions"), submit),
    panel.node,
    saved,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = [users.value, revenue.value, ask.value, proposal.value.trim()];
    if (values.some((v) => v === "")) {
      setStatus(panel.status, "Fill in all four fields first.", "error");
      return;
    }
    const askBps = Math.round(Number(ask.value) * 100);
    if (!(askBps >= 0 && askBps <= 10000)) {
      setStatus(panel.status, "The share you ask for is a percentage between 0 and 100.", "error");
      return;
    }
    submit.disabled = true;
    const bid = sealBid({
      emc: emc.address,
      roundId: round.id,
      bidder: me,
      users: Math.round(Number(users.value)),
      revenueFen: Math.round(Number(revenue.value) * 100),
      askBps,
      proposal: proposal.value.trim(),
    });
    keepBid(bid); // kept before anything is sent: losing the salt loses the bid
    saved.replaceChildren(savedBidBox(bid));
    await panel.run(() => postJson(`${base}/tx/commit-bid`, { round_id: round.id, commitment: bid.commitment }));
    submit.disabled = false;
  });
  return form;
}

function savedBidBox(bid) {
  const box = el("div", null, "notice");
  box.append(
    el(
      "p",
      "Your bid is sealed. Its secret salt is kept in this browser and in the file below; " +
        "nobody else has it, and you need it to reveal the bid. Download the file now and keep it safe.",
    ),
  );
  const save = button("Download the sealed bid (salt included)", () =>
    download(`sealed-bid-round-${bid.round_id}.json`, `${JSON.stringify(bid, null, 2)}\n`, "application/json"),
  );
  save.id = `download-bid-${bid.round_id}`;
  box.append(append(el("p", null, "actions"), save));
  box.append(facts([["Commitment", append(el("code", bid.commitment, "address full"))]]));
  return box;
}

function revealBox(emc, round, me) {
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  const box = el("div");
  const bid = savedBids()[bidKey(emc.address, round.id, me)];
  const panel = txPanel("your reveal");
  const file = input(`reveal-file-${round.id}`, "file", { accept: "application/json,.json" });
  let chosen = bid || null;
  const line = el("p", chosen ? `The sealed bid placed from this browser is ready to reveal (${count(chosen.users)} users, ${money(chosen.revenue)}, ${(chosen.ask_bps / 100).toFixed(2)}%).` : "No sealed bid of yours is kept in this browser: choose the file you downloaded.", "muted");
  file.addEventListener("change", async () => {
    try {
      chosen = JSON.parse(await file.files[0].text());
      setStatus(line, `Read ${file.files[0].name}: ${count(chosen.users)} users, ${money(chosen.revenue)}.`);
    } catch {
      setStatus(line, "That file is not a sealed bid (a JSON file this page or `rdh bids commit` wrote).", "error");
    }
  });
  const go = button(`Reveal the bid of round ${round.id}`, async () => {
    if (!chosen) {
      setStatus(line, "Choose your sealed bid's file first.", "error");
      return;
    }
    await panel.run(() =>
      postJson(`${base}/tx/reveal-bid`, {
        round_id: round.id,
        // Counts and RMB as text, which the gateway reads exactly (the file keeps fen).
        undertaken_users: String(chosen.users),
        undertaken_revenue: (Number(chosen.revenue) / 100).toFixed(2),
        ask_bps: chosen.ask_bps,
        proposal_hash: chosen.proposal_hash,
        salt: chosen.salt,
      }),
    );
  });
  go.id = `reveal-${round.id}`;
  box.append(line, field("Or the sealed bid's file", file), append(el("p", null, "actions"), go), panel.node);
  return box;
}

function diffRows(current, proposed) {
  const key = (e) => `${e.account.toLowerCase()}/${e.share_class}`;
  const before = new Map((current ? current.entries : []).map((e) => [key(e), e]));
  const after = new Map(proposed.entries.map((e) => [key(e), e]));
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  return keys
    .map((k) => {
      const a = before.get(k);
      const b = after.get(k);
      const entry = b || a;
      const was = a ? a.bps : 0;
      const now = b ? b.bps : 0;
      const change = now - was;
      const changeText = change === 0 ? "no change" : `${change > 0 ? "+" : "−"}${(Math.abs(change) / 100).toFixed(2)} points`;
      const row = [
        entry.account === ZERO_ADDRESS ? "The EMC's development fund" : who(entry.account),
        CLASS_NAMES[entry.share_class] || entry.share_class,
        a ? `${a.percent}%` : "—",
        b ? `${b.percent}%` : "removed",
        changeText,
      ];
      row.className = change === 0 ? "same" : change > 0 ? "up" : "down";
      return { row, change };
    })
    .sort((x, y) => Math.abs(y.change) - Math.abs(x.change))
    .map((x) => x.row);
}

export async function proposedSection(emc, me) {
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  const detail = await getJson(base);
  const current = detail.active_version;
  const proposed = [];
  for (let id = (current ? current.id : 0) + 1; id <= detail.version_count; id += 1) {
    const v = await getJson(`${base}/versions/${id}`);
    if (v.status === "proposed") proposed.push(v);
  }
  const box = section("Proposed share versions");
  if (!proposed.length) {
    box.append(message("No version is waiting for signatures."));
    return box;
  }
  for (const v of proposed) {
    const mine = v.parties.some((p) => p.toLowerCase() === me.toLowerCase());
    const card = el("div", null, "version");
    card.append(el("h4", `Version ${v.id}: proposed ${date(v.proposed_at)}, sign by ${dateTime(v.deadline)}`));
    const rows = diffRows(current, v);
    const changed = rows.filter((r) => r.className !== "same");
    const same = rows.filter((r) => r.className === "same");
    const columns = ["Member", "Class", "Now", "Proposed", "Change"];
    card.append(
      table(
        `What changes from ${current ? `version ${current.id}, in force now` : "no version (this is the first)"}: ${changed.length} share(s), the biggest first.`,
        columns,
        changed,
        "diff",
      ),
    );
    if (same.length) {
      const details = el("details", null, "unchanged");
      details.append(el("summary", `${same.length} share(s) stay as they are`));
      details.append(table(null, columns, same, "diff-same"));
      card.append(details);
    }
    const who_signed = el("div");
    card.append(who_signed);
    const refresh = async () => {
      try {
        const state = await getJson(`${base}/versions/${v.id}/signatures`);
        who_signed.replaceChildren(signatureState(state));
      } catch (error) {
        who_signed.replaceChildren(message(error.message, error.status >= 500 ? "error" : undefined));
      }
    };
    await refresh();
    if (mine) {
      const panel = el("p", null, "status");
      const sign = button(`Sign version ${v.id}`, async () => {
        sign.disabled = true;
        try {
          const account = await connect();
          setStatus(panel, "Check your wallet: it shows the shares you are agreeing to.");
          const typed = await getJson(`${base}/versions/${v.id}/typed-data`);
          const signature = await signTypedData(account, typed);
          setStatus(panel, "Signed; sending your signature to the gateway…");
          const answer = await postJson(`${base}/versions/${v.id}/signatures`, { signature });
          setStatus(panel, `Your signature is in. ${answer.activation ? answer.activation.detail : ""}`, "ok");
          who_signed.replaceChildren(signatureState(answer));
        } catch (error) {
          setStatus(panel, error.message, "error");
          sign.disabled = false;
        }
      });
      sign.id = `sign-version-${v.id}`;
      card.append(append(el("p", null, "actions"), sign), panel);
    } else {
      card.append(message("You are not a party of this version: you read it, others sign it."));
    }
    box.append(card);
  }
  return box;
}

function signatureState(state) {
  const parties = state.parties || [];
  const signedList = el("ul", null, "plain signers");
  const waitingList = el("ul", null, "plain signers");
  for (const p of parties) {
    const li = el("li", null, p.signed ? "signed" : "waiting");
    append(
      li,
      p.signed ? "✓ " : "○ ",
      who(p.address, p.name),
      p.signed ? el("span", ` signed ${p.signed_at ? dateTime(p.signed_at) : ""}`, "muted") : null,
    );
    (p.signed ? signedList : waitingList).append(li);
  }
  const wrap = el("div", null, "signatures");
  const signed = signedList.childNodes.length;
  wrap.append(el("p", `${signed} of ${parties.length} parties have signed.`, "signature-count"));
  if (signed) wrap.append(signedList);
  if (waitingList.childNodes.length) {
    const details = el("details", null, "waiting-parties");
    details.append(el("summary", `${waitingList.childNodes.length} have not signed yet`), waitingList);
    wrap.append(details);
  }
  if (state.activation && state.activation.detail) {
    wrap.append(message(state.activation.detail, state.activation.state === "failed" ? "error" : state.activation.state === "activated" ? "ok" : undefined));
  }
  return wrap;
}

export async function showNode(view, selected) {
  const emc = await header(
    view,
    "Bids and agreements",
    "Bid to join an EMC with a sealed bid, reveal it when bidding closes, and sign the " +
      "share versions you are a party of.",
    "node",
    selected,
  );
  if (!emc) return;
  const gate = needSignIn("bid rounds and proposed versions");
  if (gate) {
    view.append(gate);
    return;
  }
  const me = signedInAddress();
  const base = `/emcs/${encodeURIComponent(emc.address)}`;
  let rounds;
  try {
    rounds = await getJson(`${base}/bids`);
  } catch (error) {
    if (error.status !== 403) throw error;
    view.append(message("Bid rounds are for micro-enterprises (MEs); your wallet is not one."));
    view.append(await proposedSection(emc, me));
    return;
  }
  const now = Date.now();
  const open = rounds.filter((r) => new Date(r.reveal_deadline).getTime() > now && !r.decided_at);
  const box = section("Open bid rounds");
  if (!open.length) box.append(message("No bid round is open in this EMC."));
  for (const round of open) {
    const committing = new Date(round.commit_deadline).getTime() > now;
    const card = el("div", null, "round");
    card.append(el("h4", `Round ${round.id}`));
    card.append(
      facts([
        ["Bids until", dateTime(round.commit_deadline)],
        ["Reveal until", dateTime(round.reveal_deadline)],
        ["Bids so far", count(round.bidder_count)],
      ]),
    );
    const kept = savedBids()[bidKey(emc.address, round.id, me)];
    if (committing) card.append(bidForm(emc, round, me));
    if (committing && kept) card.append(savedBidBox(kept));
    if (!committing || kept) {
      // The chain decides when revealing opens (its clock, not this computer's): a reveal
      // sent too early is refused with the time it opens, and nothing changes.
      card.append(el("h4", "Reveal your bid"), revealNote(round), revealBox(emc, round, me));
    }
    box.append(card);
  }
  view.append(box);
  try {
    view.append(await proposedSection(emc, me));
  } catch (error) {
    if (error.status !== 403) throw error;
    // A node that is not a member yet bids to join; the EMC's versions are its members'.
    view.append(section("Proposed share versions", message("You are not a member of this EMC yet: its share versions are for its members. Bid to join it above.")));
  }
}

function revealNote(round) {
  return message(`Reveal it after bidding closes, ${dateTime(round.commit_deadline)}, and before ${dateTime(round.reveal_deadline)}.`);
}

export { fromHex };
