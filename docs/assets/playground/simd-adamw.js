// AdamW's update in WebAssembly SIMD: backward.js's AdamW (adamw.py's rule, torch.optim.AdamW's
// algorithm box) four float32 values per instruction, where plain JS takes one at a time in doubles.
// A training step updates every value of the model, the 50,257 rows of wte included, so in plain JS
// the update took about a sixth of a step of the playground's default model.
//
// The arithmetic is torch.optim.AdamW's for float32 parameters (torch/optim/adamw.py, the
// single-tensor path CPUs take), each operation rounded to float32 in the same order:
//
//   p = p (1 - lr wd)                          param.mul_(1 - lr * weight_decay)
//   m = m + (1 - β1) (g - m)                   exp_avg.lerp_(grad, 1 - beta1)
//   v = v β2 + ((1 - β2) g) g                  exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
//   p = p + (-lr / (1 - β1ᵗ)) m / (√v / √(1 - β2ᵗ) + eps)
//                                              param.addcdiv_(exp_avg, denom, value=-step_size)
//
// m and v (float32, as torch's) live in the module's memory; each step copies a parameter and its
// gradient in, a chunk at a time, and the updated parameter out. simdAdamW returns null where the
// browser lacks WebAssembly SIMD, and train.js then keeps backward.js's AdamW.
// References: torch.optim.AdamW (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html);
// Loshchilov and Hutter, "Decoupled Weight Decay Regularization" (2019), Algorithm 2; the WebAssembly
// SIMD proposal's binary format (wasm-simd.js).

import { F32, I32, V128, assemble, get, i32, set } from "./wasm-bytes.js";
// prettier-ignore
import {
  add, block, br, brIf, geU, inc, load, loop, shl, splat, store, vAdd, vDiv, vMul, vSqrt, vSub,
} from "./wasm-simd.js";

function update() {
  // params: 0 P, 1 G, 2 M, 3 V, 4 n (floats, a multiple of 4; addresses in bytes),
  //         5 decay, 6 keep1 (1 - β1), 7 beta2, 8 keep2 (1 - β2), 9 step (-lr / (1 - β1ᵗ)), 10 root2, 11 eps (f32)
  // locals: 12 i (bytes), 13 end; 14-20 the seven scalars in all four lanes; 21 g, 22 m, 23 v (v128)
  const [P, G, M, V, N, I, END] = [0, 1, 2, 3, 4, 12, 13];
  const lanes = (scalar) => 14 + (scalar - 5); // the v128 local holding scalar param 5 .. 11
  const [decay, keep1, beta2, keep2, step, root2, eps] = [5, 6, 7, 8, 9, 10, 11].map(lanes);
  const [g, m, v] = [21, 22, 23];
  const at = (base) => [...get(base), ...get(I), add]; // base + i
  // prettier-ignore
  const code = [
    ...[5, 6, 7, 8, 9, 10, 11].flatMap((s) => [...get(s), ...splat, ...set(lanes(s))]),
    ...get(N), ...i32(2), shl, ...set(END),
    ...i32(0), ...set(I),
    ...block(loop(
      ...get(I), ...get(END), geU, ...brIf(1),
      ...at(G), ...load(0), ...set(g),
      // m = m + (1 - β1) (g - m)
      ...at(M), ...at(M), ...load(0), ...set(m), ...get(m), ...get(keep1), ...get(g), ...get(m), ...vSub, ...vMul, ...vAdd,
      ...set(m), ...get(m), ...store(0),
      // v = v β2 + ((1 - β2) g) g
      ...at(V), ...at(V), ...load(0), ...get(beta2), ...vMul, ...get(keep2), ...get(g), ...vMul, ...get(g), ...vMul, ...vAdd,
      ...set(v), ...get(v), ...store(0),
      // p = p decay + (step m) / (√v / root2 + eps)
      ...at(P), ...at(P), ...load(0), ...get(decay), ...vMul,
      ...get(step), ...get(m), ...vMul, ...get(v), ...vSqrt, ...get(root2), ...vDiv, ...get(eps), ...vAdd, ...vDiv,
      ...vAdd, ...store(0),
      ...inc(I, 16),
      ...br(0),
    )),
  ];
  return {
    name: "update",
    params: [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32],
    results: [],
    locals: [
      [2, I32],
      [10, V128],
    ],
    code,
  };
}

export const MODULE = assemble([update()]);
const CHUNK = 16384; // floats of a parameter and its gradient copied into the module at a time
const wholeVectors = (n) => Math.ceil(n / 4) * 4; // n floats, rounded up to vectors of 4

/** AdamW as backward.js's (the same fields: lr, betas, eps, weightDecay, t, m, v), its update in wasm SIMD. */
export class SimdAdamW {
  constructor(params, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2 } = {}) {
    Object.assign(this, { params, lr, betas, eps, weightDecay, t: 0 });
    const sizes = Object.values(params).map((p) => wholeVectors(p.length));
    const floats = 2 * CHUNK + 2 * sizes.reduce((a, b) => a + b, 0);
    const memory = new WebAssembly.Memory({ initial: Math.ceil((4 * floats) / 65536) });
    this.kernel = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory } }).exports;
    let at = 0; // the next free float
    const take = (n) => {
      const view = new Float32Array(memory.buffer, 4 * at, n);
      at += n;
      return view;
    };
    [this.p, this.g] = [take(CHUNK), take(CHUNK)]; // the chunk being updated
    this.m = {}; // first moment
    this.v = {}; // second
    Object.entries(params).forEach(([name, p], j) => {
      this.m[name] = take(sizes[j]).subarray(0, p.length);
      this.v[name] = take(sizes[j]).subarray(0, p.length);
    });
  }

  step(grads) {
    this.t += 1;
    const [beta1, beta2] = this.betas;
    const correction1 = 1 - beta1 ** this.t; // bias corrections: m and v started at 0
    const correction2 = 1 - beta2 ** this.t;
    const scalars = [1 - this.lr * this.weightDecay, 1 - beta1, beta2, 1 - beta2];
    scalars.push(-this.lr / correction1, Math.sqrt(correction2), this.eps);
    for (const [name, p] of Object.entries(this.params)) {
      const g = grads[name];
      for (let start = 0; start < p.length; start += CHUNK) {
        const n = Math.min(CHUNK, p.length - start),
          whole = wholeVectors(n);
        this.p.set(p.subarray(start, start + n));
        this.g.set(g.subarray(start, start + n));
        this.p.fill(0, n, whole); // a last vector's lanes past the parameter: zeros, never read back
        this.g.fill(0, n, whole);
        const [m, v] = [this.m[name], this.v[name]].map((x) => x.byteOffset + 4 * start);
        this.kernel.update(this.p.byteOffset, this.g.byteOffset, m, v, whole, ...scalars);
        p.set(this.p.subarray(0, n), start);
      }
    }
  }
}

/** A SimdAdamW on `params` with `settings` (as AdamW's), or null where WebAssembly SIMD is missing. */
export function simdAdamW(params, settings) {
  if (typeof WebAssembly === "undefined" || !WebAssembly.validate(MODULE)) return null;
  return new SimdAdamW(params, settings);
}
