// Fetching the model files with a progress report: the response body is read chunk by chunk
// through its ReadableStream reader, so the page can show how many bytes have arrived.
// Chunks that have already arrived resolve read() at once, in microtasks; the loop gives the
// browser a turn every few milliseconds, or reading a buffered 15 MB would be one long task.

import { nextTurn } from "./yield.js";

const BUDGET_MS = 20;

/**
 * Fetch every url; onProgress(loadedBytes, totalBytes) after each chunk. `sizes` gives each
 * file's size in bytes (written into the page at build time). They are preferred to the
 * Content-Length header, which a server that compresses gives for the compressed body while
 * the reader counts the bytes after decompression. Resolves to one ArrayBuffer per url.
 */
export async function fetchAll(urls, sizes, onProgress = () => {}) {
  const loaded = urls.map(() => 0);
  const total = sizes.reduce((a, b) => a + b, 0);
  const report = () =>
    onProgress(
      loaded.reduce((a, b) => a + b, 0),
      total,
    );
  return Promise.all(
    urls.map(async (url, i) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      const size = sizes[i] || Number(response.headers.get("Content-Length")) || 0;
      const reader = response.body.getReader();
      const chunks = [];
      let since = performance.now();
      for (;;) {
        if (performance.now() - since > BUDGET_MS) {
          await nextTurn();
          since = performance.now();
        }
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded[i] += value.length;
        report();
      }
      const bytes = new Uint8Array(Math.max(size, loaded[i]));
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      return offset === bytes.length ? bytes.buffer : bytes.buffer.slice(0, offset);
    }),
  );
}
