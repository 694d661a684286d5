// Give the browser a turn between tokens, so that the page repaints and stays responsive during
// a long generation. A MessageChannel message runs as soon as the event loop is free (a chain of
// setTimeout(0) calls is clamped to 4 ms each, which would slow decoding down).

const channel = typeof MessageChannel === "undefined" ? null : new MessageChannel();
const waiting = [];
if (channel) channel.port1.onmessage = () => waiting.shift()();

export function nextTurn() {
  if (!channel) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
