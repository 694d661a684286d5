// Drawing the playground's results: token chips, the top-10 bar chart, the final beams. Plain
// DOM elements (no library); every text is set with textContent, never parsed as HTML.

import { tokenLabel } from "./inside-view.js";
import { readableTokens } from "./readable.js";

/** Fill a {name} template with values. */
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : `{${name}}`));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * One chip: the token as a reader reads it (readable.js: text, or the bytes of a part of a
 * character with that character) over its id; the vocabulary's own string on hover.
 */
export function chip(token, extraClass = "") {
  const node = element("span", `pg-chip ${extraClass}`.trim());
  const text = tokenLabel(token, "pg-chip-token");
  node.append(text, element("span", "pg-chip-id", String(token.id)));
  node.title = text.title;
  node.dataset.raw = token.raw;
  return node;
}

export function renderChips(container, tokenizer, ids, extraClass = "") {
  container.replaceChildren(...readableTokens(tokenizer, ids).map((token) => chip(token, extraClass)));
}

/** The most probable `n` tokens of probs: [{id, p}], most probable first. */
export function topTokens(probs, n = 10) {
  const best = [];
  for (let id = 0; id < probs.length; id++) {
    const p = probs[id];
    if (p === 0 || (best.length === n && p <= best[n - 1].p)) continue;
    let i = best.length;
    while (i > 0 && best[i - 1].p < p) i--;
    best.splice(i, 0, { id, p });
    if (best.length > n) best.pop();
  }
  return best;
}

/** The bar chart: one row per token, the bar's length its probability (the full width is 1). */
export function renderChart(container, tokenizer, probs, n = 10) {
  const rows = topTokens(probs, n).map(({ id, p }) => {
    const row = element("div", "pg-bar-row");
    const bar = element("span", "pg-bar");
    bar.style.width = `${(100 * p).toFixed(2)}%`;
    const track = element("span", "pg-bar-track");
    track.append(bar);
    row.append(
      tokenLabel(readableTokens(tokenizer, [id])[0], "pg-bar-token"),
      element("span", "pg-bar-id", String(id)),
      track,
      element("span", "pg-bar-p", p >= 0.001 ? p.toFixed(3) : p.toExponential(1)),
    );
    row.dataset.id = String(id);
    return row;
  });
  container.replaceChildren(...rows);
}

/** The finished beams, best first: text, score and joint log-probability. */
export function renderBeams(container, beams, labels) {
  if (!beams) {
    container.replaceChildren();
    return;
  }
  const table = element("table", "pg-beams-table");
  const head = element("tr");
  for (const name of [labels.rank, labels.beamText, labels.score, labels.logp]) head.append(element("th", "", name));
  table.append(element("caption", "", labels.beamsHeading), head);
  beams.forEach((beam, i) => {
    const row = element("tr");
    row.append(
      element("td", "", String(i + 1)),
      element("td", "pg-beam-text", beam.text),
      element("td", "", beam.score.toFixed(3)),
      element("td", "", beam.logp.toFixed(3)),
    );
    table.append(row);
  });
  container.replaceChildren(table);
}
