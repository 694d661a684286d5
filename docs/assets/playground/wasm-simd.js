// The WebAssembly instructions that simd-head.js, simd-train.js and simd-adamw.js write by hand, as bytes: control
// flow, i32 arithmetic, float32 loads and stores, and the SIMD (v128) ones, four float32 lanes at a
// time. wasm-bytes.js frames a module's functions around them.
// References: the core binary format (https://webassembly.github.io/spec/core/binary/instructions.html),
// the SIMD proposal's binary format (https://github.com/WebAssembly/simd, proposals/simd/BinarySIMD.md:
// the 0xfd opcodes), the relaxed SIMD proposal (https://github.com/WebAssembly/relaxed-simd).

import { get, i32, leb, set } from "./wasm-bytes.js";

// -- control flow and i32 ---------------------------------------------------------------------
export const add = 0x6a,
  mul = 0x6c,
  shl = 0x74,
  ltU = 0x49,
  geU = 0x4f;
export const fAdd = 0x92, // f32.add
  fMax = 0x97; // f32.max
export const block = (...body) => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body) => [0x03, 0x40, ...body.flat(), 0x0b];
export const brIf = (depth) => [0x0d, depth],
  br = (depth) => [0x0c, depth];
export const inc = (local, n) => [...get(local), ...i32(n), add, ...set(local)]; // local += n
export const incBy = (local, other) => [...get(local), ...get(other), add, ...set(local)]; // local += other

// -- memory (alignment 2^2: floats) ---------------------------------------------------------------
const S = 0xfd; // the SIMD prefix
export const f32Load = (offset) => [0x2a, 2, ...leb(offset)],
  f32Store = (offset) => [0x38, 2, ...leb(offset)];
export const load = (offset) => [S, 0x00, 2, ...leb(offset)], // v128.load
  store = (offset) => [S, 0x0b, 2, ...leb(offset)]; // v128.store

// -- f32x4 ----------------------------------------------------------------------------------------
export const splat = [S, 0x13]; // f32x4.splat
export const lane = (n) => [S, 0x1f, n]; // f32x4.extract_lane
export const vAdd = [S, 0xe4, 0x01],
  vSub = [S, 0xe5, 0x01],
  vMul = [S, 0xe6, 0x01],
  vDiv = [S, 0xe7, 0x01],
  vSqrt = [S, 0xe3, 0x01],
  vMax = [S, 0xeb, 0x01], // f32x4.pmax, b < a ? a : b: one instruction (f32x4.max's NaN rules cost several)
  vGt = [S, 0x44], // f32x4.gt: all ones where a > b
  vAnd = [S, 0x4e], // v128.and
  iAdd = [S, 0xae, 0x01], // i32x4.add
  iShl = [S, 0xab, 0x01]; // i32x4.shl (by an i32)
// c + a b: f32x4.relaxed_madd where the module may use it (one fused instruction where the CPU has FMA,
// else the two below), else f32x4.mul then f32x4.add. a, b and c are the instructions that push them.
export const madd = (fused, a, b, c) =>
  fused ? [...a, ...b, ...c, S, 0x85, 0x02] : [...c, ...a, ...b, ...vMul, ...vAdd];
export const vConst = (x) => [S, 0x0c, ...new Uint8Array(Float32Array.of(x, x, x, x).buffer)];
export const iConst = (n) => [S, 0x0c, ...new Uint8Array(Int32Array.of(n, n, n, n).buffer)];
export const zero = vConst(0);
/** The sum of a v128 local's four lanes, in order: ((v0 + v1) + v2) + v3. */
// prettier-ignore
export const sum4 = (v) => [...get(v), ...lane(0), ...get(v), ...lane(1), fAdd, ...get(v), ...lane(2), fAdd, ...get(v), ...lane(3), fAdd];
