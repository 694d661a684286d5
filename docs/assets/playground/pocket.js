// window.pocket: the pocket model in the page, for the playground's controls, for tests and for
// curious readers (open the browser console and try `await pocket.generate({prompt: "It"})`).
//
//   pocket.ready                 a Promise, resolved once model and tokenizer are loaded
//   pocket.encode(text)          -> number[]
//   pocket.decode(ids)           -> string
//   pocket.generate({prompt, strategy: "greedy"|"beam"|"sample", maxNewTokens, numBeams,
//                    lengthPenalty, temperature, topK, topP, minP, seed})
//                                -> Promise<{ids, text}>   (the new tokens only)
//   pocket.distribution({prompt, temperature, topK, topP, minP})
//                                -> Promise<Float32Array>  (the 50257 probabilities after the filters)
//   pocket.inspect({prompt})    -> Promise<{ids, tokens, attentions, lens, lensProbs}>: inside the body,
//                                attentions[layer][head][query][key] (anatomy.attention_weights) and
//                                lens[row][position], the top-1 ids of anatomy.logit_lens (n_layer + 1 rows)
//   pocket.loadCheckpoint({config, weights}) -> Promise: run another GPT-2-shaped checkpoint
//                                (config.json parsed, model.safetensors as an ArrayBuffer, F16 or F32)
//   pocket.loadPocket()          -> Promise: back to the bundled pocket model
//   pocket.progress              {loaded, total, reports}: bytes loaded so far, of how many
//   pocket.train(...), pocket.gradients(...)   training in a worker: see pocket-train.js
// A bad option rejects the Promise with an Error whose message names the option.

import { checkDistributionOptions, checkFitsContext, checkGenerateOptions, checkInspectOptions } from "./checks.js";
import { beamSearch, greedy, sample } from "./decoding.js";
import { applyFilters, samplingFilters, softmax } from "./filters.js";
import { checkConfig, checkTensors, safetensorsHeader } from "./checkpoint.js";
import { inspectIds } from "./inspect.js";
import { fetchAll } from "./loader.js";
import { nextTurn } from "./yield.js";
import { addTraining } from "./pocket-train.js";
import { Gpt2 } from "./model.js";
import { readSafetensorsAsync } from "./safetensors.js";
import { Tokenizer } from "./tokenizer.js";

export const FILES = ["config.json", "generation_config.json", "vocab.json", "merges.txt", "model.safetensors"];

/**
 * Load the checkpoint from `base` (a folder URL ending in /) and build the API around it.
 * onProgress(loaded, total) follows the download; onModelChange() runs after loadCheckpoint or
 * loadPocket has put another model in place.
 */
export function createPocket(base, sizes, onProgress, onModelChange = () => {}) {
  const api = { model: null, tokenizer: null, eos: [], progress: { loaded: 0, total: 0, reports: 0 } };
  const memo = { key: null, logits: null }; // the last prompt's logits (lastLogits), this pocket's own
  let pocketState = null; // the bundled model, kept while another one runs
  const report = (loaded, total) => {
    api.progress = { loaded, total, reports: api.progress.reports + 1 };
    onProgress(loaded, total);
  };
  api.ready = (async () => {
    const buffers = await fetchAll(
      FILES.map((f) => base + f),
      sizes,
      report,
    );
    const text = (b) => new TextDecoder().decode(b);
    const [config, generation, vocab, merges, weights] = buffers;
    api.timings = { filesArrived: performance.now() };
    api.config = JSON.parse(text(config));
    const eos = JSON.parse(text(generation)).eos_token_id;
    api.eos = eos === undefined || eos === null ? [] : [eos].flat();
    // Each step in slices, the browser getting a turn between them (none holds the page long).
    api.tokenizer = await loadTokenizer(vocab, merges);
    api.timings.tokenizer = performance.now();
    const { tensors } = await readSafetensorsAsync(weights, nextTurn);
    api.timings.weights = performance.now();
    api.model = new Gpt2(api.config, tensors);
    api.timings.ready = performance.now();
    api.checkpoint = "pocket";
    pocketState = { model: api.model, config: api.config, eos: api.eos };
    return api;
  })();

  /**
   * Run another GPT-2-shaped checkpoint: config (config.json, parsed) and weights (an ArrayBuffer
   * of model.safetensors, F16 or F32). Everything is checked before the running model is
   * replaced, so a bad file leaves the previous model working. Resolves to {n_layer, n_head,
   * n_embd, values, seconds}.
   */
  api.loadCheckpoint = async ({ config, weights } = {}) => {
    const started = performance.now();
    await api.ready;
    const c = checkConfig(config);
    const { values } = safetensorsHeader(weights);
    const { tensors } = await readSafetensorsAsync(weights, nextTurn);
    checkTensors(c, tensors);
    await nextTurn();
    const model = new Gpt2(c, tensors);
    api.model = model;
    api.config = c;
    api.eos = c.eos_token_id === undefined || c.eos_token_id === null ? [] : [c.eos_token_id].flat();
    api.checkpoint = "own";
    memo.key = null;
    onModelChange();
    return {
      n_layer: c.n_layer,
      n_head: c.n_head,
      n_embd: c.n_embd,
      values,
      seconds: (performance.now() - started) / 1000,
    };
  };

  /** Back to the bundled pocket model. */
  api.loadPocket = async () => {
    await api.ready;
    Object.assign(api, pocketState, { checkpoint: "pocket" });
    memo.key = null;
    onModelChange();
  };

  api.encode = (text) => api.tokenizer.encode(text);
  api.decode = (ids) => api.tokenizer.decode(ids);

  /** The new tokens after the prompt; onToken(id, idsSoFar) for each (greedy, sampling). */
  api.generate = async (options, { onToken = null, onStep = null } = {}) => {
    const o = checkGenerateOptions(options);
    await api.ready;
    const promptIds = api.encode(o.prompt);
    checkFitsContext(promptIds.length, o.maxNewTokens, api.config.n_positions);
    const hooks = { eos: api.eos, onToken, onStep };
    let result;
    if (o.strategy === "greedy") result = await greedy(api.model, promptIds, o.maxNewTokens, hooks);
    else if (o.strategy === "sample") result = await sample(api.model, promptIds, o.maxNewTokens, o, hooks);
    else {
      result = await beamSearch(api.model, promptIds, o.maxNewTokens, o, hooks);
      result.beams = result.beams.map((b) => ({ ...b, text: api.decode(b.ids) }));
    }
    return { ...result, text: api.decode(result.ids) };
  };

  /** Details of one next-token distribution: probabilities, how many tokens each filter keeps. */
  api.analyse = async (options) => {
    const o = checkDistributionOptions(options);
    await api.ready;
    const promptIds = api.encode(o.prompt);
    checkFitsContext(promptIds.length, 0, api.config.n_positions);
    const logits = await lastLogits(api, memo, promptIds);
    const { logits: filtered, kept } = applyFilters(logits, samplingFilters(o));
    return { promptIds, probs: Float32Array.from(softmax(filtered)), kept, vocab: logits.length };
  };

  /** The attention weights and the logit lens of the prompt (tokens: the vocabulary's strings). */
  api.inspect = async (options, { shouldStop } = {}) => {
    const o = checkInspectOptions(options);
    await api.ready;
    const ids = api.encode(o.prompt);
    checkFitsContext(ids.length, 0, api.config.n_positions);
    const inside = await inspectIds(api.model, ids, { shouldStop });
    if (inside === null) return null;
    return { ids, tokens: ids.map((id) => api.tokenizer.token(id)), ...inside };
  };

  api.distribution = async (options) => (await api.analyse(options)).probs;
  return addTraining(api); // train, gradients and the run's controls (pocket-train.js)
}

/**
 * The tokenizer from vocab.json and merges.txt: parsed in a worker (tables-worker.js) where
 * the browser has module workers, else on this thread; the maps built in slices either way.
 */
async function loadTokenizer(vocab, merges) {
  let tables = null;
  try {
    const worker = new Worker(new URL("./tables-worker.js", import.meta.url));
    tables = await new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
      worker.onerror = (event) => {
        event.preventDefault();
        resolve(null);
      }; // no worker: parse here
      worker.postMessage({ vocab, merges });
    });
    worker.terminate();
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("tokenizer files")) throw error;
    tables = null;
  }
  if (tables) return Tokenizer.fromTables(tables.tokens, tables.lines, nextTurn);
  const text = (b) => new TextDecoder().decode(b);
  return Tokenizer.create(JSON.parse(text(vocab)), text(merges), nextTurn);
}

// The last prompt's logits, kept in `memo`: moving a slider re-filters them without running the
// model again. A long prompt is fed a slice at a time, the browser getting a turn between slices.
async function lastLogits(api, memo, promptIds) {
  const key = promptIds.join(",");
  if (memo.key !== key) {
    const model = api.model,
      cache = model.newCache();
    let since = performance.now(),
      last = null;
    for (const token of promptIds) {
      if (performance.now() - since > 30) {
        await nextTurn();
        since = performance.now();
      }
      last = model.step(token, cache);
    }
    if (model !== api.model) return lastLogits(api, memo, promptIds); // another checkpoint arrived meanwhile
    memo.logits = model.head(last);
    memo.key = key;
  }
  return memo.logits;
}
