// Drawing the inside view: the attention heatmap of one layer and head, and the logit-lens grid.
// Both are HTML tables (a screen reader reads them cell by cell, with row and column headers);
// each cell's colour is its number on a white-to-blue scale, and its text is black or white,
// whichever contrasts more with that colour (always at least 4.5:1, WCAG AA).

import { mostAttended } from "./inspect.js";
import { fill } from "./view.js";

const LIGHT = [255, 255, 255],
  DARK = [13, 71, 161]; // #ffffff .. #0d47a1

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** WCAG relative luminance of an [r, g, b] colour (0-255). */
function luminance(rgb) {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Paint a cell for a value in [0, 1]: background on the scale, text black or white. */
function paint(cell, value) {
  const rgb = LIGHT.map((l, i) => Math.round(l + (DARK[i] - l) * Math.min(1, Math.max(0, value))));
  const y = luminance(rgb);
  const onBlack = (y + 0.05) / 0.05,
    onWhite = 1.05 / (y + 0.05);
  cell.style.backgroundColor = `rgb(${rgb.join(",")})`;
  cell.style.color = onBlack >= onWhite ? "#000" : "#fff";
}

/** A token as a reader reads it: its parts; a space shows as ␣, a line break as ↵; raw string on hover. */
export function tokenLabel(token, className = "pg-tok") {
  const node = element("span", className);
  for (const part of token.parts) {
    if ("text" in part) node.append(element("span", "pg-text", visible(part.text)));
    else {
      const bytes = element("span", "pg-bytes", part.bytes);
      node.append(bytes);
      if (part.of) node.append(element("span", "pg-of", part.of));
    }
  }
  node.title = `${token.raw} (${token.id})`;
  return node;
}

export function visible(text) {
  return text.replace(/ /g, "␣").replace(/\n/g, "↵").replace(/\t/g, "⇥");
}

/**
 * The heatmap: rows are the queries (each position), columns the keys it may look at; a cell
 * above the diagonal is a later position, masked (the causal triangle). The last column names
 * the token each position attends to most.
 */
export function renderAttention(container, tokens, weights, labels, layer, head) {
  const table = element("table", "pg-heat");
  table.append(element("caption", "", fill(labels.attentionCaption, { layer, head })));
  const top = element("tr");
  top.append(element("th", "pg-corner", labels.queryKey));
  tokens.forEach((token, k) => {
    const th = element("th");
    th.scope = "col";
    th.append(tokenLabel(token));
    th.dataset.position = String(k);
    top.append(th);
  });
  const mostHead = element("th", "", labels.mostAttended);
  mostHead.scope = "col";
  top.append(mostHead);
  const thead = element("thead");
  thead.append(top);
  const tbody = element("tbody");
  const most = mostAttended(weights);
  weights.forEach((row, q) => {
    const tr = element("tr");
    const th = element("th");
    th.scope = "row";
    th.append(tokenLabel(tokens[q]));
    tr.append(th);
    row.forEach((w, k) => {
      if (k > q) {
        tr.append(element("td", "pg-masked"));
        return;
      }
      const td = element("td", "pg-cell", String(Math.round(100 * w)));
      td.title = w.toFixed(4);
      paint(td, w);
      tr.append(td);
    });
    const best = element("td", "pg-most");
    best.append(tokenLabel(tokens[most[q]]), element("span", "pg-p", ` ${Math.round(100 * row[most[q]])}`));
    tr.append(best);
    tbody.append(tr);
  });
  table.append(thead, tbody);
  container.replaceChildren(table);
}

/** The logit lens: one row per residual stream (embed, h.0, ...), one column per position. */
export function renderLens(container, tokens, lens, lensProbs, readable, labels) {
  const table = element("table", "pg-lens");
  table.append(element("caption", "", labels.lensCaption));
  const top = element("tr");
  top.append(element("th", "pg-corner", labels.lensCorner));
  for (const token of tokens) {
    const th = element("th");
    th.scope = "col";
    th.append(tokenLabel(token));
    top.append(th);
  }
  const thead = element("thead");
  thead.append(top);
  const tbody = element("tbody");
  lens.forEach((row, r) => {
    const tr = element("tr");
    const th = element("th", "", r === 0 ? "embed" : `h.${r - 1}`);
    th.scope = "row";
    th.title = r === 0 ? labels.lensEmbed : fill(labels.lensAfter, { n: r });
    tr.append(th);
    const predicted = row.map((id) => readable(id)); // each prediction on its own: a token alone
    row.forEach((id, t) => {
      const td = element("td", "pg-cell");
      td.append(tokenLabel(predicted[t]), element("span", "pg-p", lensProbs[r][t].toFixed(2)));
      paint(td, lensProbs[r][t]);
      tr.append(td);
    });
    tbody.append(tr);
  });
  table.append(thead, tbody);
  container.replaceChildren(table);
}
