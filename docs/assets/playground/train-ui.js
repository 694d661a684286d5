// The playground's Train part: the text (a preset, the text box or a local file), the model's size,
// Start / Pause-Resume / Reset, the loss curve (training and held-out), tokens per second, a sample
// at each evaluation, and the trained checkpoint's files to download. The run itself is
// pocket.train (pocket-train.js), in a Web Worker; afterwards the rest of the page runs the trained
// model, and "Back to the pocket model" (here and under "Your own checkpoint") brings the pocket back.
// Every label comes from the page (data-labels, in the page's language).

import { mulberry32 } from "./prng.js";
import { countValues, MAX_TRAIN_VALUES } from "./train.js";
import { fill } from "./view.js";

const pocket = window.pocket; // ui.js, the page's module before this one, made it
const root = document.getElementById("pg-train");
const labels = JSON.parse(root.dataset.labels);
const assets = new URL(document.getElementById("pocket-playground").dataset.assets, location.href);
const $ = (selector) => root.querySelector(selector);
const control = (name) => root.querySelector(`[name="${name}"]`);
const SVG = "http://www.w3.org/2000/svg";
const PRESET_CHARACTERS = 20_000; // of a preset text: enough for a minute, short to tokenize

const startButton = $(".pg-train-start"),
  pauseButton = $(".pg-train-pause"),
  resetButton = $(".pg-train-reset"),
  pocketButton = $(".pg-train-pocket");
const statusBox = $(".pg-train-status"),
  errorBox = $(".pg-train-error"),
  textBox = $(".pg-train-text"),
  curve = $(".pg-train-curve"),
  samplesBox = $(".pg-train-samples"),
  filesBox = $(".pg-train-files");

let state = "idle"; // idle | running | paused
let history = { losses: [], heldOut: [] };
let blobUrls = [];

function showError(error) {
  errorBox.textContent = `${labels.error}${error.message ?? error}`;
  errorBox.hidden = false;
}

function setState(next) {
  state = next;
  startButton.disabled = next !== "idle";
  pauseButton.disabled = next === "idle";
  resetButton.disabled = next === "idle";
  pauseButton.textContent = next === "paused" ? labels.resume : labels.pause;
  root.dataset.state = next;
}

/** The text of the chosen source: a preset (fetched from this site), the text box, or the chosen file. */
async function sourceText() {
  const source = root.querySelector('input[name="pg-train-source"]:checked').value;
  if (source === "austen") {
    const response = await fetch(new URL("held_out.txt", assets));
    if (!response.ok) throw new Error(`held_out.txt: HTTP ${response.status}`);
    return (await response.text()).split("<|endoftext|>")[0].slice(0, PRESET_CHARACTERS);
  }
  if (source === "japanese") {
    // the guide's own Japanese prose: the paragraphs of its glossary page (the site's default language)
    const response = await fetch(new URL("../../glossary/", assets));
    if (!response.ok) throw new Error(`glossary: HTTP ${response.status}`);
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const parts = [...doc.querySelectorAll("article p, article td")].map((e) => e.textContent.trim());
    return parts.filter(Boolean).join("\n").slice(0, PRESET_CHARACTERS);
  }
  if (source === "file") {
    const [file] = control("pg-train-file").files;
    if (!file) throw new Error(labels.needFile);
    return file.text(); // UTF-8
  }
  if (!textBox.value.trim()) throw new Error(labels.needText);
  return textBox.value;
}

/** The induction-head task: rows of random tokens, each half repeated (the second half predictable). */
function repeatedTokens(context, seed) {
  const random = mulberry32(seed);
  const half = Math.floor(context / 2);
  return Array.from({ length: 400 }, () => {
    const part = Array.from({ length: half }, () => 1000 + Math.floor(random() * 2000)); // 2000 word-like ids
    return [...part, ...part];
  });
}

function sizeConfig() {
  const number = (name) => Number(control(name).value);
  return {
    n_layer: number("trainLayers"),
    n_embd: number("trainWidth"),
    n_head: number("trainHeads"),
    n_positions: number("trainContext"),
  };
}

const FIELDS = ["trainLayers", "trainWidth", "trainHeads", "trainContext", "trainBatch", "trainLr", "trainSeconds"];

/** The first problem with the size fields, in the page's language (else null). */
function fieldsProblem() {
  for (const name of FIELDS) {
    const input = control(name),
      value = Number(input.value);
    const field = input.closest("label").firstChild.textContent.trim();
    if (name === "trainLr") {
      if (input.value === "" || !(value > 0 && value <= Number(input.max)))
        return fill(labels.badRate, { field, max: input.max });
    } else if (input.value === "" || !Number.isInteger(value) || value < Number(input.min) || value > Number(input.max))
      return fill(labels.badField, { field, min: input.min, max: input.max });
  }
  const c = sizeConfig();
  if (c.n_embd % c.n_head) return fill(labels.notMultiple, { width: c.n_embd, heads: c.n_head });
  const values = countValues({ ...c, vocab_size: 50257 });
  if (values > MAX_TRAIN_VALUES)
    return fill(labels.tooLarge, { n: (values / 1e6).toFixed(1), most: MAX_TRAIN_VALUES / 1e6 });
  return null;
}

async function start() {
  errorBox.hidden = true;
  const problem = fieldsProblem();
  if (problem) return showError(problem);
  for (const url of blobUrls) URL.revokeObjectURL(url);
  blobUrls = [];
  filesBox.hidden = true;
  samplesBox.replaceChildren();
  history = { losses: [], heldOut: [] };
  draw();
  setState("running");
  statusBox.textContent = labels.preparing;
  const config = sizeConfig();
  const options = {
    config,
    seconds: Number(control("trainSeconds").value),
    batchSize: Number(control("trainBatch").value),
    lr: Number(control("trainLr").value), // the field's default is larger than loop.py's: a run of a minute is short
    seed: 0,
    warmup: 5, // a run of a minute takes tens of steps: warm up over a few (loop.py's 100 would be all of it)
    evalTokens: 128, // the held-out tokens scored at each evaluation: about a step's work
  };
  try {
    if (root.querySelector('input[name="pg-train-source"]:checked').value === "repeat")
      options.ids = repeatedTokens(config.n_positions, options.seed);
    else options.text = await sourceText();
    const result = await pocket.train(options, { onProgress: progress, onEval: evaluated });
    statusBox.textContent = fill(labels.done, {
      steps: result.steps,
      s: result.seconds.toFixed(0),
      rate: (result.tokensPerSecond ?? 0).toFixed(0),
    });
    offerFiles(result.checkpoint);
  } catch (error) {
    if (/was reset/.test(error.message)) return; // reset() has said so, and set the buttons
    showError(/^text: too short/.test(error.message) ? labels.tooShort : error);
    statusBox.textContent = "";
  }
  setState("idle");
}

function progress(m) {
  history.losses.push(m.loss);
  statusBox.textContent = fill(labels.running, {
    step: m.step,
    loss: m.loss.toFixed(3),
    rate: m.tokensPerSecond === null ? "…" : m.tokensPerSecond.toFixed(0),
    s: m.seconds.toFixed(0),
  });
  draw();
}

function evaluated(m) {
  // the last evaluation may fall on the step of the one before (a run by seconds): it replaces it
  if (history.heldOut.at(-1)?.[0] === m.step) history.heldOut.pop();
  if (samplesBox.firstElementChild?.dataset.step === String(m.step)) samplesBox.firstElementChild.remove();
  if (m.heldOutLoss !== null) history.heldOut.push([m.step, m.heldOutLoss]);
  draw();
  const item = document.createElement("li");
  item.dataset.step = m.step;
  const heldOut = m.heldOutLoss === null ? "" : ` (${labels.heldOut} ${m.heldOutLoss.toFixed(3)})`;
  const continuation = document.createElement("span"); // the model's tokens, marked as the generator's
  continuation.className = "pg-new-text";
  continuation.textContent = pocket.decode(m.sample);
  item.append(`${labels.step} ${m.step}${heldOut}: ${pocket.decode(m.prompt)}`, continuation);
  samplesBox.prepend(item);
  while (samplesBox.children.length > 6) samplesBox.lastElementChild.remove();
}

/** The loss curve: training loss per step (line), held-out loss at each evaluation (line and dots). */
function draw() {
  const W = 600,
    H = 220,
    pad = 34;
  const all = [...history.losses, ...history.heldOut.map(([, l]) => l)];
  // the y axis from the whole numbers around the losses, so that a fall of a tenth shows
  const top = Math.ceil(Math.max(1, ...all)),
    bottom = all.length ? Math.max(0, Math.floor(Math.min(...all)) - 1) : 0;
  const steps = Math.max(2, history.losses.length, ...history.heldOut.map(([s]) => s));
  const x = (step) => pad + ((W - pad - 8) * step) / steps;
  const y = (loss) => H - pad + 8 - ((H - pad) * (loss - bottom)) / (top - bottom);
  const nodes = [];
  const add = (name, attributes, text) => {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    nodes.push(node);
  };
  add("line", { x1: pad, y1: y(bottom), x2: W - 8, y2: y(bottom), class: "pg-axis" });
  add("line", { x1: pad, y1: y(bottom), x2: pad, y2: 8, class: "pg-axis" });
  for (const tick of new Set([bottom, Math.round((bottom + top) / 2), top])) {
    add("text", { x: pad - 4, y: y(tick) + 4, "text-anchor": "end", class: "pg-axis-text" }, String(tick));
  }
  add("text", { x: W - 8, y: H - 4, "text-anchor": "end", class: "pg-axis-text" }, `${labels.step} ${steps}`);
  const line = (points, cls) =>
    points.length && add("polyline", { points: points.map(([s, l]) => `${x(s)},${y(l)}`).join(" "), class: cls });
  line(
    history.losses.map((l, i) => [i + 1, l]),
    "pg-train-line",
  );
  line(history.heldOut, "pg-held-line");
  for (const [s, l] of history.heldOut) add("circle", { cx: x(s), cy: y(l), r: 3, class: "pg-held-dot" });
  curve.setAttribute("viewBox", `0 0 ${W} ${H}`);
  curve.replaceChildren(...nodes);
  const last = history.losses.at(-1),
    held = history.heldOut.at(-1);
  curve.setAttribute(
    "aria-label",
    fill(labels.curve, {
      loss: last === undefined ? "–" : last.toFixed(3),
      held: held === undefined ? "–" : held[1].toFixed(3),
    }),
  );
}

/** Links to the trained checkpoint's files: config.json and model.safetensors (made here), and the
 *  tokenizer's vocab.json and merges.txt (this site's), so gpt2guide.load(folder) opens the folder. */
function offerFiles(checkpoint) {
  const made = [
    ["config.json", new Blob([JSON.stringify(checkpoint.config, null, 2)], { type: "application/json" })],
    ["model.safetensors", new Blob([checkpoint.weights], { type: "application/octet-stream" })],
  ];
  const links = made.map(([name, blob]) => {
    const url = URL.createObjectURL(blob);
    blobUrls.push(url);
    return [name, url];
  });
  for (const name of ["vocab.json", "merges.txt"]) links.push([name, new URL(name, assets).href]);
  const list = filesBox.querySelector("ul");
  list.replaceChildren(
    ...links.map(([name, url]) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      link.className = "md-button pg-train-file-link";
      link.textContent = fill(labels.download, { name });
      item.append(link);
      return item;
    }),
  );
  filesBox.hidden = false;
}

function pauseOrResume() {
  if (state === "running" && pocket.pauseTraining()) {
    setState("paused");
    statusBox.textContent = labels.paused;
  } else if (state === "paused" && pocket.resumeTraining()) setState("running");
}

function reset() {
  pocket.resetTraining();
  history = { losses: [], heldOut: [] };
  samplesBox.replaceChildren();
  draw();
  statusBox.textContent = labels.resetDone;
  setState("idle");
}

async function backToPocket() {
  try {
    await pocket.loadPocket();
    statusBox.textContent = labels.backToPocket;
  } catch (error) {
    showError(error);
  }
}

function showSource() {
  const source = root.querySelector('input[name="pg-train-source"]:checked').value;
  $(".pg-train-own").hidden = source !== "own";
  $(".pg-train-file-field").hidden = source !== "file";
}

pocket.ready.then(() => {
  startButton.addEventListener("click", start);
  pauseButton.addEventListener("click", pauseOrResume);
  resetButton.addEventListener("click", reset);
  pocketButton.addEventListener("click", backToPocket);
  root.addEventListener("change", showSource);
  showSource();
  setState("idle");
  draw();
  root.dataset.ready = "true";
});
