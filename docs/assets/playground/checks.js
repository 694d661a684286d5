// Checking the options of generate() and distribution() on entry, with the ranges of
// gpt2guide.decoding.filters (_check_temperature, _check_top_k, _check_probability) and the rules
// of gpt2guide.validation: each bad value gives one message that names the option and says how
// to fix the call. tests/test_playground.py checks that both accept and refuse the same values.

const DEFAULTS = {
  prompt: undefined,
  strategy: "greedy",
  maxNewTokens: 20,
  numBeams: 4,
  lengthPenalty: 1.0,
  earlyStopping: false,
  temperature: 1.0,
  topK: 0,
  topP: 1.0,
  minP: null,
  seed: null,
};
const STRATEGIES = ["greedy", "beam", "sample"];
const FILTER_OPTIONS = ["prompt", "temperature", "topK", "topP", "minP"];

const isNumber = (x) => typeof x === "number" && !Number.isNaN(x);
const show = (x) => (typeof x === "string" ? JSON.stringify(x) : String(x));

/** The options of generate(), defaults filled in; throws an Error naming the first bad one. */
export function checkGenerateOptions(options) {
  const o = withDefaults(options, Object.keys(DEFAULTS), "generate");
  checkPrompt(o.prompt);
  if (!STRATEGIES.includes(o.strategy)) {
    throw new Error(`strategy: must be "greedy", "beam" or "sample", got ${show(o.strategy)}`);
  }
  if (!Number.isInteger(o.maxNewTokens))
    throw new Error(`maxNewTokens: expected a whole number, got ${show(o.maxNewTokens)}`);
  if (o.maxNewTokens < 0) throw new Error(`maxNewTokens: must be 0 or more, got ${o.maxNewTokens}`);
  if (o.strategy === "beam") {
    if (!Number.isInteger(o.numBeams) || o.numBeams < 1) {
      throw new Error(`numBeams: must be a whole number of at least 1 (1 is greedy decoding), got ${show(o.numBeams)}`);
    }
    if (o.numBeams > 16) throw new Error(`numBeams: at most 16 beams in the browser, got ${o.numBeams}`);
    if (!isNumber(o.lengthPenalty) || !Number.isFinite(o.lengthPenalty)) {
      throw new Error(`lengthPenalty: must be a finite number (1.0 is the default), got ${show(o.lengthPenalty)}`);
    }
    if (![true, false, "never"].includes(o.earlyStopping)) {
      throw new Error(`earlyStopping: must be true, false or "never", got ${show(o.earlyStopping)}`);
    }
    if (o.maxNewTokens === 0)
      throw new Error("maxNewTokens: beam search needs at least 1 new token (as generate does)");
  }
  if (o.strategy === "sample") {
    checkFilterValues(o);
    if (o.seed !== null && (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff)) {
      throw new Error(
        `seed: must be a whole number from 0 to 4294967295 (or null for a random one), got ${show(o.seed)}`,
      );
    }
  }
  return o;
}

/** The options of distribution(), defaults filled in. */
export function checkDistributionOptions(options) {
  const o = withDefaults(options, FILTER_OPTIONS, "distribution");
  checkPrompt(o.prompt);
  checkFilterValues(o);
  return o;
}

/** The options of inspect(): {prompt}. */
export function checkInspectOptions(options) {
  const o = withDefaults(options, ["prompt"], "inspect");
  checkPrompt(o.prompt);
  return o;
}

/** The prompt's length plus the new tokens must fit the context (n_positions). */
export function checkFitsContext(nPrompt, maxNewTokens, nPositions) {
  if (nPrompt === 0) throw new Error("prompt: the prompt is empty; type at least one character");
  if (nPrompt > nPositions) {
    throw new Error(`prompt: ${nPrompt} tokens, beyond the model's context of ${nPositions} tokens; shorten it`);
  }
  if (nPrompt + maxNewTokens > nPositions) {
    throw new Error(
      `maxNewTokens: ${nPrompt} prompt tokens + ${maxNewTokens} new tokens = ${nPrompt + maxNewTokens}, ` +
        `beyond the model's context of ${nPositions} tokens; ask for at most ${nPositions - nPrompt} new tokens`,
    );
  }
}

function withDefaults(options, known, fn) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${fn}: expected one object of options, e.g. {prompt: "It is a truth"}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
      throw new Error(
        `${key}: not an option of ${fn}${near ? `; did you mean ${near}?` : ` (options: ${known.join(", ")})`}`,
      );
    }
  }
  const o = {};
  for (const key of known) o[key] = options[key] === undefined ? DEFAULTS[key] : options[key];
  return o;
}

function checkPrompt(prompt) {
  if (typeof prompt !== "string") throw new Error(`prompt: expected a string, got ${show(prompt)}`);
  if (prompt.length === 0) throw new Error("prompt: the prompt is empty; type at least one character");
}

function checkFilterValues(o) {
  if (!isNumber(o.temperature) || !Number.isFinite(o.temperature) || o.temperature <= 0) {
    const hint = o.temperature === 0 ? " (for the most probable token use greedy decoding)" : "";
    throw new Error(`temperature: must be a finite number > 0, got ${show(o.temperature)}${hint}`);
  }
  if (!Number.isInteger(o.topK) || o.topK < 0) {
    throw new Error(`topK: must be 0 (off) or a positive whole number of tokens, got ${show(o.topK)}`);
  }
  // [0, 1] as in Python: top-p 0 keeps only the most probable token, min-p 0 is off as null is
  if (!isNumber(o.topP) || !(o.topP >= 0 && o.topP <= 1)) {
    throw new Error(`topP: must be in [0, 1] (1 keeps every token, 0 only the most probable), got ${show(o.topP)}`);
  }
  if (o.minP !== null && (!isNumber(o.minP) || !(o.minP >= 0 && o.minP <= 1))) {
    throw new Error(`minP: must be in [0, 1] or null (0 and null are off), got ${show(o.minP)}`);
  }
}
