// The web page's behaviour: reads the gateway's JSON endpoints and fills the page.
// Text is always set with textContent, never parsed as HTML.
"use strict";

const CLASS_NAMES = {
  partner: "Partner share",
  operating: "Operating share (ME)",
  value_added: "Value-added pool (ME)",
  dev_fund: "Development fund",
};
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

// GET a JSON endpoint; a failed answer throws its `detail`, which says what to do.
async function getJson(path) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/json" } });
  } catch {
    throw new Error("The gateway does not answer; check your connection and reload the page.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body && body.detail ? body.detail : `The gateway answered ${response.status}.`);
  }
  return body;
}

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function address(value) {
  return el("code", value, "address");
}

function money(amount) {
  return `¥${amount.rmb}`;
}

function count(value) {
  return Number(value).toLocaleString("en-US");
}

function setStatus(node, text, isError) {
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
  node.setAttribute("role", isError ? "alert" : "status");
}

function fillFacts(dl, facts) {
  dl.replaceChildren();
  for (const [term, value] of facts) {
    dl.append(el("dt", term));
    const dd = el("dd");
    dd.append(value instanceof Node ? value : document.createTextNode(String(value)));
    dl.append(dd);
  }
}

function row(cells) {
  const tr = el("tr");
  for (const cell of cells) {
    const td = el("td");
    td.append(cell instanceof Node ? cell : document.createTextNode(String(cell)));
    tr.append(td);
  }
  return tr;
}

async function showHealth() {
  const node = document.getElementById("health");
  try {
    const health = await getJson("/health");
    setStatus(node, `Connected to chain ${health.chain_id}, block ${health.block}.`);
  } catch (error) {
    setStatus(node, error.message, true);
  }
}

async function showEmcs() {
  const message = document.getElementById("emcs-message");
  const table = document.getElementById("emcs");
  try {
    const emcs = await getJson("/emcs");
    const body = table.querySelector("tbody");
    body.replaceChildren();
    for (const emc of emcs) {
      const open = el("button", emc.address, "link address");
      open.type = "button";
      open.setAttribute("aria-label", `Show the members of EMC ${emc.address}`);
      open.addEventListener("click", () => showEmc(emc.address));
      body.append(
        row([
          open,
          address(emc.owner),
          emc.status,
          emc.totals.periods,
          money(emc.totals.profit),
          money(emc.totals.paid),
          emc.totals.target_reached ? "Reached" : "Not yet",
        ]),
      );
    }
    table.hidden = emcs.length === 0;
    setStatus(message, emcs.length === 0 ? "No EMC is registered yet." : "");
  } catch (error) {
    table.hidden = true;
    setStatus(message, error.message, true);
  }
}

async function showEmc(emcAddress) {
  const section = document.getElementById("emc");
  const title = document.getElementById("emc-title");
  const version = document.getElementById("emc-version");
  const table = document.getElementById("emc-entries");
  section.hidden = false;
  title.textContent = `EMC ${emcAddress}`;
  setStatus(version, "Loading…");
  table.hidden = true;
  title.focus();
  try {
    const emc = await getJson(`/emcs/${encodeURIComponent(emcAddress)}`);
    fillFacts(document.getElementById("emc-facts"), [
      ["Owner", address(emc.owner)],
      ["Status", emc.status],
      ["Target", `${count(emc.terms.target_users)} users and ${money(emc.terms.target_revenue)} revenue`],
      ["Value-added sharing space", money(emc.terms.sharing_space)],
      ["Users so far", count(emc.totals.users)],
      ["Revenue so far", money(emc.totals.revenue)],
      ["Target reached", emc.totals.target_reached ? "Yes" : "Not yet"],
      ["Losses so far", `${money(emc.capital.losses)} of ${money(emc.terms.loss_threshold)} that dissolve it`],
      ["Capital", `${money(emc.capital.capital)} (${money(emc.capital.invested)} invested)`],
    ]);
    const body = table.querySelector("tbody");
    body.replaceChildren();
    if (emc.active_version === null) {
      setStatus(version, "No share version is active yet.");
    } else {
      const active = emc.active_version;
      const signed = active.party_count === 1 ? "its 1 party" : `all ${active.party_count} parties`;
      setStatus(
        version,
        `Version ${active.id} of ${emc.version_count}, in force from period ${active.from_period}; ` +
          `signed by ${signed} before its deadline, ${active.deadline.slice(0, 10)}.`,
      );
      for (const entry of active.entries) {
        const isFund = entry.account === ZERO_ADDRESS;
        let action = "";
        if (!isFund) {
          action = el("button", "Payouts", "link");
          action.type = "button";
          action.setAttribute("aria-label", `Show the payouts of ${entry.account}`);
          action.addEventListener("click", () => lookUpShare(entry.account));
        }
        body.append(
          row([
            isFund ? "The EMC's development fund" : address(entry.account),
            CLASS_NAMES[entry.share_class] || entry.share_class,
            `${entry.percent}%`,
            count(entry.bps),
            action,
          ]),
        );
      }
      table.hidden = false;
    }
    fillFacts(document.getElementById("emc-fund"), [
      ["Available", money(emc.dev_fund.claimable)],
      ["Withdrawn", money(emc.totals.dev_fund_withdrawn)],
    ]);
  } catch (error) {
    setStatus(version, error.message, true);
  }
}

function shareTable(shares) {
  const table = el("table");
  table.append(el("caption", "Your share in each EMC and what it has paid you."));
  const head = el("tr");
  for (const name of ["EMC", "Promised share", "Paid", "Claimable now", "Locked until target"]) {
    const th = el("th", name);
    th.scope = "col";
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  table.append(thead);
  const body = el("tbody");
  for (const share of shares.emcs) {
    const promised = el("ul", null, "plain");
    for (const part of share.shares) {
      promised.append(el("li", `${part.percent}% ${CLASS_NAMES[part.share_class] || part.share_class}`));
    }
    if (share.shares.length === 0) promised.append(el("li", "None in the active version"));
    body.append(
      row([
        address(share.emc),
        promised,
        money(share.position.paid),
        money(share.position.claimable),
        money(share.position.locked),
      ]),
    );
  }
  const total = row(["All EMCs", "", money(shares.paid), money(shares.claimable), money(shares.locked)]);
  total.className = "total";
  body.append(total);
  table.append(body);
  const wrap = el("div", null, "scroll");
  wrap.append(table);
  return wrap;
}

async function lookUpShare(account) {
  const input = document.getElementById("share-address");
  const result = document.getElementById("share-result");
  input.value = account;
  const value = account.trim();
  result.replaceChildren();
  if (value === "") {
    result.append(el("p", "Enter your wallet address first.", "status error"));
    input.focus();
    return;
  }
  result.append(el("p", "Loading…", "status"));
  try {
    const [member, shares] = await Promise.all([
      getJson(`/members/${encodeURIComponent(value)}`),
      getJson(`/members/${encodeURIComponent(value)}/share`),
    ]);
    result.replaceChildren();
    const roles = member.roles.length ? member.roles.join(", ") : "no role";
    result.append(el("p", `Member ${member.address}: ${member.status}, ${roles}.`));
    if (shares.emcs.length === 0) {
      result.append(el("p", "No EMC names this wallet yet."));
    } else {
      result.append(shareTable(shares));
    }
  } catch (error) {
    result.replaceChildren();
    const message = el("p", error.message, "status error");
    message.setAttribute("role", "alert");
    result.append(message);
  }
  document.getElementById("share-title").scrollIntoView({ block: "start" });
}

document.getElementById("share-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lookUpShare(document.getElementById("share-address").value);
});

showHealth();
showEmcs();
