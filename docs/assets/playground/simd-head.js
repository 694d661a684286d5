// The head's matrix-vector product (logits = x @ wte^T) in WebAssembly SIMD: four float32
// multiply-adds per instruction, where plain JS does one. The head is most of a step's work
// (50257 x 120 multiply-adds), so this roughly doubles the playground's tokens per second.
//
// The module is tiny and written out below as bytes, one instruction per line, so that the
// site needs no compiler and no wasm download. Its one function, head(x, w, out, vocab, d),
// computes out[t] = sum_i x[i] * w[t * d + i] for t < vocab, with two f32x4 sums per row
// (d must be a multiple of 8). Where the browser lacks WebAssembly SIMD, model.js keeps its
// plain-JS head. The sums run in float32, as torch's do.
// Reference: the WebAssembly SIMD proposal (https://github.com/WebAssembly/simd), binary format.

import { I32, V128, assemble, get, i32, set, tee } from "./wasm-bytes.js";
import { lane, load, vAdd, vMul, zero } from "./wasm-simd.js";

// params: 0 x, 1 w, 2 out, 3 vocab, 4 d (addresses in bytes); locals: 5 t, 6 i, 7 row, 8 rowBytes, 9-10 sums
const X = 0,
  W = 1,
  OUT = 2,
  VOCAB = 3,
  D = 4,
  T = 5,
  I = 6,
  ROW = 7,
  ROW_BYTES = 8,
  S0 = 9,
  S1 = 10;
const code = [
  ...get(D),
  ...i32(2),
  0x74,
  ...set(ROW_BYTES), // rowBytes = d * 4
  ...get(W),
  ...set(ROW), // row = w
  ...i32(0),
  ...set(T), // t = 0
  0x02,
  0x40, // block
  0x03,
  0x40, //   loop over rows
  ...get(T),
  ...get(VOCAB),
  0x4f,
  0x0d,
  1, // if t >= vocab: break
  ...zero,
  ...set(S0),
  ...zero,
  ...set(S1),
  ...i32(0),
  ...set(I),
  0x03,
  0x40, //     loop over the row, 8 floats a turn
  ...get(S0),
  ...get(X),
  ...get(I),
  0x6a,
  ...load(0),
  ...get(ROW),
  ...get(I),
  0x6a,
  ...load(0),
  ...vMul,
  ...vAdd,
  ...set(S0), // s0 += x[i:i+4] * row[i:i+4]
  ...get(S1),
  ...get(X),
  ...get(I),
  0x6a,
  ...load(16),
  ...get(ROW),
  ...get(I),
  0x6a,
  ...load(16),
  ...vMul,
  ...vAdd,
  ...set(S1), // s1 += x[i+4:i+8] * row[i+4:i+8]
  ...get(I),
  ...i32(32),
  0x6a,
  ...tee(I),
  ...get(ROW_BYTES),
  0x49,
  0x0d,
  0, // i += 32 bytes; again while i < rowBytes
  0x0b, //     end
  ...get(OUT),
  ...get(T),
  ...i32(2),
  0x74,
  0x6a, // address out + 4 t
  ...get(S0),
  ...get(S1),
  ...vAdd,
  ...tee(S0),
  ...lane(0), // the four lanes of s0 + s1, summed
  ...get(S0),
  ...lane(1),
  0x92,
  ...get(S0),
  ...lane(2),
  0x92,
  ...get(S0),
  ...lane(3),
  0x92,
  0x38,
  2,
  0, // f32.store
  ...get(ROW),
  ...get(ROW_BYTES),
  0x6a,
  ...set(ROW), // row += rowBytes
  ...get(T),
  ...i32(1),
  0x6a,
  ...set(T), // t += 1
  0x0c,
  0, // continue the row loop
  0x0b, // end loop
  0x0b, // end block
];
const locals = [
  [4, I32],
  [2, V128],
];
export const MODULE = assemble([{ name: "head", params: [I32, I32, I32, I32, I32], results: [], locals, code }]);

/**
 * A SIMD head for a (vocab, d) embedding table, or null where WebAssembly SIMD is missing (or d
 * is not a multiple of 8). Returns {wte, head}: wte is a Float32Array inside the wasm memory, to
 * be filled with the table (the model reads its embeddings from it too), and head(x, logits)
 * computes logits = x @ wte^T.
 */
export function simdHead(vocab, d) {
  if (typeof WebAssembly === "undefined" || d % 8 !== 0 || !WebAssembly.validate(MODULE)) return null;
  const X_AT = 0,
    OUT_AT = 4 * d + 64 - ((4 * d) % 64),
    W_AT = OUT_AT + 4 * vocab + 64 - ((4 * vocab) % 64);
  const bytes = W_AT + 4 * vocab * d;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const { head } = new WebAssembly.Instance(new WebAssembly.Module(MODULE), { env: { memory } }).exports;
  const x = new Float32Array(memory.buffer, X_AT, d);
  const out = new Float32Array(memory.buffer, OUT_AT, vocab);
  return {
    wte: new Float32Array(memory.buffer, W_AT, vocab * d),
    head(input, logits) {
      x.set(input);
      head(X_AT, W_AT, OUT_AT, vocab, d);
      logits.set(out);
      return logits;
    },
  };
}
