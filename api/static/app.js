// The web page: a shell (wallet, sign-in, tabs) and one view at a time, chosen by the
// address's #fragment: #/ (EMCs), #/emc/ADDRESS, #/partner, #/node, #/auditor, #/operator.

import { getJson } from "./lib/api.js";
import { append, button, el, rememberNames, ROLE_NAMES, setStatus, who } from "./lib/format.js";
import { session } from "./lib/session.js";
import {
  hasWallet, onAccountsChanged, rememberedDemoWallet, signIn, signOut, useDemoWallet, usingDemoWallet,
  whoAmI, WalletError,
} from "./lib/wallet.js";
import { showEmc, showEmcs } from "./views/emcs.js";
import { showPartner } from "./views/partner.js";
import { showNode } from "./views/node.js";
import { showAuditor } from "./views/auditor.js";
import { showOperator } from "./views/operator.js";

const VIEWS = {
  "": showEmcs,
  emc: showEmc,
  partner: showPartner,
  node: showNode,
  auditor: showAuditor,
  operator: showOperator,
};

async function loadNames() {
  try {
    const directory = await getJson("/members?limit=1000");
    rememberNames(directory.items);
    session.directory = directory.items;
  } catch {
    session.directory = []; // outsiders may not read the directory: addresses alone
  }
}

function renderWallet() {
  const box = document.getElementById("wallet");
  box.replaceChildren();
  if (session.viewer) {
    const roles = (session.viewer.roles || []).map((r) => ROLE_NAMES[r] || r).join(", ") || "no role";
    const line = el("p", null, "signed-in");
    append(line, "Signed in as ", who(session.viewer.address, session.viewer.name), el("span", ` · ${roles}`, "muted"));
    if (usingDemoWallet()) line.append(el("span", " (demo wallet)", "demo-tag"));
    box.append(line, button("Sign out", async () => {
      await signOut().catch(() => {});
      useDemoWallet(null);
      session.viewer = null;
      renderWallet();
      route();
    }, "secondary"));
    return;
  }
  const status = el("p", null, "status");
  const start = async (demoName) => {
    useDemoWallet(demoName || null);
    go.disabled = true;
    setStatus(status, demoName ? "Signing in with the demo wallet…" : "Check your wallet: it asks you to sign a sign-in message (free, moves no money).");
    try {
      session.viewer = await signIn();
      await loadNames();
      renderWallet();
      route();
    } catch (error) {
      useDemoWallet(null);
      setStatus(status, error.message, "error");
      go.disabled = false;
    }
  };
  const go = button("Connect wallet and sign in", () => start(null));
  go.id = "sign-in";
  box.append(go);
  if (session.demo) box.append(demoPicker(start));
  if (!hasWallet() && !session.demo) {
    setStatus(status, "No browser wallet found: install MetaMask to sign in. You can still read the list of EMCs.");
  }
  box.append(status);
}

// `make run` only: the seeded members' wallets, marked as a demo.
function demoPicker(start) {
  const wrap = el("div", null, "demo-picker");
  const label = el("label", "or, in this demo, sign in as");
  label.htmlFor = "demo-wallet";
  const select = el("select");
  select.id = "demo-wallet";
  select.append(Object.assign(el("option", "a seeded member…"), { value: "" }));
  for (const w of session.demo.wallets) {
    const roles = w.roles.map((r) => ROLE_NAMES[r] || r).join(", ");
    select.append(Object.assign(el("option", `${w.label} (${roles})`), { value: w.name }));
  }
  select.addEventListener("change", () => {
    if (select.value) start(select.value);
  });
  wrap.append(label, select);
  return wrap;
}

async function loadDemo() {
  try {
    session.demo = await getJson("/demo/wallets");
  } catch {
    session.demo = null; // not the demo: no such route
  }
  const banner = document.getElementById("demo-banner");
  banner.hidden = !session.demo;
  if (session.demo) banner.replaceChildren(el("strong", "DEMO · "), session.demo.warning);
}

let routed = false; // the first view is the page's own: focus stays where the browser puts it

function route() {
  const parts = window.location.hash.replace(/^#\/?/, "").split("/");
  const [name, ...rest] = parts;
  const show = VIEWS[name] || showEmcs;
  for (const link of document.querySelectorAll("#nav a")) {
    const active = link.dataset.view === (name === "" || name === "emc" ? "emcs" : name);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const view = document.getElementById("view");
  view.replaceChildren(el("p", "Loading…", "status"));
  Promise.resolve(show(view, ...rest)).then(() => {
    // Screen readers and keyboards land on the new view's heading.
    const heading = view.querySelector("h2");
    if (heading && routed) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
    routed = true;
  }).catch((error) => {
    view.replaceChildren();
    const p = el("p", error instanceof WalletError ? error.message : error.message || String(error), "status error");
    p.setAttribute("role", "alert");
    view.append(p);
  });
}

async function showHealth() {
  const node = document.getElementById("health");
  try {
    const health = await getJson("/health");
    const lag = health.index && typeof health.index.lag_blocks === "number" ? health.index.lag_blocks : null;
    session.chainId = health.chain_id;
    setStatus(node, `Ledger online (chain ${health.chain_id}, block ${health.block}${lag ? `, index ${lag} block(s) behind` : ""}).`, "ok");
  } catch (error) {
    setStatus(node, error.message, "error");
  }
}

async function start() {
  showHealth();
  try {
    session.viewer = await whoAmI();
  } catch {
    session.viewer = null;
  }
  await Promise.all([loadNames(), loadDemo()]);
  // Back after a reload, signed in with a demo wallet: sign with it again.
  const demoName = rememberedDemoWallet();
  const demoWallet = session.demo && session.demo.wallets.find((w) => w.name === demoName);
  if (session.viewer && demoWallet && demoWallet.address.toLowerCase() === session.viewer.address.toLowerCase()) {
    useDemoWallet(demoName);
  } else if (demoName) {
    useDemoWallet(null);
  }
  renderWallet();
  onAccountsChanged(() => {
    // Another account in the wallet: the session is for the previous one.
    signOut().catch(() => {});
    session.viewer = null;
    renderWallet();
    route();
  });
  window.addEventListener("hashchange", route);
  route();
}

start();
