// A small bar chart in SVG, built with DOM calls (no library, nothing from elsewhere).

const SVG = "http://www.w3.org/2000/svg";

function node(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

/** bars: [{label, value, text}] (value a number >= 0). Scales to its container's width. */
export function barChart(title, bars) {
  // Narrow for few bars, so that on a phone the labels stay readable.
  const width = Math.max(360, Math.min(640, bars.length * 110));
  const height = 240;
  const left = 16;
  const bottom = 44;
  const top = 28;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const svg = node("svg", {
    viewBox: `0 0 ${width} ${height}`,
    role: "img",
    "aria-label": `${title}: ${bars.map((b) => `${b.label} ${b.text}`).join(", ")}`,
    class: "chart",
  });
  svg.style.maxWidth = `${width}px`; // never drawn larger than its own size
  svg.append(node("title", {}, title));
  const slot = (width - 2 * left) / Math.max(1, bars.length);
  const barWidth = Math.min(72, slot * 0.6);
  svg.append(node("line", { x1: left, x2: width - left, y1: height - bottom, y2: height - bottom, class: "axis" }));
  bars.forEach((bar, i) => {
    const h = ((height - bottom - top) * bar.value) / max;
    const x = left + slot * i + (slot - barWidth) / 2;
    const y = height - bottom - h;
    svg.append(node("rect", { x, y, width: barWidth, height: Math.max(h, 1), rx: 3, class: "bar" }));
    svg.append(node("text", { x: x + barWidth / 2, y: y - 6, "text-anchor": "middle", class: "value" }, bar.text));
    svg.append(node("text", { x: x + barWidth / 2, y: height - bottom + 18, "text-anchor": "middle", class: "label" }, bar.label));
  });
  return svg;
}
