// Pieces several views share: choosing an EMC, the signed-in gate.

import { getJson } from "../lib/api.js";
import { el, message, nameOf, shortAddress } from "../lib/format.js";
import { session } from "../lib/session.js";

let emcCache = null;

export async function emcList() {
  // The public list, a page at a time; a thousand EMCs is far more than a person picks from.
  if (!emcCache) emcCache = (await getJson("/emcs?limit=1000")).items;
  return emcCache;
}

export function emcLabel(address) {
  const name = nameOf(address);
  return name ? `${name} (${shortAddress(address)})` : address;
}

/** A heading, a paragraph and an EMC picker that navigates to `#/view/EMC`. */
export async function header(view, title, intro, viewName, selected) {
  view.replaceChildren();
  view.append(el("h2", title), el("p", intro, "intro"));
  const emcs = await emcList();
  if (emcs.length === 0) {
    view.append(message("No EMC is registered yet."));
    return null;
  }
  const chosen = selected || emcs[0].address;
  const label = el("label", "EMC");
  label.htmlFor = `${viewName}-emc`;
  const select = el("select");
  select.id = `${viewName}-emc`;
  for (const emc of emcs) {
    const option = el("option", `EMC #${emcs.indexOf(emc) + 1}, owned by ${nameOf(emc.owner) || shortAddress(emc.owner)} (${shortAddress(emc.address)})`);
    option.value = emc.address;
    option.selected = emc.address.toLowerCase() === chosen.toLowerCase();
    select.append(option);
  }
  select.addEventListener("change", () => {
    window.location.hash = `#/${viewName}/${select.value}`;
  });
  const picker = el("div", null, "picker");
  picker.append(label, select);
  view.append(picker);
  return emcs.find((e) => e.address.toLowerCase() === chosen.toLowerCase()) || emcs[0];
}

/** A message asking to sign in, or null when signed in. */
export function needSignIn(what) {
  if (session.viewer) return null;
  return message(`Sign in with your wallet (top of the page) to see ${what}.`);
}
