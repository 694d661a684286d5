// Decoding loops: greedy, beam search and sampling, as gpt2guide.decoding (greedy.py, beam.py,
// sampling.py) writes them, on the JS model with its key/value cache. Each loop feeds the prompt
// once, then one new token per step, and gives the browser a turn between tokens.

import { applyFilters, samplingFilters, softmax } from "./filters.js";
import { drawIndex, mulberry32 } from "./prng.js";
import { nextTurn } from "./yield.js";

/** Greedy: append the most probable next token until maxNewTokens or end of sequence. */
export async function greedy(model, promptIds, maxNewTokens, { eos = [], onToken = null } = {}) {
  const cache = model.newCache();
  const ids = [];
  let feed = promptIds; // the model has seen nothing yet: the whole prompt first
  for (let step = 0; step < maxNewTokens; step++) {
    const logits = model.forward(feed, cache); // (vocab,) after the last token fed
    const next = argmax(logits);
    ids.push(next);
    if (onToken) onToken(next, ids);
    if (eos.includes(next)) break; // end of sequence: stop, as generate does
    feed = [next];
    await nextTurn();
  }
  return { ids };
}

/** Sampling: filters (temperature, top-k, top-p, min-p), softmax, one seeded draw per step. */
export async function sample(model, promptIds, maxNewTokens, options, { eos = [], onToken = null } = {}) {
  const filters = samplingFilters(options);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  const random = mulberry32(seed);
  const cache = model.newCache();
  const ids = [];
  let feed = promptIds;
  for (let step = 0; step < maxNewTokens; step++) {
    const logits = model.forward(feed, cache);
    const probs = softmax(applyFilters(logits, filters).logits); // removed tokens have probability 0
    const next = drawIndex(probs, random);
    ids.push(next);
    if (onToken) onToken(next, ids);
    if (eos.includes(next)) break;
    feed = [next];
    await nextTurn();
  }
  return { ids, seed };
}

/**
 * Beam search with transformers 5's rules (see beam.py): each step ranks the best
 * 2 * numBeams (beam, token) pairs by joint log-probability; a pair that ends finishes only if
 * it ranks among the best numBeams; at most numBeams finished beams, ranked by
 * score = logp / length ** lengthPenalty; early stopping as generate's early_stopping.
 */
export async function beamSearch(
  model,
  promptIds,
  maxNewTokens,
  { numBeams, lengthPenalty, earlyStopping },
  { eos = [], onStep = null } = {},
) {
  const nCandidates = Math.max(2, 1 + eos.length) * numBeams;
  let running = [{ ids: [], logp: 0, cache: model.newCache() }]; // one empty beam: the prompt alone
  let finished = []; // {ids, logp, score}, best score first
  let feed = [promptIds];
  for (let step = 0; step < maxNewTokens; step++) {
    const length = step + 1; // tokens in every beam after this step
    // 1-2. next-token log-probabilities of every running beam, plus the beam's own
    const best = new TopN(nCandidates);
    for (let b = 0; b < running.length; b++) {
      const logits = model.forward(feed[b], running[b].cache);
      const logZ = logSumExp(logits);
      const base = running[b].logp - logZ;
      for (let token = 0; token < logits.length; token++) best.offer(base + logits[token], b, token);
    }
    // 3-4. the best pairs, best first: ended pairs in the top numBeams finish, numBeams others run on
    const next = [],
      ended = [];
    best.sorted().forEach(({ value, beam, token }, rank) => {
      if (eos.includes(token) || length === maxNewTokens) {
        if (rank < numBeams)
          ended.push({ ids: [...running[beam].ids, token], logp: value, score: value / length ** lengthPenalty });
      } else if (next.length < numBeams) {
        next.push({ parent: beam, token, logp: value });
      }
    });
    // 5. the numBeams best finished beams so far
    finished = [...finished, ...ended].sort((a, b) => b.score - a.score).slice(0, numBeams);
    if (onStep) onStep({ step: length, running: next.length, finished: finished.length });
    // 6. stop at the length limit, or when the finished list is full and nothing can beat it
    if (length === maxNewTokens) break;
    if (finished.length === numBeams) {
      if (earlyStopping === true) break;
      const estimateLength = earlyStopping === "never" && lengthPenalty > 0 ? maxNewTokens : length;
      if (!(next[0].logp / estimateLength ** lengthPenalty > finished[finished.length - 1].score)) break;
    }
    // 7. each beam that runs on carries its parent's cache (cache.reorder_cache)
    const used = new Set();
    running = next.map(({ parent, token, logp }) => {
      const cache = used.has(parent) ? running[parent].cache.clone() : running[parent].cache;
      used.add(parent);
      return { ids: [...running[parent].ids, token], logp, cache };
    });
    // (a parent with two children hands its cache to the first and a copy to the second,
    // all before any beam runs again, so no beam sees another's tokens)
    feed = running.map((beam) => [beam.ids[beam.ids.length - 1]]);
    await nextTurn();
  }
  return { ids: finished[0].ids, score: finished[0].score, beams: finished };
}

export function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

function logSumExp(logits) {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += Math.exp(logits[i] - max);
  return max + Math.log(total);
}

/** The n largest (value, beam, token) triples seen, kept in a small sorted array. */
class TopN {
  constructor(n) {
    this.n = n;
    this.items = [];
    this.floor = -Infinity;
  }
  offer(value, beam, token) {
    if (this.items.length === this.n && !(value > this.floor)) return;
    const items = this.items;
    let i = items.length;
    while (i > 0 && items[i - 1].value < value) i--; // descending; an equal value goes after (lower index first)
    items.splice(i, 0, { value, beam, token });
    if (items.length > this.n) items.pop();
    if (items.length === this.n) this.floor = items[items.length - 1].value;
  }
  sorted() {
    return this.items;
  }
}
