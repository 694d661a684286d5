// Tokens as a reader reads them. A GPT-2 token is a run of bytes, written in the vocabulary with
// bytes_to_unicode's stand-in characters (chapter 2): "ãĤ¨" is the three bytes e3 82 a8, "エ".
// Japanese and emoji characters often span two tokens, so a token may hold only part of a
// character. Here the bytes of all the tokens are read as UTF-8 together, and each token gets
// the characters that lie wholly inside it as text, and each character it holds only part of
// as those bytes in hex together with the character they help complete:
//
//   エマは -> [e3 82 | a8 e3 83 9e | e3 81 af]   tokens ãĤ, ¨ãĥŀ, ãģ¯ (say)
//          -> [{bytes "e3 82", of "エ"}], [{bytes "a8", of "エ"}, "マ"], ["は"]
//
// Bytes that form no character (a broken sequence) are shown as bytes with no character.

/** The UTF-8 characters of a byte array with their spans: [{start, end, char}], char null if invalid. */
export function utf8Characters(bytes) {
  const out = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    let ok = length > 0 && i + length <= bytes.length;
    for (let k = 1; ok && k < length; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    if (ok) {
      const char = new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes.slice(i, i + length)));
      ok = !char.includes("\ufffd"); // overlong or surrogate forms
      if (ok) {
        out.push({ start: i, end: i + length, char });
        i += length;
        continue;
      }
    }
    out.push({ start: i, end: i + 1, char: null });
    i += 1;
  }
  return out;
}

const hex = (bytes) => bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");

/**
 * readableTokens(tokenizer, ids) -> one entry per token:
 *   {id, raw, parts: [{text} | {bytes: "e3 82", of: "エ" | null}], text}
 * raw is the vocabulary's string; text is the parts as one line ("e3 82‹エ›" for a part).
 */
export function readableTokens(tokenizer, ids) {
  const perToken = ids.map((id) => tokenizer.bytes(id));
  const all = perToken.flat();
  const chars = utf8Characters(all);
  const tokens = [];
  let start = 0,
    c = 0;
  perToken.forEach((bytes, t) => {
    const end = start + bytes.length;
    const parts = [];
    while (c < chars.length && chars[c].end <= start) c++;
    for (let k = c; k < chars.length && chars[k].start < end; k++) {
      const ch = chars[k];
      const whole = ch.start >= start && ch.end <= end && ch.char !== null;
      if (whole) {
        const last = parts[parts.length - 1];
        if (last && "text" in last) last.text += ch.char;
        else parts.push({ text: ch.char });
      } else {
        const from = Math.max(ch.start, start),
          to = Math.min(ch.end, end);
        const last = parts[parts.length - 1];
        if (ch.char === null && last && last.of === null)
          last.bytes += " " + hex(all.slice(from, to)); // a broken run
        else parts.push({ bytes: hex(all.slice(from, to)), of: ch.char });
      }
    }
    start = end;
    const id = ids[t];
    tokens.push({ id, raw: tokenizer.token(id), parts, text: partsText(parts) });
  });
  return tokens;
}

/** One line: text as it is, with a visible mark for a leading space; bytes as "e3 82‹エ›". */
export function partsText(parts) {
  return parts.map((p) => ("text" in p ? p.text : p.of ? `${p.bytes}‹${p.of}›` : p.bytes)).join("");
}
