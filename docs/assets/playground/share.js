// Shareable links: the prompt and the settings live in the URL's hash, under the option names of
// generate() (#prompt=It%20is&strategy=beam&numBeams=3&maxNewTokens=24), so that a link opens
// the playground as it was. Only the settings of the chosen strategy are written.

const NUMBERS = ["maxNewTokens", "numBeams", "lengthPenalty", "temperature", "topK", "topP", "minP", "seed"];
const FOR_STRATEGY = {
  greedy: [],
  beam: ["numBeams", "lengthPenalty"],
  sample: ["temperature", "topK", "topP", "minP", "seed"],
};

/** generate() options -> the hash, e.g. "#prompt=It%20is&strategy=greedy&maxNewTokens=24". */
export function toHash(settings) {
  const keys = ["prompt", "strategy", "maxNewTokens", ...(FOR_STRATEGY[settings.strategy] ?? [])];
  const pairs = keys
    .filter((key) => settings[key] !== null && settings[key] !== undefined)
    .map((key) => `${key}=${encodeURIComponent(String(settings[key]))}`);
  return `#${pairs.join("&")}`;
}

/** The hash -> the options it names ({} for a hash that names none, such as "#look-inside"). */
export function fromHash(hash) {
  const found = {};
  for (const pair of hash.replace(/^#/, "").split("&")) {
    const at = pair.indexOf("=");
    if (at < 1) continue;
    const key = pair.slice(0, at);
    let value;
    try {
      value = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, " "));
    } catch {
      continue;
    }
    if (key === "prompt" || key === "strategy") found[key] = value;
    else if (NUMBERS.includes(key) && value.trim() !== "" && Number.isFinite(Number(value))) found[key] = Number(value);
  }
  return found;
}
