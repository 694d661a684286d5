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
  if (!(buffer instanceof ArrayBuffer)) throw new TypeError("buffer: expected an ArrayBuffer");
  const view = new DataView(buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > buffer.byteLength) {
    throw new Error(`safetensors: header of ${headerLength} bytes does not fit a file of ${buffer.byteLength}`);
  }
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
  const dataStart = 8 + headerLength;
  const tensors = {};
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [begin, end] = entry.data_offsets;
    const count = entry.shape.reduce((a, b) => a * b, 1);
    tensors[name] = { shape: entry.shape, data: toFloat32(buffer, dataStart + begin, end - begin, count, entry.dtype, name) };
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}

function toFloat32(buffer, offset, byteLength, count, dtype, name) {
  if (dtype === "F32") {
    if (byteLength !== 4 * count) throw new Error(`safetensors: ${name} has ${byteLength} bytes for ${count} F32 values`);
    return new Float32Array(buffer.slice(offset, offset + byteLength)); // copy: offset may not be 4-aligned
  }
  if (dtype !== "F16") throw new Error(`safetensors: ${name} is ${dtype}; this reader knows F16 and F32`);
  if (byteLength !== 2 * count) throw new Error(`safetensors: ${name} has ${byteLength} bytes for ${count} F16 values`);
  const halves = new Uint16Array(buffer.slice(offset, offset + byteLength)); // little-endian, as every browser's CPU
  const out = new Float32Array(count);
  const lookUp = table();
  for (let i = 0; i < count; i++) out[i] = lookUp[halves[i]];
  return out;
}
