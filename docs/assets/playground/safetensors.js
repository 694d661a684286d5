// Reading a .safetensors file in the browser: the format the pocket checkpoint ships in.
//
// Layout (https://github.com/huggingface/safetensors, "Format"): 8 bytes, the header's length N
// as a little-endian unsigned 64-bit integer; N bytes of JSON, {name: {dtype, shape,
// data_offsets: [begin, end]}, "__metadata__": {...}}; then the raw tensors, row-major,
// little-endian, offsets counted from the end of the header. The pocket checkpoint stores F16;
// the forward pass works in float32, as gpt2guide.load does (dtype=torch.float32).

/** float16 bits -> float32 value (IEEE 754 binary16: 1 sign, 5 exponent, 10 fraction bits). */
export function halfToFloat(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and zero)
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// All 65536 half values, once: converting 6.8 M numbers is then one table look-up each.
let halfTable = null;
function table() {
  if (halfTable === null) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halfTable[bits] = halfToFloat(bits);
  }
  return halfTable;
}

/** Parse a whole .safetensors file: {name: {shape, data: Float32Array}}, and its metadata. */
export function readSafetensors(buffer) {
  const steps = parse(buffer);
  let step = steps.next();
  while (!step.done) step = steps.next();
  return step.value;
}

/**
 * The same, in slices: the float16 conversion (6.8 M values for the pocket model) runs a
 * slice at a time and `pause()` (a Promise: the browser's turn) comes between slices once a
 * slice has taken `budgetMs`, so loading never holds the page for long.
 */
export async function readSafetensorsAsync(buffer, pause, budgetMs = 30) {
  const steps = parse(buffer);
  let since = performance.now();
  let step = steps.next();
  while (!step.done) {
    if (performance.now() - since > budgetMs) {
      await pause();
      since = performance.now();
    }
    step = steps.next();
  }
  return step.value;
}

const SLICE = 1 << 18; // values converted between two checks of the clock

/** A generator: yields between slices of work, returns {tensors, metadata}. */
function* parse(buffer) {
  if (!(buffer instanceof ArrayBuffer)) throw new TypeError("buffer: expected an ArrayBuffer");
  if (buffer.byteLength < 8)
    throw new Error(`safetensors: a file of ${buffer.byteLength} bytes is too short for a header`);
  const view = new DataView(buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > buffer.byteLength) {
    throw new Error(`safetensors: header of ${headerLength} bytes does not fit a file of ${buffer.byteLength}`);
  }
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  } catch {
    throw new Error("safetensors: the header is not JSON; is this a .safetensors file?");
  }
  const dataStart = 8 + headerLength;
  const tensors = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = entry.data_offsets;
    if (dataStart + end > buffer.byteLength) throw new Error(`safetensors: ${name} lies beyond the end of the file`);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const data = yield* toFloat32(buffer, dataStart + begin, end - begin, count, entry.dtype, name);
    tensors[name] = { shape: entry.shape, data };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

function* toFloat32(buffer, offset, byteLength, count, dtype, name) {
  if (dtype === "F32") {
    if (byteLength !== 4 * count)
      throw new Error(`safetensors: ${name} has ${byteLength} bytes for ${count} F32 values`);
    return new Float32Array(buffer.slice(offset, offset + byteLength)); // copy: offset may not be 4-aligned
  }
  if (dtype !== "F16") throw new Error(`safetensors: ${name} is ${dtype}; this reader knows F16 and F32`);
  if (byteLength !== 2 * count) throw new Error(`safetensors: ${name} has ${byteLength} bytes for ${count} F16 values`);
  // little-endian, as every browser's CPU; a view where the offset is even, else a copy
  const halves =
    offset % 2 === 0
      ? new Uint16Array(buffer, offset, count)
      : new Uint16Array(buffer.slice(offset, offset + byteLength));
  const out = new Float32Array(count);
  const lookUp = table();
  for (let from = 0; from < count; from += SLICE) {
    const to = Math.min(count, from + SLICE);
    for (let i = from; i < to; i++) out[i] = lookUp[halves[i]];
    yield;
  }
  return out;
}
