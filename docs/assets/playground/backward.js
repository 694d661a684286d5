// The backward pass of GPT-2 and AdamW, by hand, step for step as gpt2guide.backward (steps.py,
// gradients.py, adamw.py) writes them, with the same steps under the same names (camelCase).
// Every function is plain loops over flat row-major arrays (Float64Array inside, for sums that
// do not drift); the gradients come back as Float32Array in each parameter's row-major layout,
// keyed as PyTorch's named_parameters() (the tied token embedding once, both paths summed).
// tests/test_playground.py checks them against torch autograd.
//
//   logits -> loss        crossEntropyBackward   (softmax - one_hot) / n_predictions
//   y = x @ W + b         linearBackward         dx = dy @ Wᵀ, dW = xᵀ dy, db = Σ dy
//   layer norm            layerNormBackward      through the mean and the variance
//   gelu_new              geluNewBackward        the tanh form's derivative
//   softmax               softmaxBackward        the Jacobian-vector product p * (dp - Σ p dp)
//   attention             attentionBackward      through p @ v, the softmax and q·kᵀ
//   wte[ids] + wpe[pos]   embeddingBackward      rows added back where they were read
//
// References: karpathy/llm.c train_gpt2.c (*_backward); Loshchilov and Hutter, "Decoupled Weight
// Decay Regularization" (2019), Algorithm 2; torch.optim.AdamW's algorithm box.

const GELU_C = Math.sqrt(2 / Math.PI); // the tanh GELU's constants, as in anatomy.gelu_new
const GELU_A = 0.044715;

// -- the forward steps the backward pass reads --------------------------------------------------

/** y = x @ W + b for `rows` rows: x (rows, nIn), W (nIn, nOut) as Conv1D stores it, b (nOut). */
export function linear(x, W, b, rows, nIn, nOut) {
  const y = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    const yr = r * nOut;
    for (let o = 0; o < nOut; o++) y[yr + o] = b[o];
    for (let i = 0; i < nIn; i++) {
      const xi = x[r * nIn + i];
      if (xi === 0) continue;
      const wi = i * nOut;
      for (let o = 0; o < nOut; o++) y[yr + o] += xi * W[wi + o];
    }
  }
  return y;
}

/** Layer norm of each row of x (rows, C): (x - mean) / sqrt(var + eps) * weight + bias. */
export function layerNorm(x, weight, bias, eps, rows, C) {
  const y = new Float64Array(rows * C);
  for (let r = 0; r < rows; r++) {
    const { mean, rstd } = moments(x, r * C, C, eps);
    for (let c = 0; c < C; c++) y[r * C + c] = (x[r * C + c] - mean) * rstd * weight[c] + bias[c];
  }
  return y;
}

function moments(x, at, C, eps) {
  let mean = 0;
  for (let c = 0; c < C; c++) mean += x[at + c];
  mean /= C;
  let variance = 0;
  for (let c = 0; c < C; c++) variance += (x[at + c] - mean) ** 2;
  return { mean, rstd: 1 / Math.sqrt(variance / C + eps) }; // the biased variance, as torch's
}

export function geluNew(x) {
  return x.map((v) => 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_A * v ** 3))));
}

/** (B, T, C) -> (B, H, T, D): each head's slice of the channels. */
export function splitHeads(x, B, T, H, D) {
  const out = new Float64Array(B * H * T * D);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++)
        for (let d = 0; d < D; d++) out[((b * H + h) * T + t) * D + d] = x[(b * T + t) * H * D + h * D + d];
  return out;
}

/** (B, H, T, D) -> (B, T, C): the heads side by side again. */
export function mergeHeads(x, B, T, H, D) {
  const out = new Float64Array(B * T * H * D);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++)
        for (let d = 0; d < D; d++) out[(b * T + t) * H * D + h * D + d] = x[((b * H + h) * T + t) * D + d];
  return out;
}

// -- the backward steps (steps.py) --------------------------------------------------------------

/** d(mean next-token loss)/d(logits) (B, T, V): (softmax - one_hot(next)) / (B (T - 1)); 0 at the last position. */
export function crossEntropyBackward(logits, ids, B, T, V) {
  const n = B * (T - 1); // the number of predictions the mean is taken over
  const d = new Float64Array(B * T * V);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T - 1; t++) {
      const at = (b * T + t) * V;
      let max = -Infinity;
      for (let i = 0; i < V; i++) max = Math.max(max, logits[at + i]);
      let total = 0;
      for (let i = 0; i < V; i++) total += Math.exp(logits[at + i] - max);
      for (let i = 0; i < V; i++) d[at + i] = Math.exp(logits[at + i] - max) / total / n;
      d[at + ids[b][t + 1]] -= 1 / n; // minus the one-hot of the token that came next
    }
  }
  return d;
}

/** y = x @ W + b backwards: {dx (rows, nIn), dw (nIn, nOut), db (nOut)}. */
export function linearBackward(dOut, x, W, rows, nIn, nOut) {
  const dx = new Float64Array(rows * nIn);
  const dw = new Float64Array(nIn * nOut);
  const db = new Float64Array(nOut);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++) {
      const xi = x[r * nIn + i];
      let sum = 0;
      for (let o = 0; o < nOut; o++) {
        const g = dOut[r * nOut + o];
        sum += g * W[i * nOut + o]; // dx = dy @ Wᵀ
        dw[i * nOut + o] += xi * g; // dW = xᵀ dy, summed over every position
      }
      dx[r * nIn + i] = sum;
    }
    for (let o = 0; o < nOut; o++) db[o] += dOut[r * nOut + o];
  }
  return { dx, dw, db };
}

/** Layer norm backwards: {dx, dWeight, dBias}. */
export function layerNormBackward(dOut, x, weight, eps, rows, C) {
  const dx = new Float64Array(rows * C);
  const dWeight = new Float64Array(C);
  const dBias = new Float64Array(C);
  const hat = new Float64Array(C);
  const dHat = new Float64Array(C);
  for (let r = 0; r < rows; r++) {
    const at = r * C;
    const { mean, rstd } = moments(x, at, C, eps);
    let meanDHat = 0;
    let meanDHatHat = 0;
    for (let c = 0; c < C; c++) {
      hat[c] = (x[at + c] - mean) * rstd; // the normalized input
      dWeight[c] += dOut[at + c] * hat[c];
      dBias[c] += dOut[at + c];
      dHat[c] = dOut[at + c] * weight[c]; // through the gain
      meanDHat += dHat[c] / C;
      meanDHatHat += (dHat[c] * hat[c]) / C;
    }
    // through the mean (every x moves it) and the variance
    for (let c = 0; c < C; c++) dx[at + c] = (dHat[c] - meanDHat - hat[c] * meanDHatHat) * rstd;
  }
  return { dx, dWeight, dBias };
}

/** 0.5 x (1 + tanh(c (x + a x³))) backwards: dOut times its derivative at x. */
export function geluNewBackward(dOut, x) {
  return dOut.map((g, i) => {
    const v = x[i];
    const t = Math.tanh(GELU_C * (v + GELU_A * v ** 3));
    return g * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v));
  });
}

/** The softmax's Jacobian-vector product over one row: p * (dp - Σ p dp); a masked p = 0 gets 0. */
export function softmaxBackward(dProbs, probs) {
  let dot = 0;
  for (let i = 0; i < probs.length; i++) dot += dProbs[i] * probs[i];
  return probs.map((p, i) => p * (dProbs[i] - dot));
}

/** softmax(scale q kᵀ, causal) @ v backwards, per (batch, head): {dq, dk, dv}, each (B, H, T, D). */
export function attentionBackward(dOut, q, k, v, probs, scale, B, H, T, D) {
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let bh = 0; bh < B * H; bh++) {
    const at = bh * T * D;
    for (let t = 0; t < T; t++) {
      const p = probs.subarray((bh * T + t) * T, (bh * T + t + 1) * T); // (T,): this query's weights
      const dProbs = new Float64Array(T); // through the weighted sum: dp = dOut · v
      for (let s = 0; s <= t; s++) {
        let sum = 0;
        for (let d = 0; d < D; d++) {
          sum += dOut[at + t * D + d] * v[at + s * D + d];
          dv[at + s * D + d] += p[s] * dOut[at + t * D + d]; // dv = pᵀ dOut
        }
        dProbs[s] = sum;
      }
      const dScores = softmaxBackward(dProbs, p);
      for (let s = 0; s <= t; s++) {
        const g = dScores[s] * scale;
        for (let d = 0; d < D; d++) {
          dq[at + t * D + d] += g * k[at + s * D + d];
          dk[at + s * D + d] += g * q[at + t * D + d];
        }
      }
    }
  }
  return { dq, dk, dv };
}

/** wte[ids] + wpe[positions] backwards: {dWte (V, C), dWpe (P, C)}, 0 in the rows never read. */
export function embeddingBackward(dOut, ids, V, P, B, T, C) {
  const dWte = new Float64Array(V * C);
  const dWpe = new Float64Array(P * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * C;
      for (let c = 0; c < C; c++) {
        dWte[ids[b][t] * C + c] += dOut[row + c]; // a token read twice gets both gradients
        dWpe[t * C + c] += dOut[row + c]; // a position's row: summed over the batch
      }
    }
  }
  return { dWte, dWpe };
}

// -- the whole model (gradients.py) -------------------------------------------------------------

export function blockForward(p, config, layer, x, B, T) {
  const C = config.n_embd,
    H = config.n_head,
    D = C / H,
    R = B * T,
    I = config.n_inner ?? 4 * C;
  const eps = config.layer_norm_epsilon ?? 1e-5;
  const w = (name) => p[`transformer.h.${layer}.${name}`];
  const a = layerNorm(x, w("ln_1.weight"), w("ln_1.bias"), eps, R, C);
  const qkv = linear(a, w("attn.c_attn.weight"), w("attn.c_attn.bias"), R, C, 3 * C); // (B, T, 3C)
  const part = (j) => splitHeads(qkvSlice(qkv, R, C, j), B, T, H, D); // (B, H, T, D)
  const [q, k, v] = [part(0), part(1), part(2)];
  const scale = 1 / Math.sqrt(D);
  const probs = new Float64Array(B * H * T * T); // causal: 0 above the diagonal
  const heads = new Float64Array(B * H * T * D);
  for (let bh = 0; bh < B * H; bh++) {
    for (let t = 0; t < T; t++) {
      const row = probs.subarray((bh * T + t) * T, (bh * T + t + 1) * T);
      let max = -Infinity;
      for (let s = 0; s <= t; s++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[(bh * T + t) * D + d] * k[(bh * T + s) * D + d];
        row[s] = dot * scale;
        max = Math.max(max, row[s]);
      }
      let total = 0;
      for (let s = 0; s <= t; s++) total += row[s] = Math.exp(row[s] - max);
      for (let s = 0; s <= t; s++) row[s] /= total;
      for (let s = 0; s <= t; s++)
        for (let d = 0; d < D; d++) heads[(bh * T + t) * D + d] += row[s] * v[(bh * T + s) * D + d];
    }
  }
  const mixed = mergeHeads(heads, B, T, H, D); // (B, T, C)
  const x1 = add(x, linear(mixed, w("attn.c_proj.weight"), w("attn.c_proj.bias"), R, C, C)); // first residual
  const b = layerNorm(x1, w("ln_2.weight"), w("ln_2.bias"), eps, R, C);
  const wide = linear(b, w("mlp.c_fc.weight"), w("mlp.c_fc.bias"), R, C, I); // (B, T, I)
  const g = geluNew(wide);
  const x2 = add(x1, linear(g, w("mlp.c_proj.weight"), w("mlp.c_proj.bias"), R, I, C)); // second residual
  return { x2, saved: { x, a, q, k, v, probs, scale, mixed, x1, b, wide, g } };
}

function qkvSlice(qkv, R, C, j) {
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[r * C + c] = qkv[r * 3 * C + j * C + c];
  return out;
}

function add(a, b) {
  return a.map((value, i) => value + b[i]);
}

export function blockBackward(p, config, layer, s, dX2, B, T, addGrad) {
  const C = config.n_embd,
    H = config.n_head,
    D = C / H,
    R = B * T,
    I = config.n_inner ?? 4 * C;
  const eps = config.layer_norm_epsilon ?? 1e-5;
  const name = (n) => `transformer.h.${layer}.${n}`;
  const w = (n) => p[name(n)];
  // x2 = x1 + c_proj(gelu(c_fc(ln_2(x1)))): the residual hands dX2 to x1 unchanged.
  let r = linearBackward(dX2, s.g, w("mlp.c_proj.weight"), R, I, C);
  (addGrad(name("mlp.c_proj.weight"), r.dw), addGrad(name("mlp.c_proj.bias"), r.db));
  const dWide = geluNewBackward(r.dx, s.wide);
  r = linearBackward(dWide, s.b, w("mlp.c_fc.weight"), R, C, I);
  (addGrad(name("mlp.c_fc.weight"), r.dw), addGrad(name("mlp.c_fc.bias"), r.db));
  const n2 = layerNormBackward(r.dx, s.x1, w("ln_2.weight"), eps, R, C);
  (addGrad(name("ln_2.weight"), n2.dWeight), addGrad(name("ln_2.bias"), n2.dBias));
  const dX1 = add(dX2, n2.dx); // the residual path plus the MLP path
  // x1 = x + c_proj(attention(ln_1(x))): the same again through attention.
  r = linearBackward(dX1, s.mixed, w("attn.c_proj.weight"), R, C, C);
  (addGrad(name("attn.c_proj.weight"), r.dw), addGrad(name("attn.c_proj.bias"), r.db));
  const dHeads = splitHeads(r.dx, B, T, H, D);
  const { dq, dk, dv } = attentionBackward(dHeads, s.q, s.k, s.v, s.probs, s.scale, B, H, T, D);
  const dQkv = new Float64Array(R * 3 * C); // the three merged back side by side: (B, T, 3C)
  [dq, dk, dv].forEach((dPart, j) => {
    const merged = mergeHeads(dPart, B, T, H, D);
    for (let row = 0; row < R; row++) for (let c = 0; c < C; c++) dQkv[row * 3 * C + j * C + c] = merged[row * C + c];
  });
  r = linearBackward(dQkv, s.a, w("attn.c_attn.weight"), R, C, 3 * C);
  (addGrad(name("attn.c_attn.weight"), r.dw), addGrad(name("attn.c_attn.bias"), r.db));
  const n1 = layerNormBackward(r.dx, s.x, w("ln_1.weight"), eps, R, C);
  (addGrad(name("ln_1.weight"), n1.dWeight), addGrad(name("ln_1.bias"), n1.dBias));
  return add(dX1, n1.dx); // the residual path plus the attention path
}

/**
 * The body's forward pass over B rows of token ids, reading the first T of each row: {x, saved, f}:
 * the last block's output x (B T, C), what each block read (saved, for blockBackward) and
 * f = ln_f(x). The embeddings are wte[id] + wpe[position].
 */
export function bodyForward(params, config, ids, T) {
  const B = ids.length,
    C = config.n_embd,
    R = B * T;
  const wte = params["transformer.wte.weight"],
    wpe = params["transformer.wpe.weight"];
  let x = new Float64Array(R * C);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let c = 0; c < C; c++) x[(b * T + t) * C + c] = wte[ids[b][t] * C + c] + wpe[t * C + c];
  const saved = [];
  for (let layer = 0; layer < config.n_layer; layer++) {
    const { x2, saved: s } = blockForward(params, config, layer, x, B, T);
    saved.push(s);
    x = x2;
  }
  const eps = config.layer_norm_epsilon ?? 1e-5;
  const f = layerNorm(x, params["transformer.ln_f.weight"], params["transformer.ln_f.bias"], eps, R, C);
  return { x, saved, f };
}

/**
 * {loss, grads}: the mean next-token loss of `ids` (B rows of T >= 2 token ids) and its gradient
 * for every parameter. params: named_parameters() name -> Float32Array (row-major); config:
 * config.json's n_layer, n_head, n_embd, vocab_size, n_positions (n_inner, layer_norm_epsilon).
 * The head is the token embedding (tied), as in GPT-2.
 */
export function lossAndGradients(params, config, ids) {
  const B = ids.length,
    T = ids[0].length,
    C = config.n_embd,
    V = config.vocab_size,
    P = config.n_positions;
  const R = B * T;
  const eps = config.layer_norm_epsilon ?? 1e-5;
  const grads = {};
  const addGrad = (name, g) => {
    if (grads[name]) for (let i = 0; i < g.length; i++) grads[name][i] += g[i];
    else grads[name] = g; // a second path to the same tensor (the tied wte) is summed
  };
  const wte = params["transformer.wte.weight"];

  // Forward, keeping what each step read.
  const { x, saved, f } = bodyForward(params, config, ids, T);
  const logits = new Float64Array(R * V); // f @ wteᵀ: the tied head
  for (let r = 0; r < R; r++)
    for (let i = 0; i < V; i++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += f[r * C + c] * wte[i * C + c];
      logits[r * V + i] = dot;
    }

  // Backward, from the loss to the embeddings.
  const dLogits = crossEntropyBackward(logits, ids, B, T, V);
  const dHead = new Float64Array(V * C); // dLogitsᵀ @ f: the head's part of wte's gradient
  const dF = new Float64Array(R * C); // dLogits @ wte
  for (let r = 0; r < R; r++)
    for (let i = 0; i < V; i++) {
      const g = dLogits[r * V + i];
      if (g === 0) continue;
      for (let c = 0; c < C; c++) {
        dHead[i * C + c] += g * f[r * C + c];
        dF[r * C + c] += g * wte[i * C + c];
      }
    }
  addGrad("transformer.wte.weight", dHead);
  const nf = layerNormBackward(dF, x, params["transformer.ln_f.weight"], eps, R, C);
  (addGrad("transformer.ln_f.weight", nf.dWeight), addGrad("transformer.ln_f.bias", nf.dBias));
  let dX = nf.dx;
  for (let layer = config.n_layer - 1; layer >= 0; layer--) {
    dX = blockBackward(params, config, layer, saved[layer], dX, B, T, addGrad);
  }
  const { dWte, dWpe } = embeddingBackward(dX, ids, V, P, B, T, C);
  (addGrad("transformer.wte.weight", dWte), addGrad("transformer.wpe.weight", dWpe)); // wte: both paths summed

  let loss = 0; // the mean of -log softmax(logits)[next token]
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T - 1; t++) {
      const at = (b * T + t) * V;
      let max = -Infinity;
      for (let i = 0; i < V; i++) max = Math.max(max, logits[at + i]);
      let total = 0;
      for (let i = 0; i < V; i++) total += Math.exp(logits[at + i] - max);
      loss -= logits[at + ids[b][t + 1]] - max - Math.log(total);
    }
  const out = {};
  for (const [name, g] of Object.entries(grads)) out[name] = Float32Array.from(g);
  return { loss: loss / (B * (T - 1)), grads: out };
}

// -- AdamW (adamw.py) ---------------------------------------------------------------------------

/** AdamW on name -> Float32Array parameters, updated in place by step(grads); m, v and t its state. */
export class AdamW {
  constructor(params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2 } = {}) {
    Object.assign(this, { params, lr, betas, eps, weightDecay, t: 0 });
    this.m = Object.fromEntries(Object.entries(params).map(([n, p]) => [n, new Float64Array(p.length)])); // first moment
    this.v = Object.fromEntries(Object.entries(params).map(([n, p]) => [n, new Float64Array(p.length)])); // second
  }

  step(grads) {
    this.t += 1;
    const [beta1, beta2] = this.betas;
    const correction1 = 1 - beta1 ** this.t; // bias corrections: m and v started at 0
    const correction2 = 1 - beta2 ** this.t;
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name],
        m = this.m[name],
        v = this.v[name];
      for (let i = 0; i < p.length; i++) {
        p[i] *= 1 - this.lr * this.weightDecay; // decoupled weight decay
        m[i] = beta1 * m[i] + (1 - beta1) * g[i];
        v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
        p[i] -= (this.lr * (m[i] / correction1)) / (Math.sqrt(v[i] / correction2) + this.eps);
      }
    }
  }
}
