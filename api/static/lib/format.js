// Building the page: elements, names beside addresses, RMB, dates.
// Text is always set with textContent, never parsed as HTML.

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export const CLASS_NAMES = {
  partner: "Partner share",
  operating: "Operating share (ME)",
  value_added: "Value-added pool (ME)",
  dev_fund: "Development fund",
};

export const ROLE_NAMES = {
  operator: "Platform operator",
  steward: "Template steward",
  me: "Micro-enterprise (ME)",
  partner: "Partner",
  auditor: "Auditor",
  treasury: "Treasury",
  registrar: "Registrar",
  contract: "Contract",
};

// What each history row is (rdh_chain.history.RowKind), as people say it.
export const KIND_NAMES = {
  created: "EMC registered",
  terms: "Terms set",
  reporter: "Reporter named",
  bid: "Bid",
  "version-proposed": "Version proposed",
  "version-signed": "Version signed",
  "version-activated": "Version activated",
  settlement: "Period settled",
  "target-reached": "Target reached",
  "pool-filled": "Sharing space filled",
  claim: "Claim paid",
  investment: "Investment",
  loss: "Loss",
  notice: "Notice of departure",
  "dev-fund-withdrawal": "Development fund withdrawal",
  sweep: "Sweep",
  "capital-return": "Capital returned",
  dissolution: "Dissolution",
  membership: "Membership",
};

export const STATUS_NAMES = {
  active: "Active",
  pending: "Waiting for its first share version",
  dissolved: "Dissolved",
  proposed: "Waiting for signatures",
  superseded: "Replaced by a later version",
};

export function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

export function append(parent, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function button(text, onClick, className) {
  const node = el("button", text, className);
  node.type = "button";
  if (onClick) node.addEventListener("click", onClick);
  return node;
}

// Names of the members, from GET /members (filled once signed in).
const names = new Map();

export function rememberNames(entries) {
  for (const entry of entries) {
    if (entry.address && entry.name) names.set(entry.address.toLowerCase(), entry.name);
  }
}

export function nameOf(address) {
  if (!address) return null;
  if (address.toLowerCase() === ZERO_ADDRESS) return "The EMC's development fund";
  return names.get(address.toLowerCase()) || null;
}

export function shortAddress(address) {
  return `${address.slice(0, 6)}…${address.slice(-4)}`;
}

/** A name with its address beside it (the full address in the tooltip and for screen
 * readers); an address alone when no profile names it. `known` is a name the answer gave. */
export function who(address, known) {
  const span = el("span", null, "who");
  if (!address) {
    span.textContent = "—";
    return span;
  }
  const name = known || nameOf(address);
  if (name) {
    span.append(el("span", name, "who-name"), " ");
    const code = el("code", shortAddress(address), "address");
    code.title = address;
    code.setAttribute("aria-label", `address ${address}`);
    span.append(code);
  } else {
    span.append(el("code", address, "address full"));
  }
  return span;
}

const RMB = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** An amount: `{fen, rmb}` from the gateway, or a number of fen. */
export function money(amount) {
  if (amount === null || amount === undefined) return "—";
  if (typeof amount === "object") return `¥${amount.rmb}`;
  return `¥${RMB.format(Number(amount) / 100)}`;
}

export function count(value) {
  return Number(value).toLocaleString("en-US");
}

export function percent(bps) {
  return `${(Number(bps) / 100).toFixed(2)}%`;
}

const DATE = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const DATE_TIME = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return new Date(value * 1000); // unix seconds
  return new Date(value);
}

/** "1 Aug 2020" from an ISO time or unix seconds. */
export function date(value) {
  const d = toDate(value);
  return d ? DATE.format(d) : "—";
}

/** "1 Aug 2020, 10:00 UTC". */
export function dateTime(value) {
  const d = toDate(value);
  return d ? `${DATE_TIME.format(d)} UTC` : "—";
}

export function setStatus(node, text, kind) {
  node.textContent = text || "";
  node.classList.toggle("error", kind === "error");
  node.classList.toggle("ok", kind === "ok");
  node.setAttribute("role", kind === "error" ? "alert" : "status");
}

/** A message paragraph (kind: undefined, "error" or "ok"). */
export function message(text, kind) {
  const node = el("p", null, "status");
  setStatus(node, text, kind);
  return node;
}

export function facts(pairs) {
  const dl = el("dl", null, "facts");
  for (const [term, value] of pairs) {
    dl.append(el("dt", term));
    dl.append(append(el("dd"), value));
  }
  return dl;
}

/** A table that becomes a list of cards on a phone: each cell carries its column's name.
 * columns: names; rows: arrays of cells (text or nodes). */
export function table(caption, columns, rows, className) {
  const node = el("table", null, `cards ${className || ""}`.trim());
  if (caption) node.append(el("caption", caption));
  const head = el("tr");
  for (const name of columns) {
    const th = el("th", name);
    th.scope = "col";
    head.append(th);
  }
  node.append(append(el("thead"), head));
  const body = el("tbody");
  for (const cells of rows) {
    const tr = el("tr");
    if (cells.className) tr.className = cells.className;
    cells.forEach((cell, i) => {
      const td = el("td");
      td.append(append(el("div", null, "cell"), cell));
      if (cell === "—" || cell === "" || cell === null || cell === undefined) td.classList.add("empty");
      td.dataset.label = columns[i] || "";
      tr.append(td);
    });
    body.append(tr);
  }
  node.append(body);
  return node;
}

export function section(title, ...children) {
  const node = el("section", null, "card");
  const heading = el("h3", title);
  node.append(heading, ...children.filter(Boolean));
  return node;
}

/** Offer `text` as a file to download. */
export function download(filename, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: type || "application/octet-stream" }));
  const link = el("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
