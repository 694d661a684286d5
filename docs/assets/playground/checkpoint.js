// A reader's own checkpoint in the page: config.json and model.safetensors of any GPT-2-shaped
// model with GPT-2's vocabulary (written by `gpt2guide pocket train`, or by save_pretrained after
// merging LoRA), checked before anything replaces the running model.
//
// Each problem is a CheckpointError with a `code` and the values of its message, so that the
// page can say it in its own language (labels[code] in the page); `message` is the English one.

/** The most float32 values the page holds for one model (1.2 GB): distilgpt2 is 82 M. */
export const MAX_VALUES = 300_000_000;
const VOCAB = 50257; // GPT-2's tokenizer: the page only has this one

export class CheckpointError extends Error {
  constructor(code, values, message) {
    super(message);
    this.code = code;
    this.values = values;
  }
}

const fail = (code, values, message) => {
  throw new CheckpointError(code, values, message);
};

/** The config, defaults filled in as transformers' GPT2Config does; throws on what the page cannot run. */
export function checkConfig(config) {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    fail("badConfig", { what: "config" }, "config: expected the parsed config.json, an object");
  }
  const c = {
    layer_norm_epsilon: 1e-5,
    n_inner: null,
    activation_function: "gelu_new",
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    n_positions: 1024,
    vocab_size: VOCAB,
    ...config,
  };
  if (c.model_type !== undefined && c.model_type !== "gpt2") {
    fail(
      "badConfig",
      { what: `model_type ${c.model_type}` },
      `config: model_type is ${JSON.stringify(c.model_type)}; only "gpt2" runs here`,
    );
  }
  for (const key of ["n_layer", "n_head", "n_embd", "n_positions", "vocab_size"]) {
    if (!Number.isInteger(c[key]) || c[key] < 1)
      fail("badConfig", { what: key }, `config: ${key} must be a whole number >= 1, got ${JSON.stringify(c[key])}`);
  }
  if (c.vocab_size !== VOCAB) {
    fail(
      "badConfig",
      { what: `vocab_size ${c.vocab_size}` },
      `config: vocab_size is ${c.vocab_size}; the page has GPT-2's tokenizer only (${VOCAB})`,
    );
  }
  if (c.n_embd % c.n_head !== 0)
    fail(
      "badConfig",
      { what: "n_embd / n_head" },
      `config: n_embd ${c.n_embd} is not a multiple of n_head ${c.n_head}`,
    );
  if (c.activation_function !== "gelu_new") {
    fail(
      "badConfig",
      { what: c.activation_function },
      `config: activation_function ${c.activation_function}; the page runs gelu_new only`,
    );
  }
  if (!c.scale_attn_weights || c.scale_attn_by_inverse_layer_idx) {
    fail(
      "badConfig",
      { what: "scale_attn" },
      "config: the page runs GPT-2's attention scale only (scale_attn_weights, no inverse layer index)",
    );
  }
  if (c.n_inner !== null && (!Number.isInteger(c.n_inner) || c.n_inner < 1))
    fail("badConfig", { what: "n_inner" }, "config: n_inner must be null or a whole number");
  return c;
}

/** The header of a .safetensors buffer, and how many values it holds; throws if it is not one. */
export function safetensorsHeader(weights) {
  if (!(weights instanceof ArrayBuffer))
    fail("notSafetensors", {}, "weights: expected an ArrayBuffer of model.safetensors");
  let header = null;
  if (weights.byteLength >= 8) {
    const length = Number(new DataView(weights).getBigUint64(0, true));
    if (8 + length <= weights.byteLength) {
      try {
        header = JSON.parse(new TextDecoder().decode(new Uint8Array(weights, 8, length)));
      } catch {
        header = null;
      }
    }
  }
  if (header === null || typeof header !== "object")
    fail("notSafetensors", {}, "weights: this is not a .safetensors file");
  let values = 0;
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    if (entry.dtype !== "F16" && entry.dtype !== "F32") {
      fail("dtype", { name, dtype: entry.dtype }, `weights: ${name} is ${entry.dtype}; the page reads F16 and F32`);
    }
    values += entry.shape.reduce((a, b) => a * b, 1);
  }
  if (values > MAX_VALUES) {
    fail(
      "tooLarge",
      { n: (values / 1e6).toFixed(0), most: MAX_VALUES / 1e6 },
      `weights: ${(values / 1e6).toFixed(0)} M values, more than the page holds (${MAX_VALUES / 1e6} M)`,
    );
  }
  return { header, values };
}

/** Every tensor the forward pass reads, with the shape the config implies. */
export function checkTensors(config, tensors) {
  const { n_embd: d, n_positions: nPos, vocab_size: vocab } = config;
  const inner = config.n_inner ?? 4 * d;
  const expected = { "wte.weight": [vocab, d], "wpe.weight": [nPos, d], "ln_f.weight": [d], "ln_f.bias": [d] };
  for (let i = 0; i < config.n_layer; i++) {
    Object.assign(expected, {
      [`h.${i}.ln_1.weight`]: [d],
      [`h.${i}.ln_1.bias`]: [d],
      [`h.${i}.ln_2.weight`]: [d],
      [`h.${i}.ln_2.bias`]: [d],
      [`h.${i}.attn.c_attn.weight`]: [d, 3 * d],
      [`h.${i}.attn.c_attn.bias`]: [3 * d],
      [`h.${i}.attn.c_proj.weight`]: [d, d],
      [`h.${i}.attn.c_proj.bias`]: [d],
      [`h.${i}.mlp.c_fc.weight`]: [d, inner],
      [`h.${i}.mlp.c_fc.bias`]: [inner],
      [`h.${i}.mlp.c_proj.weight`]: [inner, d],
      [`h.${i}.mlp.c_proj.bias`]: [d],
    });
  }
  for (const [name, shape] of Object.entries(expected)) {
    const tensor = tensors[name] ?? tensors[`transformer.${name}`];
    if (!tensor) fail("missing", { name }, `weights: tensor ${name} is missing (is config.json this checkpoint's?)`);
    if (tensor.shape.join(",") !== shape.join(",")) {
      fail(
        "shape",
        { name, got: tensor.shape.join(" × "), want: shape.join(" × ") },
        `weights: ${name} has shape (${tensor.shape.join(", ")}), the config says (${shape.join(", ")})`,
      );
    }
  }
}
