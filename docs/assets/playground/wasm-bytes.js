// The WebAssembly binary format, as much as simd-head.js and simd-train.js write by hand: LEB128
// numbers, sections, names, the local-variable instructions and the module's frame. Each kernel
// lists its functions' instructions as bytes; `assemble` wraps them into a module that imports the
// page's memory as env.memory and exports every function under its name.
// References: the core binary format (https://webassembly.github.io/spec/core/binary/: LEB128,
// sections in order, types, imports, functions, exports, code).

/** Unsigned LEB128 (sizes, indices, offsets). */
export const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};

/** Signed LEB128 (i32.const's operand). */
export const sleb = (n) => {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};

export const section = (id, bytes) => [id, ...leb(bytes.length), ...bytes];
export const name = (s) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
export const I32 = 0x7f,
  F32 = 0x7d,
  V128 = 0x7b;

// local.get, local.set, local.tee, i32.const
export const get = (i) => [0x20, i],
  set = (i) => [0x21, i],
  tee = (i) => [0x22, i];
export const i32 = (n) => [0x41, ...sleb(n)];

/**
 * A module of `functions`, importing env.memory (min 1 page) and exporting each function by its
 * name. A function is {name, params, results, locals: [[count, type], ...], code: nested arrays of
 * bytes}; `code` leaves out the final `end`, which is added here.
 */
export function assemble(functions) {
  const types = functions.flatMap((f) => [0x60, f.params.length, ...f.params, f.results.length, ...f.results]);
  const bodies = functions.map((f) => {
    const code = f.code.flat(Infinity); // the instructions' bytes, however nested
    const body = [f.locals.length, ...f.locals.flatMap(([count, type]) => [...leb(count), type]), ...code, 0x0b];
    return [...leb(body.length), ...body];
  });
  // prettier-ignore
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, [functions.length, ...types]), // one type per function
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 1]), // import env.memory, min 1 page
    ...section(3, [functions.length, ...functions.map((_, i) => i)]),
    ...section(7, [functions.length, ...functions.flatMap((f, i) => [...name(f.name), 0x00, i])]), // exports
    ...section(10, [functions.length, ...bodies.flat()]),
  ]);
}
