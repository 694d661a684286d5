// GPT-2's byte-level BPE tokenizer, exactly as transformers' GPT2Tokenizer (tokenizers' ByteLevel
// pre-tokenizer and BPE model) splits text, with the pocket checkpoint's vocab.json and merges.txt.
//
// 1. Special tokens first: "<|endoftext|>" anywhere in the text is the one id 50256, and the text
//    on either side is tokenized on its own (an AddedToken with lstrip=rstrip=False: spaces
//    around it stay ordinary text).
// 2. Pre-tokenizer: GPT-2's regex cuts the text into words (contractions, a letter run with its
//    leading space, a digit run, a punctuation run, whitespace).
// 3. Each word's UTF-8 bytes become printable characters (bytes_to_unicode: a space is "Ġ").
// 4. BPE: merge the adjacent pair with the lowest rank in merges.txt, again and again, until no
//    pair of the word is in the merges; each piece left is a vocabulary entry.
// References: openai/gpt-2 src/encoder.py; huggingface/tokenizers (ByteLevel, BPE).

// The same pattern as encoder.py, with the character classes of the regex engine that the
// Python tokenizer (Hugging Face tokenizers, Oniguruma) runs, so that every text is cut into the
// same words (the v flag allows the set differences):
// * whitespace is \p{White_Space}, which is \s to Oniguruma and to Python's `regex`. JavaScript's
//   own \s differs: it counts U+FEFF (the byte-order mark) as whitespace and not U+0085 (NEXT LINE);
// * letters and digits are \p{L} and \p{N} less those that Unicode 17 added (the browser knows
//   them, the tokenizer's older tables do not: to it they are neither, like punctuation).
//   tests/test_playground.py checks every code point whose class may differ.
const NEWER_LETTERS = String.raw`\u{88f}\u{c5c}\u{cdc}\u{a7ce}-\u{a7cf}\u{a7d2}\u{a7d4}\u{a7f1}\u{10940}-\u{10959}
  \u{10ec5}-\u{10ec7}\u{11db0}-\u{11ddb}\u{16ea0}-\u{16eb8}\u{16ebb}-\u{16ed3}\u{16ff2}-\u{16ff3}\u{187f8}-\u{187ff}
  \u{18d09}-\u{18d1e}\u{18d80}-\u{18df2}\u{1e6c0}-\u{1e6de}\u{1e6e0}-\u{1e6e2}\u{1e6e4}-\u{1e6e5}\u{1e6e7}-\u{1e6ed}
  \u{1e6f0}-\u{1e6f4}\u{1e6fe}-\u{1e6ff}\u{2b73a}-\u{2b73f}\u{2cea2}-\u{2cead}\u{323b0}-\u{33479}`.replace(/\s/g, "");
const NEWER_DIGITS = String.raw`\u{11de0}-\u{11de9}\u{16ff4}-\u{16ff6}`;
const L = String.raw`[\p{L}--[${NEWER_LETTERS}]]`;
const N = String.raw`[\p{N}--[${NEWER_DIGITS}]]`;
const S = String.raw`\p{White_Space}`;
const WORDS = new RegExp(
  String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?${L}+| ?${N}+| ?[^${S}${L}${N}]+|${S}+(?!\P{White_Space})|${S}+`,
  "gv",
);

/** bytes_to_unicode(): byte -> a printable character; printable Latin-1 bytes map to themselves. */
export function bytesToUnicode() {
  const bytes = [];
  const range = (from, to) => {
    for (let b = from; b <= to; b++) bytes.push(b);
  };
  range(0x21, 0x7e);
  range(0xa1, 0xac);
  range(0xae, 0xff);
  const chars = bytes.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bytes.includes(b)) {
      bytes.push(b);
      chars.push(256 + n);
      n++;
    }
  }
  const table = new Array(256);
  bytes.forEach((b, i) => {
    table[b] = String.fromCodePoint(chars[i]);
  });
  return table; // table[0x20] === "Ġ"
}

export class Tokenizer {
  /** vocab: vocab.json (token -> id); merges: merges.txt as text; special: tokens matched whole. */
  constructor(vocab, merges, special = ["<|endoftext|>"], { deferred = false } = {}) {
    this.steps = this.build(vocab, merges, special);
    if (!deferred) this.finish();
  }

  /** Run what is left of the set-up at once. */
  finish() {
    while (!this.steps.next().done);
    return this;
  }

  /**
   * A tokenizer built in slices (100k map entries in all): `pause()` (a Promise: the browser's
   * turn) comes between slices once a slice has taken `budgetMs`, so loading never holds the page.
   */
  static async create(vocab, merges, pause, budgetMs = 30) {
    const tokenizer = new Tokenizer(vocab, merges, undefined, { deferred: true });
    let since = performance.now();
    while (!tokenizer.steps.next().done) {
      if (performance.now() - since > budgetMs) {
        await pause();
        since = performance.now();
      }
    }
    return tokenizer;
  }

  /**
   * The same from the tables' plain form (tokens[id], the merge lines), as tables-worker.js
   * parses them off the main thread: `pause()` comes between slices once one has taken budgetMs.
   */
  static async fromTables(tokens, lines, pause, budgetMs = 30) {
    const tokenizer = Object.create(Tokenizer.prototype);
    tokenizer.steps = tokenizer.build(null, lines, ["<|endoftext|>"], tokens);
    let since = performance.now();
    while (!tokenizer.steps.next().done) {
      if (performance.now() - since > budgetMs) {
        await pause();
        since = performance.now();
      }
    }
    return tokenizer;
  }

  /** The set-up as a generator: yields after each slice of vocabulary entries or merges. */
  *build(vocab, merges, special, tokens = null) {
    const SLICE = 4096;
    this.vocab = new Map();
    this.tokens = tokens ?? [];
    let n = 0;
    if (tokens) {
      for (let id = 0; id < tokens.length; id++) {
        if (tokens[id] !== undefined) this.vocab.set(tokens[id], id);
        if (++n % SLICE === 0) yield;
      }
    } else {
      for (const token in vocab) {
        const id = vocab[token];
        this.vocab.set(token, id);
        this.tokens[id] = token;
        if (++n % SLICE === 0) yield;
      }
    }
    this.ranks = new Map();
    const lines = Array.isArray(merges) ? merges : merges.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (!line.startsWith("#version") && line.trim()) this.ranks.set(line, this.ranks.size); // "Ġ t" -> its rank
      if (i % SLICE === 0) yield;
    }
    this.byteChar = bytesToUnicode();
    this.charByte = new Map(this.byteChar.map((c, b) => [c, b]));
    this.special = special.filter((token) => this.vocab.has(token));
    this.encoder = new TextEncoder();
    // Invalid bytes -> U+FFFD, as Python's errors="replace"; ignoreBOM keeps a leading U+FEFF
    // (by default TextDecoder drops it: a text that starts with one would not decode back).
    this.decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    this.cache = new Map(); // word -> its ids (the same word recurs often)
  }

  /** The UTF-8 bytes a token stands for (its characters back through bytes_to_unicode). */
  bytes(id) {
    return Array.from(this.tokens[id], (char) => this.charByte.get(char));
  }

  /** Text -> token ids. */
  encode(text) {
    if (typeof text !== "string") throw new TypeError(`text: expected a string, got ${typeof text}`);
    const ids = [];
    for (const [piece, isSpecial] of this.splitSpecial(text)) {
      if (isSpecial) {
        ids.push(this.vocab.get(piece));
        continue;
      }
      for (const [word] of piece.matchAll(WORDS)) ids.push(...this.encodeWord(word));
    }
    return ids;
  }

  /** Cut the text at each special token: [[text, false], ["<|endoftext|>", true], ...]. */
  splitSpecial(text) {
    const pieces = [];
    let rest = text;
    while (rest) {
      let at = -1,
        found = null;
      for (const token of this.special) {
        const i = rest.indexOf(token);
        if (i !== -1 && (at === -1 || i < at || (i === at && token.length > found.length))) {
          at = i;
          found = token;
        }
      }
      if (found === null) {
        pieces.push([rest, false]);
        break;
      }
      if (at > 0) pieces.push([rest.slice(0, at), false]);
      pieces.push([found, true]);
      rest = rest.slice(at + found.length);
    }
    return pieces;
  }

  /** One pre-tokenized word -> ids: bytes to characters, then the BPE merges. */
  encodeWord(word) {
    const known = this.cache.get(word);
    if (known) return known;
    let parts = Array.from(this.encoder.encode(word), (b) => this.byteChar[b]);
    while (parts.length > 1) {
      // the adjacent pair that merges first (lowest rank)
      let best = -1,
        bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = this.ranks.get(parts[i] + " " + parts[i + 1]);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best === -1) break;
      // merge every occurrence of that pair, left to right
      const [left, right] = [parts[best], parts[best + 1]];
      const merged = [];
      for (let i = 0; i < parts.length; i++) {
        if (i + 1 < parts.length && parts[i] === left && parts[i + 1] === right) {
          merged.push(left + right);
          i++;
        } else merged.push(parts[i]);
      }
      parts = merged;
    }
    const ids = parts.map((part) => {
      const id = this.vocab.get(part);
      if (id === undefined) throw new Error(`tokenizer: ${JSON.stringify(part)} is not in the vocabulary`);
      return id;
    });
    this.cache.set(word, ids);
    return ids;
  }

  /** The token string of an id, as the vocabulary writes it (a leading space shows as "Ġ"). */
  token(id) {
    return this.tokens[id];
  }

  /** Token ids -> text: each token's characters back to bytes, the bytes read as UTF-8. */
  decode(ids) {
    if (!Array.isArray(ids) && !ArrayBuffer.isView(ids)) throw new TypeError("ids: expected an array of token ids");
    const bytes = [];
    for (const id of ids) {
      const token = this.tokens[id];
      if (!Number.isInteger(id) || token === undefined)
        throw new RangeError(`ids: ${id} is not a token id (0 to ${this.tokens.length - 1})`);
      for (const char of token) bytes.push(this.charByte.get(char));
    }
    return this.decoder.decode(new Uint8Array(bytes));
  }
}
