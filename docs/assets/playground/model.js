// The pocket GPT-2's forward pass, one token at a time, with a key/value cache.
//
// The same computation as transformers' GPT2LMHeadModel (modeling_gpt2.py) and nanoGPT's
// model.py, written out in plain loops over Float32Arrays:
//
//   h = wte[token] + wpe[position]                                  # (n_embd,)
//   for each block:                                                 # pre-LN, as GPT-2
//     a = ln_1(h); q, k, v = split(a @ c_attn.W + c_attn.b)         # 3 x (n_embd,)
//     per head: softmax(q . k_t / sqrt(head_dim)) over t <= now, times v_t
//     h = h + (heads joined) @ attn.c_proj.W + b
//     h = h + gelu_new(ln_2(h) @ c_fc.W + b) @ mlp.c_proj.W + b
//   logits = ln_f(h) @ wte^T                                        # tied head, (vocab,)
//
// Feeding one token at a time is causal attention: position t sees the keys and values of
// positions 0..t, which the cache holds, and never a later one (so no mask is needed). The
// weights are Conv1D matrices stored (in, out), as in transformers: y = x @ W + b.

import { simdHead } from "./simd-head.js";

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** gelu_new, the tanh form GPT-2 uses (transformers NewGELUActivation). */
export function geluNew(x) {
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/** out = ln(x): subtract the mean, divide by sqrt(biased variance + eps), scale and shift. */
function layerNorm(x, weight, bias, eps, out) {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  const scale = 1 / Math.sqrt(variance / n + eps);
  for (let i = 0; i < n; i++) out[i] = (x[i] - mean) * scale * weight[i] + bias[i];
}

/**
 * out = x @ W + b for W of shape (in, out), row-major: row i of W scaled by x[i], summed.
 * The sums run in doubles (`acc`), so rounding to float32 happens once per output, not once
 * per term: the results stay within float32 rounding of torch's.
 */
function linear(x, weight, bias, out, acc) {
  const nIn = x.length,
    nOut = out.length;
  for (let j = 0; j < nOut; j++) acc[j] = bias[j];
  for (let i = 0; i < nIn; i++) {
    const xi = x[i],
      row = i * nOut;
    for (let j = 0; j < nOut; j++) acc[j] += xi * weight[row + j];
  }
  for (let j = 0; j < nOut; j++) out[j] = acc[j];
}

/** The key/value cache of one sequence: per layer, the keys and values of every position seen. */
export class KVCache {
  constructor(config, keys = null, values = null, length = 0) {
    const size = config.n_positions * config.n_embd; // (positions, n_embd), position-major
    this.config = config;
    this.keys = keys ?? Array.from({ length: config.n_layer }, () => new Float32Array(size));
    this.values = values ?? Array.from({ length: config.n_layer }, () => new Float32Array(size));
    this.length = length; // positions held so far
  }

  /** A copy (beam search gives each beam its parent's history, like cache.reorder_cache). */
  clone() {
    const used = this.length * this.config.n_embd;
    const copy = (arrays) =>
      arrays.map((a) => {
        const b = new Float32Array(a.length);
        b.set(a.subarray(0, used));
        return b;
      });
    return new KVCache(this.config, copy(this.keys), copy(this.values), this.length);
  }
}

export class Gpt2 {
  /** config: config.json of the checkpoint; tensors: {name: {shape, data}} from readSafetensors. */
  constructor(config, tensors) {
    this.config = config;
    const get = (name) => {
      const tensor = tensors[name] ?? tensors[`transformer.${name}`];
      if (!tensor) throw new Error(`checkpoint: tensor ${name} is missing`);
      return tensor.data;
    };
    this.wte = get("wte.weight"); // (vocab, n_embd), also the head (tie_word_embeddings)
    // The head in WebAssembly SIMD where the browser has it; the table then lives in wasm memory.
    this.simd = simdHead(config.vocab_size, config.n_embd);
    if (this.simd) {
      this.simd.wte.set(this.wte);
      this.wte = this.simd.wte;
    }
    this.wpe = get("wpe.weight"); // (n_positions, n_embd)
    this.blocks = Array.from({ length: config.n_layer }, (_, i) => ({
      ln1w: get(`h.${i}.ln_1.weight`),
      ln1b: get(`h.${i}.ln_1.bias`),
      attnW: get(`h.${i}.attn.c_attn.weight`),
      attnB: get(`h.${i}.attn.c_attn.bias`), // (n_embd, 3 n_embd)
      projW: get(`h.${i}.attn.c_proj.weight`),
      projB: get(`h.${i}.attn.c_proj.bias`), // (n_embd, n_embd)
      ln2w: get(`h.${i}.ln_2.weight`),
      ln2b: get(`h.${i}.ln_2.bias`),
      fcW: get(`h.${i}.mlp.c_fc.weight`),
      fcB: get(`h.${i}.mlp.c_fc.bias`), // (n_embd, 4 n_embd)
      mlpW: get(`h.${i}.mlp.c_proj.weight`),
      mlpB: get(`h.${i}.mlp.c_proj.bias`), // (4 n_embd, n_embd)
    }));
    this.lnfw = get("ln_f.weight");
    this.lnfb = get("ln_f.bias");
    const d = config.n_embd,
      inner = config.n_inner ?? 4 * d;
    // scratch vectors, reused by every call
    this.h = new Float32Array(d); // the residual stream
    this.a = new Float32Array(d); // a normalised copy
    this.qkv = new Float32Array(3 * d);
    this.heads = new Float32Array(d); // attention output, heads side by side
    this.delta = new Float32Array(d); // what a sub-layer adds to the stream
    this.hidden = new Float32Array(inner);
    this.scores = new Float64Array(config.n_positions);
    this.acc = new Float64Array(Math.max(3 * d, inner)); // the running sums of linear()
  }

  newCache() {
    return new KVCache(this.config);
  }

  /**
   * Run one token at the cache's next position; returns that position's final hidden state (n_embd,).
   * With `record` ({attentions: [], states: []}), it also keeps what the inside view shows: per
   * layer and head this position's attention weights over positions 0..t (Float32Array(t + 1)),
   * and the residual stream after the embeddings and after each block (n_layer + 1 copies).
   */
  step(token, cache, record = null) {
    const { n_embd: d, n_head: nHead, n_positions: nPos, vocab_size: vocab, layer_norm_epsilon: eps } = this.config;
    if (!Number.isInteger(token) || token < 0 || token >= vocab)
      throw new RangeError(`token: ${token} is not an id below ${vocab}`);
    const t = cache.length;
    if (t >= nPos) throw new RangeError(`the context is full: the model reads at most ${nPos} tokens`);
    const { h, a, qkv, heads, delta, hidden, scores, acc } = this;
    const headDim = d / nHead,
      scale = 1 / Math.sqrt(headDim);
    // 1. token embedding + position embedding
    for (let i = 0; i < d; i++) h[i] = this.wte[token * d + i] + this.wpe[t * d + i];
    if (record) record.states.push(Float32Array.from(h));
    for (let layer = 0; layer < this.blocks.length; layer++) {
      const b = this.blocks[layer],
        keys = cache.keys[layer],
        values = cache.values[layer];
      // 2. attention: q, k, v of this position; k and v join the cache
      layerNorm(h, b.ln1w, b.ln1b, eps, a);
      linear(a, b.attnW, b.attnB, qkv, acc); // (3 n_embd,): q | k | v
      keys.set(qkv.subarray(d, 2 * d), t * d);
      values.set(qkv.subarray(2 * d, 3 * d), t * d);
      for (let head = 0; head < nHead; head++) {
        const offset = head * headDim;
        // scores over positions 0..t (the causal mask: later positions are not in the cache yet)
        let max = -Infinity;
        for (let s = 0; s <= t; s++) {
          let dot = 0;
          const row = s * d + offset;
          for (let i = 0; i < headDim; i++) dot += qkv[offset + i] * keys[row + i];
          scores[s] = dot * scale;
          if (scores[s] > max) max = scores[s];
        }
        let total = 0;
        for (let s = 0; s <= t; s++) {
          scores[s] = Math.exp(scores[s] - max);
          total += scores[s];
        }
        if (record) {
          // (t + 1,): the softmax weights, as anatomy.attention_weights' row t
          const row = new Float32Array(t + 1);
          for (let s = 0; s <= t; s++) row[s] = scores[s] / total;
          (record.attentions[layer] ??= [])[head] = row;
        }
        for (let i = 0; i < headDim; i++) {
          let sum = 0;
          for (let s = 0; s <= t; s++) sum += scores[s] * values[s * d + offset + i];
          heads[offset + i] = sum / total;
        }
      }
      linear(heads, b.projW, b.projB, delta, acc);
      for (let i = 0; i < d; i++) h[i] += delta[i];
      // 3. the MLP: widen 4x, gelu_new, narrow back
      layerNorm(h, b.ln2w, b.ln2b, eps, a);
      linear(a, b.fcW, b.fcB, hidden, acc);
      for (let i = 0; i < hidden.length; i++) hidden[i] = geluNew(hidden[i]);
      linear(hidden, b.mlpW, b.mlpB, delta, acc);
      for (let i = 0; i < d; i++) h[i] += delta[i];
      if (record) record.states.push(Float32Array.from(h));
    }
    cache.length = t + 1;
    // 4. the final layer norm
    return this.finalNorm(h);
  }

  /** ln_f of a residual-stream vector (n_embd,): what the head reads. */
  finalNorm(h) {
    const out = new Float32Array(this.config.n_embd);
    layerNorm(h, this.lnfw, this.lnfb, this.config.layer_norm_epsilon, out);
    return out;
  }

  /**
   * The head: logits = x @ wte^T, one dot product of length n_embd per vocabulary entry. This is
   * most of the work of a step (50257 x 120 multiply-adds against 4 x 173k for the blocks): it
   * runs in WebAssembly SIMD (simd-head.js) where the browser has it.
   */
  head(x, logits = new Float32Array(this.config.vocab_size)) {
    return this.simd ? this.simd.head(x, logits) : this.headJs(x, logits);
  }

  /**
   * The same product in plain JS (browsers without WebAssembly SIMD; tests compare the two),
   * four tokens per pass over x: each x[i] is loaded once for four rows; the sums in doubles.
   */
  headJs(x, logits = new Float32Array(this.config.vocab_size)) {
    const d = x.length,
      wte = this.wte,
      vocab = logits.length;
    const v = Float64Array.from(x);
    let token = 0;
    for (; token + 3 < vocab; token += 4) {
      const r0 = token * d,
        r1 = r0 + d,
        r2 = r1 + d,
        r3 = r2 + d;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let i = 0; i < d; i++) {
        const xi = v[i];
        s0 += xi * wte[r0 + i];
        s1 += xi * wte[r1 + i];
        s2 += xi * wte[r2 + i];
        s3 += xi * wte[r3 + i];
      }
      logits[token] = s0;
      logits[token + 1] = s1;
      logits[token + 2] = s2;
      logits[token + 3] = s3;
    }
    for (; token < vocab; token++) {
      // the last vocab % 4 rows
      let s = 0;
      for (let i = 0, row = token * d; i < d; i++) s += v[i] * wte[row + i];
      logits[token] = s;
    }
    return logits;
  }

  /** Feed tokens (the unseen ones) to the cache; the next-token logits after the last (logits_to_keep=1). */
  forward(tokens, cache) {
    if (tokens.length === 0) throw new RangeError("tokens: feed at least one token");
    let last = null;
    for (const token of tokens) last = this.step(token, cache);
    return this.head(last);
  }
}
