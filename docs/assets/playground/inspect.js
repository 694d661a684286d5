// Looking inside the body, as gpt2guide.anatomy does: the attention weights of every layer and
// head, and the logit lens (ln_f and the head on the residual stream after the embeddings and
// after each block). The prompt runs one token at a time through the model's step(), which
// records this position's attention row and residual states; the causal triangle comes from
// position t seeing only 0..t (the cache), the same weights as anatomy.attention_weights.
// References: nostalgebraist, "interpreting GPT: the logit lens" (2020); docs/anatomy.*.md.

import { nextTurn } from "./yield.js";

const BUDGET_MS = 25; // the longest stretch between two turns for the browser

/** The most probable token of logits and its probability (softmax over the whole vocabulary). */
export function topOne(logits) {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
  let total = 0;
  const max = logits[best];
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] - max);
  return { id: best, p: 1 / total, logit: max };
}

/**
 * inspect(model, ids) -> {attentions, lens, lensProbs}:
 *   attentions[layer][head][query][key]  causal softmax weights, 0 where key > query
 *                                         (anatomy.attention_weights(model, ids, layer)[0])
 *   lens[row][position]                   top-1 token id of ln_f + head on the residual stream,
 *                                         row 0 the embeddings, row i after block i
 *                                         (anatomy.logit_lens(model, ids)[row, 0].argmax(-1))
 *   lensProbs[row][position]              that token's probability
 * The browser gets a turn every BUDGET_MS (a wide model's head is slow), so a long prompt never
 * freezes the page; if shouldStop() says so at such a turn, it gives up and returns null.
 */
export async function inspectIds(model, ids, { shouldStop = () => false } = {}) {
  const { n_layer: nLayer, n_head: nHead } = model.config;
  const n = ids.length;
  const attentions = Array.from({ length: nLayer }, () =>
    Array.from({ length: nHead }, () => Array.from({ length: n }, () => new Array(n).fill(0))),
  );
  const lens = Array.from({ length: nLayer + 1 }, () => new Array(n));
  const lensProbs = Array.from({ length: nLayer + 1 }, () => new Array(n));
  const cache = model.newCache();
  const logits = new Float32Array(model.config.vocab_size); // (vocab,), reused
  let since = performance.now();
  for (let t = 0; t < n; t++) {
    const record = { attentions: [], states: [] };
    model.step(ids[t], cache, record);
    for (let layer = 0; layer < nLayer; layer++) {
      for (let head = 0; head < nHead; head++) {
        const row = record.attentions[layer][head]; // (t + 1,)
        const out = attentions[layer][head][t];
        for (let s = 0; s <= t; s++) out[s] = row[s];
      }
    }
    for (let row = 0; row < record.states.length; row++) {
      // n_layer + 1 states of (n_embd,)
      const { id, p } = topOne(model.head(model.finalNorm(record.states[row]), logits));
      lens[row][t] = id;
      lensProbs[row][t] = p;
      if (performance.now() - since > BUDGET_MS) {
        // a turn for the browser, within a position too
        await nextTurn();
        if (shouldStop()) return null; // the caller has moved on (a newer prompt)
        since = performance.now();
      }
    }
  }
  return { attentions, lens, lensProbs };
}

/** For each query position, the key position it attends to most (the first one on a tie). */
export function mostAttended(weights) {
  return weights.map((row, q) => {
    let best = 0;
    for (let k = 1; k <= q; k++) if (row[k] > row[best]) best = k;
    return best;
  });
}
