// The tokenizer's tables, parsed off the page's main thread: vocab.json (1 MB of JSON, about
// 100 ms of JSON.parse, one task that would hold the page) and merges.txt arrive here as bytes and
// go back as two plain arrays, tokens[id] and the merge lines, cheap to copy back. The page then
// builds its look-up maps in slices (tokenizer.js, Tokenizer.fromTables).

self.onmessage = ({ data: { vocab, merges } }) => {
  try {
    const table = JSON.parse(new TextDecoder().decode(vocab)); // {token: id}
    const tokens = [];
    for (const token in table) tokens[table[token]] = token;
    const lines = new TextDecoder().decode(merges).split("\n");
    self.postMessage({ tokens, lines });
  } catch (error) {
    self.postMessage({ error: `tokenizer files: ${error.message}` });
  }
};
