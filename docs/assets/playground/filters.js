// Sampling filters: logits -> logits, a removed token gets -Infinity (probability 0).
//
// The same functions, in the same order, with the same ties as gpt2guide.decoding.filters
// (itself equal to transformers' TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper,
// MinPLogitsWarper with min_tokens_to_keep=1):
//   temperature -> top-k -> top-p -> min-p
// * top-k keeps every token whose logit equals the k-th largest (it can keep more than k);
// * top-p sorts from least to most probable and drops the longest tail of mass <= 1 - top_p
//   (the most probable token always stays); equal tokens are cut one by one in sorted order,
//   here (logit, id) ascending, as torch's stable sort orders a short row;
// * min-p drops the tokens whose probability is below min_p times the top probability.
// Filters work on Float64Array copies: the page's numbers differ from torch's float32 ones only
// in the last bits.

/** softmax(logits) -> Float64Array of probabilities; -Infinity gives 0. */
export function softmax(logits) {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    total += out[i];
  }
  for (let i = 0; i < logits.length; i++) out[i] /= total;
  return out;
}

/** How many tokens a filter left (finite logits). */
export function countKept(logits) {
  let n = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] !== -Infinity) n++;
  return n;
}

export function applyTemperature(logits, temperature) {
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] / temperature; // T < 1 sharpens, T > 1 flattens
  return out;
}

/** The k-th largest value of `values` (k >= 1), by quickselect on a copy. */
export function kthLargest(values, k) {
  const a = Float64Array.from(values);
  let lo = 0,
    hi = a.length - 1;
  const target = k - 1; // index of the k-th largest in descending order
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] > pivot) i++;
      while (a[j] < pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target];
}

export function topKFilter(logits, topK) {
  if (topK === 0) return Float64Array.from(logits); // 0 turns the filter off, as in transformers
  const k = Math.min(topK, logits.length);
  const kth = kthLargest(logits, k);
  const out = Float64Array.from(logits);
  for (let i = 0; i < out.length; i++) if (out[i] < kth) out[i] = -Infinity; // ties with the k-th stay
  return out;
}

export function topPFilter(logits, topP) {
  const n = logits.length;
  // 1. sort from least to most probable (a native numeric sort of the values: fast)
  const sorted = Float64Array.from(logits).sort();
  // 2. the tail mass of each sorted token: its probability plus every less probable one's
  const max = sorted[n - 1];
  let total = 0;
  for (let r = 0; r < n; r++) total += Math.exp(sorted[r] - max);
  const limit = Math.fround(1 - topP); // torch compares in float32
  // 3. how many to drop: the tail of mass <= 1 - top_p; the most probable token always stays
  let tail = 0,
    dropped = 0;
  for (let r = 0; r < n - 1; r++) {
    tail += Math.exp(sorted[r] - max) / total;
    if (tail > limit) break; // the tail mass only grows: everything after stays
    dropped++;
  }
  const out = Float64Array.from(logits);
  if (dropped === 0) return out;
  // 4. drop them in (logit, id) order: all below the last dropped value, and of the tokens tied
  //    with it, as many as the count says, lowest ids first
  const cut = sorted[dropped - 1];
  let ties = 0;
  for (let r = 0; r < dropped; r++) if (sorted[r] === cut) ties++;
  for (let i = 0; i < n; i++) {
    if (out[i] < cut) out[i] = -Infinity;
    else if (out[i] === cut && ties > 0) {
      out[i] = -Infinity;
      ties--;
    }
  }
  return out;
}

export function minPFilter(logits, minP) {
  const probs = softmax(logits);
  let top = 0;
  for (let i = 0; i < probs.length; i++) if (probs[i] > top) top = probs[i];
  const threshold = minP * top; // scales with the model's confidence
  const out = Float64Array.from(logits);
  for (let i = 0; i < out.length; i++) if (probs[i] < threshold) out[i] = -Infinity; // at the threshold stays
  return out;
}

/**
 * The filters these settings turn on, in generate's order, as sampling_filters does:
 * temperature unless 1, top-k unless 0, top-p below 1, min-p unless null or 0. Each entry is
 * [name, logits -> logits].
 */
export function samplingFilters({ temperature = 1, topK = 0, topP = 1, minP = null } = {}) {
  const filters = [];
  if (temperature !== 1) filters.push(["temperature", (l) => applyTemperature(l, temperature)]);
  if (topK !== 0) filters.push(["topK", (l) => topKFilter(l, topK)]);
  if (topP < 1) filters.push(["topP", (l) => topPFilter(l, topP)]);
  if (minP) filters.push(["minP", (l) => minPFilter(l, minP)]); // null and 0 are off, as in Python
  return filters;
}

/** Run the logits through each filter; also how many tokens were left after each. */
export function applyFilters(logits, filters) {
  let out = Float64Array.from(logits);
  const kept = {};
  for (const [name, keepSome] of filters) {
    out = keepSome(out);
    kept[name] = countKept(out);
  }
  return { logits: out, kept };
}
