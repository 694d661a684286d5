// The playground page: loads the pocket model (with a progress bar), puts its API on
// window.pocket as createPocket made it, and wires the controls; each control's handler shows
// the errors of the calls it makes. Every label comes from the page (data-labels, written
// in the page's language); the file list and sizes come from data-files, which the build
// (site_hooks/playground.py) writes from the files it copies.

import { createPocket } from "./pocket.js";
import { renderAttention, renderLens } from "./inside-view.js";
import { readableTokens } from "./readable.js";
import { fromHash, toHash } from "./share.js";
import { nextTurn } from "./yield.js";
import { fill, renderBeams, renderChart, renderChips } from "./view.js";

performance.mark("playground-start"); // tests count main-thread tasks from here
const root = document.getElementById("pocket-playground");
const labels = JSON.parse(root.dataset.labels);
const files = JSON.parse(root.dataset.files); // [[name, bytes], ...]
const $ = (selector) => root.querySelector(selector);
const control = (name) => root.querySelector(`[name="${name}"]`);

const progress = $(".pg-progress"),
  statusText = $(".pg-status-text"),
  errorBox = $(".pg-error");
const button = $(".pg-generate"),
  promptBox = $(".pg-prompt");
const layerPick = document.querySelector('select[name="pg-layer"]');
const headPick = document.querySelector('select[name="pg-head"]');
const heatBox = document.querySelector(".pg-heat-box"),
  lensBox = document.querySelector(".pg-lens-box");
const mb = (bytes) => (bytes / 1e6).toFixed(1);

// The bar follows the bytes, redrawn at most once a frame (chunks arrive by the hundred).
let shown = null;
function showProgress(loaded, total) {
  if (shown === null)
    requestAnimationFrame(() => {
      const [done, all] = shown;
      shown = null;
      if (root.dataset.ready === "true") return;
      progress.value = all ? done / all : 0;
      statusText.textContent = fill(labels.loading, { loaded: mb(done), total: mb(all) });
    });
  shown = [loaded, total];
}
// modelChanged: after another model starts running (from the controls or from the console).
const pocket = createPocket(
  root.dataset.assets,
  files.map(([, size]) => size),
  showProgress,
  () => modelChanged(),
);
window.pocket = pocket;

function showError(error) {
  errorBox.textContent = `${labels.error}${error.message ?? error}`;
  errorBox.hidden = false;
}
function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = "";
}

/** The settings the controls hold now, as generate() options. */
function settings() {
  const number = (name) => Number(control(name).value);
  const minP = number("minP");
  return {
    prompt: promptBox.value,
    strategy: root.querySelector('input[name="pg-strategy"]:checked').value,
    maxNewTokens: number("maxNewTokens"),
    numBeams: number("numBeams"),
    lengthPenalty: number("lengthPenalty"),
    temperature: number("temperature"),
    topK: number("topK"),
    topP: number("topP"),
    minP: minP === 0 ? null : minP, // the slider's 0 means "off"
    seed: number("seed"),
  };
}

/**
 * The mistakes the controls themselves can make, caught before the model is asked, so that the
 * page says them in its own language (the API's messages are in English, as gpt2guide's are).
 */
function controlsProblem(s) {
  if (s.prompt.length === 0) return labels.emptyPrompt;
  const n = pocket.encode(s.prompt).length,
    context = pocket.config.n_positions;
  if (n > context) return fill(labels.promptTooLong, { n, context });
  if (n + s.maxNewTokens > context) return fill(labels.tooManyTokens, { n, context, most: context - n });
  return null;
}

/** The filter settings that apply: sampling's, or none for greedy and beam search. */
function filterSettings(s) {
  if (s.strategy !== "sample") return { prompt: s.prompt };
  return { prompt: s.prompt, temperature: s.temperature, topK: s.topK, topP: s.topP, minP: s.minP };
}

// The link: the hash follows the controls once the reader changes one (a plain #anchor stays
// until then); a link's hash sets the controls when the page opens and when it changes.
const linkBox = $(".pg-link"),
  copyStatus = $(".pg-copy-status");

function applyHash() {
  const found = fromHash(location.hash);
  if (Object.keys(found).length === 0) return false;
  if (found.prompt !== undefined) promptBox.value = found.prompt;
  if (found.strategy !== undefined) {
    const radio = root.querySelector(`input[name="pg-strategy"][value="${CSS.escape(found.strategy)}"]`);
    if (radio) radio.checked = true;
  }
  for (const [name, value] of Object.entries(found)) {
    const input = control(name);
    if (input && name !== "prompt") input.value = String(name === "minP" && value === null ? 0 : value);
  }
  return true;
}

function showLink(write) {
  const hash = toHash(settings());
  if (write && location.hash !== hash) history.replaceState(null, "", hash);
  linkBox.value = new URL(hash, location.href).href;
}

async function copyLink() {
  showLink(true);
  try {
    await navigator.clipboard.writeText(linkBox.value);
    copyStatus.textContent = labels.linkCopied;
  } catch {
    linkBox.select();
    copyStatus.textContent = labels.linkShown;
  }
}

// Each slider is named by its own label (the label's <output> would otherwise take the label:
// an output is a labelable element too); the output stays quiet, the slider tells its value.
for (const input of root.querySelectorAll("input[type=range]")) {
  const label = input.closest("label");
  input.id = `pg-${input.name}`;
  label.htmlFor = input.id;
  label.querySelector("output").setAttribute("aria-live", "off");
}

function showValues() {
  for (const input of root.querySelectorAll("input[type=range]")) {
    const out = input.closest("label").querySelector("output");
    const off = (input.name === "topK" || input.name === "minP") && Number(input.value) === 0;
    out.textContent = off ? labels.off : input.value;
    input.setAttribute("aria-valuetext", out.textContent); // "off" rather than 0
  }
  const strategy = settings().strategy;
  for (const group of root.querySelectorAll(".pg-group")) group.hidden = group.dataset.for !== strategy;
}

// The live part: chips and the chart follow every keystroke and slider move.
let pending = false;
function refresh() {
  applyHash();
  showValues();
  if (pending) return;
  pending = true;
  requestAnimationFrame(async () => {
    pending = false;
    const s = settings();
    const problem = controlsProblem(s);
    if (problem) {
      showError(new Error(problem));
      $(".pg-chart").replaceChildren();
      renderChips($(".pg-chips"), pocket.tokenizer, pocket.encode(s.prompt));
      return;
    }
    try {
      const { promptIds, probs, kept, vocab } = await pocket.analyse(filterSettings(s));
      clearError();
      renderChips($(".pg-chips"), pocket.tokenizer, promptIds);
      renderChart($(".pg-chart"), pocket.tokenizer, probs);
      $(".pg-kept").textContent = keptText(kept, vocab, s.strategy);
      refreshInside(s.prompt);
    } catch (error) {
      showError(error);
      $(".pg-chart").replaceChildren();
    }
  });
}

// The inside view: inspect() once per prompt (a newer prompt stops an older run), then the
// layer and head pickers only redraw.
let inside = null,
  insidePrompt = null,
  insideRun = 0;

function fillPickers() {
  const options = (n) => Array.from({ length: n }, (_, i) => new Option(String(i), String(i)));
  layerPick.replaceChildren(...options(pocket.config.n_layer));
  headPick.replaceChildren(...options(pocket.config.n_head));
}

async function refreshInside(prompt) {
  if (prompt === insidePrompt) return;
  insidePrompt = prompt;
  const run = ++insideRun;
  await nextTurn(); // a task of its own, after the chart's
  if (run !== insideRun) return;
  const result = await pocket.inspect({ prompt }, { shouldStop: () => run !== insideRun }).catch((error) => {
    if (run === insideRun) showError(error);
    return null;
  });
  if (result === null || run !== insideRun) return;
  inside = { ...result, readable: readableTokens(pocket.tokenizer, result.ids) };
  drawInside();
  lensBox.dataset.prompt = prompt; // for tests: the views show this prompt
}

function drawInside() {
  if (!inside) return;
  const layer = Number(layerPick.value),
    head = Number(headPick.value);
  renderAttention(heatBox, inside.readable, inside.attentions[layer][head], labels, layer, head);
  const alone = (id) => readableTokens(pocket.tokenizer, [id])[0];
  renderLens(lensBox, inside.readable, inside.lens, inside.lensProbs, alone, labels);
}

function keptText(kept, vocab, strategy) {
  if (strategy !== "sample") return fill(labels.noFilters, { n: vocab.toLocaleString() });
  const steps = Object.entries(kept).map(([name, n]) => `${labels[name]} ${n.toLocaleString()}`);
  return fill(labels.kept, { n: vocab.toLocaleString(), steps: steps.length ? steps.join(" → ") : labels.none });
}

async function generate() {
  const s = settings();
  const problem = controlsProblem(s);
  if (problem) {
    showError(new Error(problem));
    return;
  }
  clearError();
  button.disabled = true;
  const newChips = $(".pg-new-chips"),
    text = $(".pg-new-text");
  newChips.replaceChildren();
  text.textContent = "";
  $(".pg-prompt-text").textContent = s.prompt;
  renderBeams($(".pg-beams"), null, labels);
  const started = performance.now();
  try {
    const result = await pocket.generate(s, {
      onToken: (id, ids) => {
        renderChips(newChips, pocket.tokenizer, ids, "pg-chip-new");
        text.textContent = pocket.decode(ids);
        statusText.textContent = fill(labels.generating, { n: ids.length });
      },
      onStep: ({ step }) => {
        statusText.textContent = fill(labels.beamStep, { n: step });
      },
    });
    const seconds = (performance.now() - started) / 1000;
    renderChips(newChips, pocket.tokenizer, result.ids, "pg-chip-new");
    text.textContent = result.text;
    renderBeams($(".pg-beams"), result.beams, labels);
    statusText.textContent = fill(labels.done, {
      n: result.ids.length,
      s: seconds.toFixed(2),
      rate: (result.ids.length / seconds).toFixed(1),
    });
  } catch (error) {
    statusText.textContent = labels.failedGenerate;
    showError(error);
  } finally {
    button.disabled = false;
  }
}

// The reader's own checkpoint: two local files, read here (File.text / File.arrayBuffer), never sent.
const own = document.getElementById("pg-own");
const ownStatus = own.querySelector(".pg-own-status"),
  ownError = own.querySelector(".pg-own-error");

/** A checkpoint problem in the page's language (labels[code]), else the API's own message. */
function localized(error) {
  if (error && error.code && labels[error.code]) return fill(labels[error.code], error.values ?? {});
  return `${labels.badFile}${error.message ?? error}`;
}

function showOwnError(error) {
  ownError.textContent = `${localized(error)} ${labels.keptPrevious}`;
  ownError.hidden = false;
  ownStatus.textContent = "";
}

/** After another model starts running: its layers and heads in the pickers, every view redrawn. */
function modelChanged() {
  fillPickers();
  insidePrompt = null;
  refresh();
}

async function loadOwn() {
  ownError.hidden = true;
  const [configFile] = own.querySelector('[name="pg-config"]').files;
  const [weightsFile] = own.querySelector('[name="pg-weights"]').files;
  if (!configFile || !weightsFile) {
    showOwnError({ code: "needBoth" });
    return;
  }
  ownStatus.textContent = labels.loadingOwn;
  let config;
  try {
    config = JSON.parse(await configFile.text());
  } catch {
    showOwnError({ code: "badJson" });
    return;
  }
  try {
    const loaded = await pocket.loadCheckpoint({ config, weights: await weightsFile.arrayBuffer() });
    ownStatus.textContent = fill(labels.loadedOwn, {
      layers: loaded.n_layer,
      heads: loaded.n_head,
      width: loaded.n_embd,
      m: (loaded.values / 1e6).toFixed(1),
      s: loaded.seconds.toFixed(1),
    });
  } catch (error) {
    showOwnError(error); // in the page's language
  }
}

async function loadPocket() {
  ownError.hidden = true;
  try {
    await pocket.loadPocket();
    ownStatus.textContent = labels.backToPocket;
  } catch (error) {
    showOwnError(error);
  }
}

pocket.ready.then(
  () => {
    const total = files.reduce((sum, [, size]) => sum + size, 0);
    progress.value = 1;
    statusText.textContent = fill(labels.ready, { total: mb(total) });
    button.disabled = false;
    root.dataset.ready = "true";
    root.addEventListener("input", () => {
      showLink(true);
      refresh();
    });
    $(".pg-copy").addEventListener("click", copyLink);
    window.addEventListener("hashchange", () => {
      if (applyHash()) refresh();
    });
    fillPickers();
    layerPick.addEventListener("change", drawInside);
    own.querySelector(".pg-load-own").addEventListener("click", loadOwn);
    own.querySelector(".pg-load-pocket").addEventListener("click", loadPocket);
    headPick.addEventListener("change", drawInside);
    button.addEventListener("click", generate);
    showLink(false);
    refresh();
  },
  (error) => {
    statusText.textContent = labels.failedLoad;
    showError(error);
  },
);
applyHash();
showValues();
