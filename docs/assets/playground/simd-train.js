// The LM head of a training step in WebAssembly SIMD: the logits of a few rows per pass over the
// 50,257 rows of wte, the softmax's exp, and the backward pass of the head (dF = dLogits @ wte and
// dHead += dLogitsᵀ @ f in one pass over wte), four float32 multiply-adds per instruction, float32
// sums as torch's. A step's head is most of its work (3 x rows x 50,257 x n_embd multiply-adds).
//
// As in simd-head.js, the module is written out below as bytes (wasm-bytes.js frames them), so
// the site needs no compiler and fetches no wasm. train.js keeps its plain-JS head where the browser
// lacks WebAssembly SIMD (or n_embd is not a multiple of 4), and the tests run both.
//
//   logits(F, W, OUT, vocab, d, rows, stride)         OUT[r stride + t] = f_r · w_t, 4 rows at a time
//   rowMax(P, n) -> f32                                the largest of P[0 .. n)
//   expSum(P, n, max) -> f32                           P[i] = exp(P[i] - max); their sum
//   scale(P, n, s)                                     P[i] *= s
//   headBackward(G, F, W, DF, DH, t0, t1, d, rows, stride)
//                                                      for t0 <= t < t1: DF_r += G[r stride + t] w_t,
//                                                      DH_t += Σ_r G[r stride + t] f_r
// F and DF hold the rows packed in groups of 4: [group][d / 4][row of the 4][4 floats], so one load of
// w_t's 4 floats serves 4 rows (and headBackward takes two tokens at a time, so one load of f serves
// both). Addresses are in bytes; n a multiple of 4, d of 4, rows of 4. Where the browser has relaxed
// SIMD, the products use its f32x4.relaxed_madd (a fused multiply-add on CPUs with FMA: one rounding
// instead of two, and about a fifth faster here); else f32x4.mul and f32x4.add.
//
// References: the WebAssembly SIMD proposal (https://github.com/WebAssembly/simd), its binary format
// (proposals/simd/BinarySIMD.md: the 0xfd opcodes) and the core binary format (sections, LEB128);
// the relaxed SIMD proposal (https://github.com/WebAssembly/relaxed-simd: f32x4.relaxed_madd, 0xfd 0x105);
// the exp: Cephes' expf (S. Moshier), as in Eigen's and SLEEF's float32 pexp (range reduction by
// ln 2, a degree-5 polynomial, 2^n built in the exponent bits).

import { F32, I32, V128, assemble, get, i32, set, tee } from "./wasm-bytes.js";
// prettier-ignore
import {
  add, block, br, brIf, f32Load, f32Store, fMax, geU, iAdd, iConst, iShl, inc, incBy, lane, load, loop, ltU, madd,
  mul, shl, splat, store, sum4, vAdd, vAnd, vConst, vGt, vMax, vMul, vSub, zero,
} from "./wasm-simd.js";

// -- the functions --------------------------------------------------------------------------------

function logits(fused) {
  // params: 0 F, 1 W, 2 OUT, 3 vocab, 4 d, 5 rows, 6 stride
  // locals: 7 t, 8 r, 9 i, 10 rowBytes, 11 wRow, 12 p (F's group, moving), 13 at (OUT's address), 14 strideBytes
  //         15-18 s0-s3, 19 w (v128)
  const [F, W, OUT, VOCAB, D, ROWS, STRIDE, T, R, I, ROW_BYTES, W_ROW, P, AT, STRIDE_BYTES] = [...Array(15).keys()];
  const s = [15, 16, 17, 18],
    w = 19;
  const locals = [
    [8, I32],
    [5, V128],
  ];
  // prettier-ignore
  const code = [
    ...get(D), ...i32(2), shl, ...set(ROW_BYTES), // rowBytes = 4 d
    ...get(STRIDE), ...i32(2), shl, ...set(STRIDE_BYTES),
    ...get(W), ...set(W_ROW),
    ...i32(0), ...set(T),
    ...block(loop(
      ...get(T), ...get(VOCAB), geU, ...brIf(1), // every token t
      ...i32(0), ...set(R), ...get(F), ...set(P),
      ...block(loop(
        ...get(R), ...get(ROWS), geU, ...brIf(1), // every group of 4 rows
        ...s.flatMap((v) => [...zero, ...set(v)]),
        ...i32(0), ...set(I),
        ...loop(
          ...get(W_ROW), ...get(I), add, ...load(0), ...set(w), // w_t[i .. i + 4], loaded once for 4 rows
          ...s.flatMap((v, k) => [...madd(fused, [...get(P), ...load(16 * k)], get(w), get(v)), ...set(v)]),
          ...inc(P, 64),
          ...get(I), ...i32(16), add, ...tee(I), ...get(ROW_BYTES), ltU, ...brIf(0),
        ),
        // the 4 sums: OUT[(r + k) stride + t]
        ...get(OUT), ...get(R), ...get(STRIDE), mul, ...get(T), add, ...i32(2), shl, add, ...set(AT),
        ...s.flatMap((v) => [...get(AT), ...sum4(v), ...f32Store(0), ...incBy(AT, STRIDE_BYTES)]),
        ...inc(R, 4),
        ...br(0),
      )),
      ...incBy(W_ROW, ROW_BYTES),
      ...inc(T, 1),
      ...br(0),
    )),
  ];
  return { name: "logits", params: [I32, I32, I32, I32, I32, I32, I32], results: [], locals, code };
}

function rowMax() {
  // params: 0 P, 1 n; locals: 2 end, 3 m (v128)
  // prettier-ignore
  const code = [
    ...get(0), ...get(1), ...i32(2), shl, add, ...set(2),
    ...vConst(-Infinity), ...set(3),
    ...block(loop(
      ...get(0), ...get(2), geU, ...brIf(1),
      ...get(3), ...get(0), ...load(0), vMax, ...set(3),
      ...inc(0, 16), ...br(0),
    )),
    ...get(3), ...lane(0), ...get(3), ...lane(1), fMax, ...get(3), ...lane(2), fMax, ...get(3), ...lane(3), fMax,
  ];
  return {
    name: "rowMax",
    params: [I32, I32],
    results: [F32],
    locals: [
      [1, I32],
      [1, V128],
    ],
    code,
  };
}

function expSum() {
  // params: 0 P, 1 n, 2 max (f32); locals: 3 end; 4 m, 5 x, 6 k (as floats), 7 y, 8 keep, 9 total, 10 bits (v128)
  const [P, N, MAX, END, M, X, K, Y, KEEP, TOTAL, BITS] = [...Array(11).keys()];
  const LOW = -87; // exp(-87) is about 1.6e-38, near float32's smallest normal: below it, 0
  // Cephes expf: x = k ln 2 + r, |r| <= ln 2 / 2 (ln 2 in two parts, so k ln 2 is exact); exp(r) by a
  // polynomial; times 2^k, made by putting k + 127 in a float's exponent bits. k is rounded by adding
  // 1.5 x 2^23 (the float's last bits then hold k; subtracting it again leaves k as a float).
  const MAGIC = 12582912; // 1.5 x 2^23, whose float bits are 0x4b400000
  const poly = [1.98756915e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
  // prettier-ignore
  const code = [
    ...get(P), ...get(N), ...i32(2), shl, add, ...set(END),
    ...get(MAX), ...splat, ...set(M),
    ...zero, ...set(TOTAL),
    ...block(loop(
      ...get(P), ...get(END), geU, ...brIf(1),
      ...get(P), ...load(0), ...get(M), vSub, ...tee(X), // x = P[i] - max (<= 0)
      ...vConst(LOW), vGt, ...set(KEEP), // where x > -87 (else the exp is 0; -Infinity included)
      ...get(X), ...vConst(LOW), vMax, ...tee(X),
      ...vConst(Math.LOG2E), vMul, ...vConst(MAGIC), vAdd, ...tee(BITS), // k + 1.5 x 2^23
      ...vConst(MAGIC), vSub, ...set(K), // k = round(x / ln 2)
      ...get(X), ...get(K), ...vConst(0.693359375), vMul, vSub,
      ...get(K), ...vConst(-2.12194440e-4), vMul, vSub, ...set(X), // r = x - k ln 2
      ...vConst(poly[0]),
      ...poly.slice(1).flatMap((c) => [...get(X), vMul, ...vConst(c), vAdd]),
      ...get(X), vMul, ...get(X), vMul, ...get(X), vAdd, ...vConst(1), vAdd, ...set(Y), // exp(r)
      ...get(P),
      ...get(Y), ...get(BITS), ...iConst(127 - 0x4b400000), iAdd, ...i32(23), iShl, vMul, // times 2^k
      ...get(KEEP), vAnd, ...tee(Y),
      ...store(0),
      ...get(TOTAL), ...get(Y), vAdd, ...set(TOTAL),
      ...inc(P, 16), ...br(0),
    )),
    ...sum4(TOTAL),
  ];
  return {
    name: "expSum",
    params: [I32, I32, F32],
    results: [F32],
    locals: [
      [1, I32],
      [7, V128],
    ],
    code,
  };
}

function scale() {
  // params: 0 P, 1 n, 2 s (f32); locals: 3 end, 4 s (v128)
  // prettier-ignore
  const code = [
    ...get(0), ...get(1), ...i32(2), shl, add, ...set(3),
    ...get(2), ...splat, ...set(4),
    ...block(loop(
      ...get(0), ...get(3), geU, ...brIf(1),
      ...get(0), ...get(0), ...load(0), ...get(4), vMul, ...store(0),
      ...inc(0, 16), ...br(0),
    )),
  ];
  return {
    name: "scale",
    params: [I32, I32, F32],
    results: [],
    locals: [
      [1, I32],
      [1, V128],
    ],
    code,
  };
}

function headBackward(fused) {
  // params: 0 G, 1 F, 2 W, 3 DF, 4 DH, 5 t0, 6 t1, 7 d, 8 rows, 9 stride
  // locals: 10 t, 11 r, 12 i, 13 rowBytes, 14 wRow, 15 hRow, 16 p (F, moving), 17 q (DF, moving), 18 at
  //         19-26 g (4 rows x 2 tokens), 27-28 w, 29-30 h, 31 f (v128)
  const [G, F, W, DF, DH, T0, T1, D, ROWS, STRIDE, T, R, I, ROW_BYTES, W_ROW, H_ROW, P, Q, AT] = [...Array(19).keys()];
  const g = (j, k) => 19 + 4 * j + k, // g for token t + j, row r + k
    w = (j) => 27 + j,
    h = (j) => 29 + j,
    FK = 31;
  // the address of row t + j of W (or DH) at i: row + j rowBytes + i
  const at = (row, j) => [...get(row), ...(j ? [...get(ROW_BYTES), add] : []), ...get(I), add];
  // tokens t .. t + n - 1 (n = 2, or 1 for the last of an odd range), every row. Two tokens at a time
  // halve the loads and stores of dF and f per product; the sums keep their order (t, then t + 1).
  const tokens = (n) => {
    const js = [...Array(n).keys()];
    // prettier-ignore
    return [
      ...i32(0), ...set(R), ...get(F), ...set(P), ...get(DF), ...set(Q),
      ...block(loop(
        ...get(R), ...get(ROWS), geU, ...brIf(1), // every group of 4 rows
        // g(j, k) = G[(r + k) stride + t + j], in all four lanes
        ...get(G), ...get(R), ...get(STRIDE), mul, ...get(T), add, ...i32(2), shl, add, ...set(AT),
        ...[0, 1, 2, 3].flatMap((k) => [
          ...js.flatMap((j) => [...get(AT), ...f32Load(4 * j), ...splat, ...set(g(j, k))]),
          ...get(AT), ...get(STRIDE), ...i32(2), shl, add, ...set(AT),
        ]),
        ...i32(0), ...set(I),
        ...loop(
          ...js.flatMap((j) => [...at(W_ROW, j), ...load(0), ...set(w(j)), ...at(H_ROW, j), ...load(0), ...set(h(j))]),
          ...[0, 1, 2, 3].flatMap((k) => [
            ...get(P), ...load(16 * k), ...set(FK), // f_{r+k}[i .. i + 4]
            // dF_{r+k}[i .. i + 4] += g(j, k) w_{t+j}[i .. i + 4], j in order
            ...get(Q),
            ...js.reduce((sum, j) => madd(fused, get(g(j, k)), get(w(j)), sum), [...get(Q), ...load(16 * k)]),
            ...store(16 * k),
            // dHead_{t+j}[i .. i + 4] += g(j, k) f_{r+k}[i .. i + 4], rows in order
            ...js.flatMap((j) => [...madd(fused, get(g(j, k)), get(FK), get(h(j))), ...set(h(j))]),
          ]),
          ...js.flatMap((j) => [...at(H_ROW, j), ...get(h(j)), ...store(0)]),
          ...inc(P, 64), ...inc(Q, 64),
          ...get(I), ...i32(16), add, ...tee(I), ...get(ROW_BYTES), ltU, ...brIf(0),
        ),
        ...inc(R, 4),
        ...br(0),
      )),
    ];
  };
  // prettier-ignore
  const code = [
    ...get(D), ...i32(2), shl, ...set(ROW_BYTES),
    ...get(T0), ...set(T),
    ...get(W), ...get(T), ...get(ROW_BYTES), mul, add, ...set(W_ROW),
    ...get(DH), ...get(T), ...get(ROW_BYTES), mul, add, ...set(H_ROW),
    ...block(loop(
      ...get(T), ...i32(1), add, ...get(T1), geU, ...brIf(1), // tokens t, t + 1 while t + 1 < t1
      ...tokens(2),
      ...incBy(W_ROW, ROW_BYTES), ...incBy(W_ROW, ROW_BYTES), ...incBy(H_ROW, ROW_BYTES), ...incBy(H_ROW, ROW_BYTES),
      ...inc(T, 2),
      ...br(0),
    )),
    ...block(
      ...get(T), ...get(T1), geU, ...brIf(0), // the last token of an odd range
      ...tokens(1),
    ),
  ];
  return {
    name: "headBackward",
    params: Array(10).fill(I32),
    results: [],
    locals: [
      [9, I32],
      [13, V128],
    ],
    code,
  };
}

/** The module: with `fused`, its products use relaxed SIMD's multiply-add (the relaxed-simd proposal). */
export const moduleBytes = (fused) => assemble([logits(fused), rowMax(), expSum(), scale(), headBackward(fused)]);
export const MODULE = moduleBytes(false);
export const MODULE_FUSED = moduleBytes(true);

export const GROUP = 4; // rows per group in the packed layout
export const EXP_BLOCK = 4096; // floats summed in float32 at a time; the blocks' sums add up in doubles

/**
 * The training head's kernels for a (vocab, d) table and up to maxRows rows at a time, or null
 * where WebAssembly SIMD is missing or d is not a multiple of 4. Its Float32Arrays live in the wasm
 * memory: wte (the table, refreshed each step), dHead (its gradient, zeroed by the caller),
 * f and dF (maxRows rows, packed: pack/unpack), logits (maxRows rows of `stride` floats, padded with
 * -Infinity past vocab).
 */
export function simdTrainHead(vocab, d, maxRows, { fused = true } = {}) {
  if (typeof WebAssembly === "undefined" || d % 4 !== 0 || !WebAssembly.validate(MODULE)) return null;
  // relaxed SIMD's multiply-add where the browser has it (and the caller does not say otherwise)
  const bytes = fused && WebAssembly.validate(MODULE_FUSED) ? MODULE_FUSED : MODULE;
  const rows = Math.ceil(maxRows / GROUP) * GROUP;
  const stride = Math.ceil(vocab / 4) * 4;
  const align = (n) => Math.ceil(n / 64) * 64;
  let at = 0;
  const take = (floats) => {
    const start = at;
    at = align(at + 4 * floats);
    return start;
  };
  const W = take(vocab * d),
    DH = take(vocab * d),
    F = take(rows * d),
    DF = take(rows * d),
    OUT = take(rows * stride);
  const memory = new WebAssembly.Memory({ initial: Math.ceil(at / 65536) });
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
  const view = (start, floats) => new Float32Array(memory.buffer, start, floats);
  const head = {
    fused: bytes === MODULE_FUSED,
    vocab,
    d,
    rows,
    stride,
    wte: view(W, vocab * d),
    dHead: view(DH, vocab * d),
    f: view(F, rows * d),
    dF: view(DF, rows * d),
    logits: view(OUT, rows * stride),
    /** Rows r0 .. r0 + n of x (R, d), into the packed f (the rows past n zero). */
    pack(x, r0, n, into = head.f) {
      into.fill(0);
      for (let r = 0; r < n; r++) {
        const base = Math.floor(r / GROUP) * GROUP * d + (r % GROUP) * 4;
        for (let c = 0; c < d; c++) into[base + (c >> 2) * 4 * GROUP + (c & 3)] = x[(r0 + r) * d + c];
      }
    },
    /** Adds the packed dF's first n rows to out's rows r0 .. r0 + n. */
    unpackAdd(out, r0, n, from = head.dF) {
      for (let r = 0; r < n; r++) {
        const base = Math.floor(r / GROUP) * GROUP * d + (r % GROUP) * 4;
        for (let c = 0; c < d; c++) out[(r0 + r) * d + c] += from[base + (c >> 2) * 4 * GROUP + (c & 3)];
      }
    },
    /** logits[r stride + t] = f_r · wte_t for the first n rows (n rounded up to a group). */
    logitsOf(n) {
      k.logits(F, W, OUT, vocab, d, Math.ceil(n / GROUP) * GROUP, stride);
    },
    /** The largest logit of row r (its padding past vocab set to -Infinity first: expSum zeroed it). */
    rowMax(r) {
      head.logits.fill(-Infinity, r * stride + vocab, (r + 1) * stride);
      return k.rowMax(OUT + 4 * r * stride, stride);
    },
    /** logits row r -> exp(row - max), in place; the sum, float32 blocks added in doubles. */
    expSum(r, max) {
      let total = 0;
      for (let i = 0; i < stride; i += EXP_BLOCK)
        total += k.expSum(OUT + 4 * (r * stride + i), Math.min(EXP_BLOCK, stride - i), max);
      return total;
    },
    scale: (r, s) => k.scale(OUT + 4 * r * stride, stride, s),
    /** dF (packed) += logits @ wte[t0 .. t1) and dHead[t0 .. t1) += logitsᵀ @ f, for the first n rows. */
    backward(t0, t1, n) {
      k.headBackward(OUT, F, W, DF, DH, t0, t1, d, Math.ceil(n / GROUP) * GROUP, stride);
    },
  };
  return head;
}
