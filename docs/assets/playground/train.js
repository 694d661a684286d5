// Training a GPT-2 in the browser, step for step as gpt2guide.train (loop.py, schedule.py, data.py,
// evaluate.py) does it: random windows of the token stream, the mean next-token loss, its gradient
// (backward.js: the backward pass written out by hand), the gradient norm clipped at 1.0, AdamW with
// weight decay on the matrices only (nanoGPT's configure_optimizers: two parameter groups), the
// learning rate warmed up, then decayed along a cosine. No dropout. Runs in a Web Worker
// (train-worker.js); nothing here touches the page.
//
//   one step:  lr = warmupCosine(step)          schedule.py warmup_cosine
//              batch = B random windows          data.py Data.batch (context + 1 tokens each)
//              loss, grads = windowGradients()   evaluate.py lm_loss, then loss.backward()
//              clipGradNorm(grads, 1.0)          torch.nn.utils.clip_grad_norm_
//              AdamW step, two groups            torch.optim.AdamW, betas (0.9, 0.95)
//
// The LM head (the 50,257 rows of the tied embedding) is most of the work; its logits are made a few
// rows at a time (headLossAndGradients), so a step never holds batch x context x 50,257 numbers. Where
// the browser has WebAssembly SIMD, the head runs in simd-train.js's kernels and AdamW in simd-adamw.js's
// (float32, as torch's; the plain-JS head and backward.js's AdamW, in doubles, are the fallback, and the
// `simd: false` option asks for them).
// References: karpathy/nanoGPT train.py (get_lr, configure_optimizers); karpathy/llm.c train_gpt2.c;
// torch.optim.AdamW's algorithm box; Loshchilov and Hutter, "Decoupled Weight Decay Regularization".

import { AdamW, blockBackward, bodyForward, embeddingBackward, layerNormBackward } from "./backward.js";
import { mulberry32 } from "./prng.js";
import { simdAdamW } from "./simd-adamw.js";
import { simdTrainHead } from "./simd-train.js";
import { fail } from "./train-messages.js";

export const GPT2_VOCAB = 50257;
export const END_OF_TEXT = 50256;
/** The most values a model trained here may have: weights, gradients and AdamW's two moments are held
 *  together (about 28 bytes a value), and a larger model takes minutes a step on a laptop's CPU. */
export const MAX_TRAIN_VALUES = 12_000_000;
const HELD_OUT_FRACTION = 0.1; // the end of the data held out (data.py, nanoGPT: 10 %)
const HEAD_ROWS = 16; // rows of the head's logits made at a time (plain JS)
const SIMD_ROWS = 32; // the same in WebAssembly SIMD (the logits of 32 rows: 6.4 MB of float32)
const DF_BLOCK = 2048; // tokens whose dF terms add up in float32 before joining the double sum

// -- the options -------------------------------------------------------------------------------

const DEFAULTS = {
  text: undefined, // a text (tokenized by the page), or
  ids: undefined, // token ids: one stream, or equal-length rows (a synthetic task)
  batches: undefined, // or the batches themselves: [step][row][token], to line a run up with Python
  heldOut: undefined, // held-out ids (else the end of the data)
  config: undefined, // {n_layer, n_head, n_embd, n_positions, vocab_size}
  weights: undefined, // the initial weights: an ArrayBuffer of a .safetensors file (else random)
  steps: undefined,
  seconds: undefined,
  seed: 0,
  batchSize: 16, // loop.py BATCH_SIZE
  lr: 3e-3, // loop.py LR
  minLr: undefined, // lr x 0.1
  warmup: undefined, // min(100, max(1, steps / 10))
  weightDecay: 0.1,
  gradClip: 1.0,
  evalEvery: undefined, // max(1, steps / 10)
  evalTokens: 512, // held-out tokens scored at each evaluation (loop.py: 8192; the head is slow here)
  prompt: undefined, // the sample's prompt ids (else the held-out part's first 4 tokens)
  sampleTokens: 24,
  simd: true, // the head and AdamW in WebAssembly SIMD where the browser has it (false: plain JS, as without it)
};

const show = (x) => (typeof x === "string" ? JSON.stringify(x) : String(x));
const isNumber = (x) => typeof x === "number" && Number.isFinite(x);

function whole(o, name, minimum) {
  if (!Number.isInteger(o[name]) || o[name] < minimum) throw fail("wholeNumber", { name, minimum, got: show(o[name]) });
}

function positive(o, name) {
  if (!isNumber(o[name]) || o[name] <= 0) throw fail("positive", { name, got: show(o[name]) });
}

/** The model's config, defaults filled in as transformers' GPT2Config; throws on what cannot train here. */
export function checkTrainConfig(config, vocab = GPT2_VOCAB) {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw fail("configObject");
  const c = { vocab_size: vocab, layer_norm_epsilon: 1e-5, n_inner: null, ...config };
  for (const key of ["n_layer", "n_head", "n_embd", "n_positions", "vocab_size"]) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw fail("configWhole", { key, got: show(c[key]) });
  }
  if (c.n_positions < 2) throw fail("configPositions");
  if (c.n_embd % c.n_head !== 0) throw fail("configMultiple", { width: c.n_embd, heads: c.n_head });
  if (c.n_inner !== null && (!Number.isInteger(c.n_inner) || c.n_inner < 1)) throw fail("configInner");
  const values = countValues(c);
  if (values > MAX_TRAIN_VALUES)
    throw fail("configTooLarge", { n: (values / 1e6).toFixed(1), most: MAX_TRAIN_VALUES / 1e6 });
  return c;
}

/** The options of train(), defaults filled in; throws an Error naming the first bad one. */
export function checkTrainOptions(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) throw fail("optionsObject");
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) throw fail("notAnOption", { key, options: Object.keys(DEFAULTS).join(", ") });
  }
  const o = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options)) if (value !== undefined) o[key] = value;
  const sources = ["text", "ids", "batches"].filter((key) => o[key] !== undefined);
  if (sources.length !== 1) throw fail("oneSource");
  if (o.text !== undefined && (typeof o.text !== "string" || o.text.length === 0))
    throw fail("textString", { got: show(o.text) });
  if (o.steps === undefined && o.seconds === undefined && o.batches === undefined) throw fail("stepsOrSeconds");
  if (o.steps !== undefined) whole(o, "steps", 1);
  if (o.seconds !== undefined) positive(o, "seconds");
  whole(o, "seed", 0);
  whole(o, "batchSize", 1);
  positive(o, "lr");
  if (o.minLr === undefined) o.minLr = o.lr * 0.1;
  else if (!isNumber(o.minLr) || o.minLr < 0 || o.minLr > o.lr) throw fail("minLr", { lr: o.lr, got: show(o.minLr) });
  const horizon = o.steps ?? (o.batches ? o.batches.length : 1000);
  if (o.warmup === undefined) o.warmup = Math.min(100, Math.max(1, Math.floor(horizon / 10)));
  else whole(o, "warmup", 0);
  // Evaluations every tenth of the run: of its steps, or (a run by seconds alone) of its seconds.
  if (o.evalEvery === undefined && o.steps === undefined && o.batches === undefined) o.evalEvery = null;
  else if (o.evalEvery === undefined) o.evalEvery = Math.max(1, Math.floor(horizon / 10));
  else whole(o, "evalEvery", 1);
  if (!isNumber(o.weightDecay) || o.weightDecay < 0) throw fail("weightDecay", { got: show(o.weightDecay) });
  positive(o, "gradClip");
  whole(o, "evalTokens", 1);
  whole(o, "sampleTokens", 0);
  if (typeof o.simd !== "boolean") throw fail("simd", { got: show(o.simd) });
  if (o.weights !== undefined && !(o.weights instanceof ArrayBuffer)) throw fail("weightsBuffer");
  const vocab = o.config?.vocab_size ?? GPT2_VOCAB;
  if (o.text !== undefined && vocab !== GPT2_VOCAB) throw fail("configVocab", { vocab: GPT2_VOCAB });
  o.config = checkTrainConfig(o.config);
  if (o.batches !== undefined) {
    checkBatches(o.batches, o.config);
    if (o.steps === undefined) o.steps = o.batches.length;
    if (o.steps > o.batches.length) throw fail("batchPerStep", { steps: o.steps, batches: o.batches.length });
  }
  if (o.ids !== undefined && (!o.ids.length || (Array.isArray(o.ids[0]) && !o.ids[0].length)))
    throw fail("ids", { name: "ids" });
  if (o.ids !== undefined) checkIds(o.ids, "ids", o.config.vocab_size);
  if (o.heldOut !== undefined) checkIds(o.heldOut, "heldOut", o.config.vocab_size);
  if (o.prompt !== undefined) {
    checkIds([o.prompt], "prompt", o.config.vocab_size);
    if (o.prompt.length === 0 || o.prompt.length >= o.config.n_positions)
      throw fail("prompt", { most: o.config.n_positions - 1, n: o.prompt.length });
  }
  return o;
}

function checkIds(ids, name, vocab) {
  const rows = Array.isArray(ids) && ids.every((row) => Array.isArray(row)) ? ids : [ids];
  for (const row of rows) {
    if (!Array.isArray(row) && !ArrayBuffer.isView(row)) throw fail("ids", { name });
    for (const id of row) {
      if (!Number.isInteger(id) || id < 0 || id >= vocab)
        throw fail("idRange", { name, last: vocab - 1, got: show(id) });
    }
  }
}

function checkBatches(batches, config) {
  if (!Array.isArray(batches) || batches.length === 0) throw fail("batchesList");
  for (const batch of batches) {
    if (!Array.isArray(batch) || batch.length === 0 || !Array.isArray(batch[0])) throw fail("batchRows");
    const length = batch[0].length;
    if (length < 2 || length > config.n_positions + 1) throw fail("batchLength", { most: config.n_positions + 1 });
    if (batch.some((row) => row.length !== length)) throw fail("batchEqual");
    checkIds(batch, "batches", config.vocab_size);
  }
}

// -- the parameters --------------------------------------------------------------------------------

/** {name: shape} of every parameter, named as named_parameters() (the head tied to wte, not listed). */
export function parameterShapes(c) {
  const C = c.n_embd,
    I = c.n_inner ?? 4 * C;
  const shapes = { "transformer.wte.weight": [c.vocab_size, C], "transformer.wpe.weight": [c.n_positions, C] };
  for (let i = 0; i < c.n_layer; i++) {
    const h = `transformer.h.${i}.`;
    Object.assign(shapes, {
      [h + "ln_1.weight"]: [C],
      [h + "ln_1.bias"]: [C],
      [h + "attn.c_attn.weight"]: [C, 3 * C],
      [h + "attn.c_attn.bias"]: [3 * C],
      [h + "attn.c_proj.weight"]: [C, C],
      [h + "attn.c_proj.bias"]: [C],
      [h + "ln_2.weight"]: [C],
      [h + "ln_2.bias"]: [C],
      [h + "mlp.c_fc.weight"]: [C, I],
      [h + "mlp.c_fc.bias"]: [I],
      [h + "mlp.c_proj.weight"]: [I, C],
      [h + "mlp.c_proj.bias"]: [C],
    });
  }
  return Object.assign(shapes, { "transformer.ln_f.weight": [C], "transformer.ln_f.bias": [C] });
}

export function countValues(c) {
  return Object.values(parameterShapes(c)).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
}

/** Random initial weights as transformers' GPT-2 draws them: N(0, 0.02), the residual projections
 *  N(0, 0.02 / sqrt(2 n_layer)), biases 0, layer norms 1 and 0 (seeded; not torch's generator). */
export function initialWeights(c, seed) {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random()); // Box-Muller
  const params = {};
  for (const [name, shape] of Object.entries(parameterShapes(c))) {
    const p = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.endsWith("ln_f.weight")) p.fill(1);
    else if (shape.length === 2) {
      const std = name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * c.n_layer) : 0.02;
      for (let i = 0; i < p.length; i++) p[i] = std * normal();
    }
    params[name] = p;
  }
  return params;
}

/** Weights from readSafetensors' tensors (names with or without "transformer."), checked against the config. */
export function weightsFromTensors(c, tensors) {
  const params = {};
  for (const [name, shape] of Object.entries(parameterShapes(c))) {
    const tensor = tensors[name] ?? tensors[name.slice("transformer.".length)];
    if (!tensor) throw fail("weightsMissing", { name });
    if (tensor.shape.join(",") !== shape.join(","))
      throw fail("weightsShape", { name, shape: tensor.shape.join(", "), expected: shape.join(", ") });
    params[name] = Float32Array.from(tensor.data);
  }
  return params;
}

// -- the loss and its gradient ---------------------------------------------------------------------

/**
 * The head and the loss of rows f (R, C) against targets (R,), a few rows at a time: logits = f @ wteᵀ,
 * loss = Σ -log softmax(logits)[target] (a sum: the caller divides), and with `gradients`
 * dF = dLogits @ wte and dHead = dLogitsᵀ @ f, where dLogits = (softmax - one_hot) / n.
 */
export function headLossAndGradients(f, wte, targets, R, C, V, n, gradients, simd = null) {
  if (simd) return simdHeadLossAndGradients(f, wte, targets, R, C, V, n, gradients, simd);
  let loss = 0;
  const dF = gradients ? new Float64Array(R * C) : null;
  const dHead = gradients ? new Float64Array(V * C) : null;
  const logits = new Float64Array(HEAD_ROWS * V); // (V, rows): token-major, so each wte row is read once
  for (let r0 = 0; r0 < R; r0 += HEAD_ROWS) {
    const rows = Math.min(HEAD_ROWS, R - r0);
    for (let i = 0; i < V; i++) {
      const w = i * C;
      for (let r = 0; r < rows; r++) {
        const x = (r0 + r) * C;
        let dot = 0;
        for (let c = 0; c < C; c++) dot += f[x + c] * wte[w + c];
        logits[i * rows + r] = dot;
      }
    }
    for (let r = 0; r < rows; r++) {
      let max = -Infinity;
      for (let i = 0; i < V; i++) max = Math.max(max, logits[i * rows + r]);
      let total = 0;
      for (let i = 0; i < V; i++) total += Math.exp(logits[i * rows + r] - max);
      const target = targets[r0 + r];
      loss -= logits[target * rows + r] - max - Math.log(total);
      if (!gradients) continue;
      for (let i = 0; i < V; i++) logits[i * rows + r] = Math.exp(logits[i * rows + r] - max) / total / n;
      logits[target * rows + r] -= 1 / n; // minus the one-hot of the token that came next
    }
    if (!gradients) continue;
    for (let i = 0; i < V; i++) {
      const w = i * C;
      for (let r = 0; r < rows; r++) {
        const g = logits[i * rows + r],
          x = (r0 + r) * C;
        for (let c = 0; c < C; c++) {
          dHead[w + c] += g * f[x + c];
          dF[x + c] += g * wte[w + c];
        }
      }
    }
  }
  return { loss, dF, dHead };
}

/** The head's WebAssembly SIMD kernels for a config (simd-train.js), or null: without wasm SIMD, where
 *  n_embd is not a multiple of 4, or with `simd` false (the plain-JS head, as the tests ask for). */
export function headKernels(config, simd = true) {
  return simd ? simdTrainHead(config.vocab_size, config.n_embd, SIMD_ROWS) : null;
}

/**
 * headLossAndGradients in WebAssembly SIMD (simd-train.js; `k`: simdTrainHead's kernels): per pass, up
 * to k.rows rows' logits in one pass over wte, the softmax in place (exp in float32, each row's sum of
 * float32 blocks added in doubles), then dF and dHead in one more pass. dHead is summed in float32, as
 * torch's; dF's sum over the 50,257 tokens in float32 blocks of DF_BLOCK tokens added in doubles.
 */
function simdHeadLossAndGradients(f, wte, targets, R, C, V, n, gradients, k) {
  let loss = 0;
  const dF = gradients ? new Float64Array(R * C) : null;
  const { logits, stride } = k;
  k.wte.set(wte); // this step's weights, into the wasm memory
  if (gradients) k.dHead.fill(0);
  for (let r0 = 0; r0 < R; r0 += k.rows) {
    const rows = Math.min(k.rows, R - r0);
    k.pack(f, r0, rows);
    k.logitsOf(rows); // logits[r stride + t] = f_r · wte_t
    for (let r = 0; r < rows; r++) {
      const max = k.rowMax(r),
        at = r * stride + targets[r0 + r];
      const logit = logits[at];
      const total = k.expSum(r, max); // the row is now exp(logits - max)
      loss -= logit - max - Math.log(total);
      if (!gradients) continue;
      k.scale(r, 1 / total / n); // softmax / n
      logits[at] -= 1 / n; // minus the one-hot of the token that came next
    }
    if (!gradients) continue;
    for (let t0 = 0; t0 < V; t0 += DF_BLOCK) {
      k.dF.fill(0);
      k.backward(t0, Math.min(V, t0 + DF_BLOCK), rows); // dHead[t0 .. t1) += gᵀ f; dF = g @ wte[t0 .. t1)
      k.unpackAdd(dF, r0, rows);
    }
  }
  return { loss, dF, dHead: gradients ? k.dHead : null }; // dHead: in the wasm memory, until the next call
}

/**
 * {loss, grads} of a batch of windows (B rows of L tokens): the model reads the first L - 1 tokens of
 * each and predicts the next of each (evaluate.lm_loss), the mean over B (L - 1) predictions.
 * grads: named_parameters() name -> Float32Array (the tied wte once, both paths summed). With
 * gradients false, the loss alone (no backward pass).
 */
export function windowGradients(params, config, windows, gradients = true, simd = null) {
  const B = windows.length,
    T = windows[0].length - 1,
    C = config.n_embd,
    V = config.vocab_size,
    P = config.n_positions,
    R = B * T;
  const eps = config.layer_norm_epsilon ?? 1e-5;
  const wte = params["transformer.wte.weight"];
  // Forward, keeping what each step read: embeddings, the blocks, ln_f (the first T tokens of each window).
  const { x, saved, f } = bodyForward(params, config, windows, T);
  const targets = new Int32Array(R); // each window's tokens 1 .. T: what each position predicts
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) targets[b * T + t] = windows[b][t + 1];
  const head = headLossAndGradients(f, wte, targets, R, C, V, R, gradients, simd);
  if (!gradients) return { loss: head.loss / R };
  // Backward, from the loss to the embeddings.
  const grads = {};
  const addGrad = (name, g) => {
    if (grads[name]) for (let i = 0; i < g.length; i++) grads[name][i] += g[i];
    else grads[name] = g; // a second path to the same tensor (the tied wte) is summed
  };
  addGrad("transformer.wte.weight", head.dHead);
  const nf = layerNormBackward(head.dF, x, params["transformer.ln_f.weight"], eps, R, C);
  (addGrad("transformer.ln_f.weight", nf.dWeight), addGrad("transformer.ln_f.bias", nf.dBias));
  let dX = nf.dx;
  for (let layer = config.n_layer - 1; layer >= 0; layer--) {
    dX = blockBackward(params, config, layer, saved[layer], dX, B, T, addGrad);
  }
  // The embeddings' step over the batch's own tokens only (their rows numbered 0 .. U - 1), not the
  // 50,257 rows of wte, most of them never read: the same sums, added back into wte's rows.
  const row = new Map(); // token id -> its row here
  for (const w of windows) for (let t = 0; t < T; t++) if (!row.has(w[t])) row.set(w[t], row.size);
  const present = [...row.keys()];
  const local = windows.map((w) => Array.from(w.slice(0, T), (id) => row.get(id)));
  const { dWte, dWpe } = embeddingBackward(dX, local, present.length, P, B, T, C);
  const dWteAll = grads["transformer.wte.weight"]; // the head's part: both paths summed
  present.forEach((id, i) => {
    for (let c = 0; c < C; c++) dWteAll[id * C + c] += dWte[i * C + c];
  });
  addGrad("transformer.wpe.weight", dWpe);
  const out = {};
  for (const [name, g] of Object.entries(grads)) out[name] = new Float32Array(g); // float32, as torch's
  return { loss: head.loss / R, grads: out };
}

/** torch.nn.utils.clip_grad_norm_: scale every gradient by min(1, maxNorm / (total norm + 1e-6)); the norm. */
export function clipGradNorm(grads, maxNorm) {
  let squares = 0;
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) squares += g[i] * g[i];
  const norm = Math.sqrt(squares);
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  if (scale === 1) return norm; // torch multiplies by 1.0 too: nothing changes
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) g[i] *= scale;
  return norm;
}

/** schedule.py warmup_cosine: lr scaled up over `warmup` steps, then a cosine down to minLr (progress 0 to 1). */
export function warmupCosine(step, progress, { lr, minLr, warmup }) {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  return minLr + 0.5 * (1 + Math.cos(Math.PI * Math.min(Math.max(progress, 0), 1))) * (lr - minLr);
}

// -- the data ---------------------------------------------------------------------------------------

/** data.py prepare for ids: {train, heldOut, rows, window}; equal-length rows that fit are whole examples. */
export function prepareIds(ids, heldOut, context) {
  const sequences = Array.isArray(ids) && ids.every((row) => Array.isArray(row)) ? ids : [Array.from(ids)];
  const held = heldOut === undefined ? null : Array.isArray(heldOut[0]) ? heldOut : [Array.from(heldOut)];
  const lengths = new Set([...sequences, ...(held ?? [])].map((s) => s.length));
  const length = sequences[0].length;
  if (lengths.size === 1 && length >= 2 && length <= context) {
    if (held) return { train: sequences, heldOut: held, rows: true, window: length };
    const n = Math.max(1, Math.round(sequences.length * HELD_OUT_FRACTION));
    if (n >= sequences.length) throw fail("noneLeft", { n: sequences.length });
    return { train: sequences.slice(0, -n), heldOut: sequences.slice(-n), rows: true, window: length };
  }
  let stream = sequences.flat();
  let heldStream = held ? held.flat() : null;
  if (!heldStream) {
    const cut = stream.length - Math.max(2, Math.round(stream.length * HELD_OUT_FRACTION));
    [stream, heldStream] = [stream.slice(0, cut), stream.slice(cut)];
  }
  if (stream.length < context + 1) throw fail("tooShort", { n: stream.length, window: context + 1 });
  if (heldStream.length < 2) throw fail("heldOutShort");
  return { train: stream, heldOut: heldStream, rows: false, window: context + 1 };
}

/** data.py split_end for one text: [training text, held-out text], the last tenth of the characters held out. */
export function splitText(text) {
  const cut = text.length - Math.max(1, Math.round(text.length * HELD_OUT_FRACTION));
  return [text.slice(0, cut), text.slice(cut)];
}

/** Non-overlapping windows each starting on the last token of the one before (data.py scoring_windows),
 *  evenly spaced down to about maxTokens (evenly_spaced). */
export function scoringWindows(data, maxTokens) {
  let examples;
  if (data.rows) examples = data.heldOut;
  else {
    examples = [];
    const s = data.heldOut,
      w = data.window;
    for (let start = 0; start < s.length - 1; start += w - 1) {
      const e = s.slice(start, start + w);
      if (e.length >= 2) examples.push(e);
    }
  }
  if (maxTokens === null || examples.length * data.window <= maxTokens) return examples;
  const keep = Math.max(1, Math.floor(maxTokens / data.window));
  return Array.from(
    { length: keep },
    (_, i) => examples[Math.round((i * (examples.length - 1)) / Math.max(1, keep - 1))],
  );
}

// -- the run -----------------------------------------------------------------------------------------

/**
 * A training run: `takeStep()` takes one optimizer step (`step` counts them), `evaluate(final)` the held-out loss,
 * `sample()` a greedy continuation of the prompt, `checkpoint()` config.json and model.safetensors.
 * `o`: checkTrainOptions' result, with `ids` (the text already tokenized) where it was a text.
 */
export class Trainer {
  constructor(o, tensors = null) {
    this.o = o;
    this.config = o.config;
    this.params = tensors ? weightsFromTensors(o.config, tensors) : initialWeights(o.config, o.seed);
    // Decay the matrices only, not biases and layer-norm gains (loop.py _optimizer, two groups).
    const shapes = parameterShapes(o.config),
      decay = {},
      noDecay = {};
    for (const [name, p] of Object.entries(this.params)) (shapes[name].length >= 2 ? decay : noDecay)[name] = p;
    const settings = { lr: o.lr, betas: [0.9, 0.95], eps: 1e-8 };
    // AdamW in WebAssembly SIMD (simd-adamw.js) where the browser has it, else backward.js's
    const optimizer = (group, weightDecay) =>
      (o.simd && simdAdamW(group, { ...settings, weightDecay })) || new AdamW(group, { ...settings, weightDecay });
    this.optimizers = [optimizer(decay, o.weightDecay), optimizer(noDecay, 0)];
    this.data = o.batches === undefined ? prepareIds(o.ids, o.heldOut, o.config.n_positions) : null;
    if (o.batches !== undefined && o.heldOut !== undefined)
      this.data = {
        heldOut: o.heldOut,
        rows: false,
        window: Math.min(o.batches[0][0].length, o.config.n_positions + 1),
      };
    this.random = mulberry32(o.seed); // the batches' random source
    // the head's kernels: null without wasm SIMD, if n_embd % 4, or when the options ask for plain JS
    this.simd = headKernels(o.config, o.simd);
    this.step = 0;
    this.losses = [];
    const first = this.data ? (this.data.rows ? this.data.heldOut[0] : this.data.heldOut) : null;
    this.prompt = o.prompt ?? (first ? Array.from(first.slice(0, 4)) : null);
  }

  /** The batch of this step: the given one, or B random windows (or rows) of the training data. */
  batch() {
    if (this.o.batches !== undefined) return this.o.batches[this.step];
    const { train, rows, window } = this.data;
    if (rows) return Array.from({ length: this.o.batchSize }, () => train[Math.floor(this.random() * train.length)]);
    return Array.from({ length: this.o.batchSize }, () => {
      const start = Math.floor(this.random() * (train.length - window + 1));
      return train.slice(start, start + window);
    });
  }

  /** One optimizer step at `progress` (0 to 1, how far the run is past warm-up); {loss, lr, tokens, norm}. */
  takeStep(progress) {
    const o = this.o;
    const lr = warmupCosine(this.step, progress, o);
    for (const optimizer of this.optimizers) optimizer.lr = lr;
    const batch = this.batch();
    const { loss, grads } = windowGradients(this.params, this.config, batch, true, this.simd);
    const norm = clipGradNorm(grads, o.gradClip);
    for (const optimizer of this.optimizers) optimizer.step(grads);
    this.step += 1;
    this.losses.push(loss);
    return { loss, lr, norm, tokens: batch.length * (batch[0].length - 1) };
  }

  /** The held-out loss per predicted token (evaluate.held_out_loss), or null without held-out data. */
  evaluate(final = false) {
    if (!this.data) return null;
    // the last evaluation scores more of the held-out part (loop.py: all of it; here at most 4 times as
    // much, for a long text's held-out tenth would take minutes through the 50,257-row head)
    const examples = scoringWindows(this.data, final ? 4 * this.o.evalTokens : this.o.evalTokens);
    const byLength = new Map();
    for (const e of examples) byLength.set(e.length, [...(byLength.get(e.length) ?? []), e]);
    let total = 0,
      count = 0;
    for (const group of byLength.values()) {
      for (let start = 0; start < group.length; start += 16) {
        const batch = group.slice(start, start + 16);
        const n = batch.length * (batch[0].length - 1);
        total += windowGradients(this.params, this.config, batch, false, this.simd).loss * n;
        count += n;
      }
    }
    return total / count;
  }

  /** Greedy decoding of `n` tokens after the prompt, with the forward pass of windowGradients' model. */
  sample(n = this.o.sampleTokens) {
    if (!this.prompt) return [];
    const ids = Array.from(this.prompt);
    const { n_positions: P, n_embd: C, vocab_size: V } = this.config;
    for (let k = 0; k < n && ids.length < P; k++) {
      const context = ids.slice(-P);
      const scores = nextLogits(this.params, this.config, context, C, V, this.simd);
      let best = 0;
      for (let i = 1; i < V; i++) if (scores[i] > scores[best]) best = i;
      ids.push(best);
    }
    return ids.slice(this.prompt.length);
  }

  /** The checkpoint as save_pretrained writes it: {config: config.json's object, weights: ArrayBuffer}. */
  checkpoint() {
    return { config: hfConfig(this.config), weights: writeSafetensors(this.params, parameterShapes(this.config)) };
  }
}

function nextLogits(params, config, ids, C, V, simd = null) {
  const T = ids.length,
    wte = params["transformer.wte.weight"];
  const last = bodyForward(params, config, [ids], T).f.subarray((T - 1) * C); // ln_f of the last position
  if (simd) {
    simd.wte.set(wte);
    simd.pack(last, 0, 1);
    simd.logitsOf(1);
    return simd.logits.subarray(0, V);
  }
  const logits = new Float64Array(V);
  for (let i = 0; i < V; i++) {
    let dot = 0;
    for (let c = 0; c < C; c++) dot += last[c] * wte[i * C + c];
    logits[i] = dot;
  }
  return logits;
}

/** config.json for the trained model, as transformers' GPT2Config writes it (dropout 0: none was used). */
export function hfConfig(c) {
  const end = c.vocab_size > END_OF_TEXT ? END_OF_TEXT : null; // a synthetic vocabulary has no <|endoftext|>
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    vocab_size: c.vocab_size,
    n_positions: c.n_positions,
    n_embd: c.n_embd,
    n_layer: c.n_layer,
    n_head: c.n_head,
    n_inner: c.n_inner ?? null,
    activation_function: "gelu_new",
    layer_norm_epsilon: c.layer_norm_epsilon ?? 1e-5,
    initializer_range: 0.02,
    resid_pdrop: 0,
    embd_pdrop: 0,
    attn_pdrop: 0,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    bos_token_id: end,
    eos_token_id: end,
    dtype: "float32",
  };
}

/** A .safetensors file of float32 tensors: the header's length (u64, little-endian), the JSON header
 *  (padded with spaces to 8 bytes), then the tensors' bytes, row-major. */
export function writeSafetensors(params, shapes) {
  const header = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const [name, p] of Object.entries(params)) {
    header[name] = { dtype: "F32", shape: shapes[name], data_offsets: [offset, offset + 4 * p.length] };
    offset += 4 * p.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const text = JSON.stringify(header) + " ".repeat(padded - json.length);
  json = new TextEncoder().encode(text);
  const buffer = new ArrayBuffer(8 + json.length + offset);
  new DataView(buffer).setBigUint64(0, BigInt(json.length), true);
  new Uint8Array(buffer, 8, json.length).set(json);
  let at = 8 + json.length;
  for (const p of Object.values(params)) {
    new Uint8Array(buffer, at, 4 * p.length).set(new Uint8Array(p.buffer, p.byteOffset, 4 * p.length));
    at += 4 * p.length;
  }
  return buffer;
}
