// A seeded random source for sampling: mulberry32 (Tommy Ettinger's 32-bit generator, public
// domain). The same seed gives the same draws, so the same text; it is not torch's generator
// (Philox/Mersenne Twister), so a seed here never gives the text torch.manual_seed gives.

/** A function returning numbers in [0, 1), deterministic for a given 32-bit seed. */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draw one index with probability probs[i] (probs sums to 1; zeros are never drawn). */
export function drawIndex(probs, random) {
  const u = random();
  let cumulative = 0,
    last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] === 0) continue;
    cumulative += probs[i];
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u within rounding of 1: the last token that can be drawn
}
