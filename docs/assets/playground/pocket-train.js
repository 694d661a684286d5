// Training on window.pocket: the page's side of the training worker (train-worker.js).
//
//   pocket.train({text | ids | batches, config, weights, steps | seconds, seed, batchSize, lr, minLr,
//                 warmup, weightDecay, gradClip, evalEvery, evalTokens, heldOut, prompt, sampleTokens},
//                {onProgress, onEval})
//       -> Promise<{losses, heldOutLosses, tokensPerSecond, seconds, steps, samples, checkpoint: {config, weights}}>
//       config: {n_layer, n_head, n_embd, n_positions (, vocab_size for ids)}; weights: the initial
//       weights, an ArrayBuffer of a model.safetensors (else random, seeded); batches: [step][row][token],
//       the batches themselves (a run lined up with gpt2guide.train's). A text model (GPT-2's vocabulary)
//       then runs the page: generate, distribution and inspect use it, as after loadCheckpoint.
//   pocket.pauseTraining(), resumeTraining(), stopTraining() (end now, keep the model), resetTraining()
//   pocket.gradients({config, weights, ids, simd}) -> Promise<{loss, grads, simd}>   (train.js's
//       windowGradients, in the worker: the head in WebAssembly SIMD where the browser has it, unless
//       simd is false; the result's simd says which ran)
// A bad option rejects the Promise with a message naming it, in the page's language
// (train-messages.js); the page keeps working.

import { fail, inLanguage } from "./train-messages.js";
import { checkTrainOptions, splitText } from "./train.js";
import { nextTurn } from "./yield.js";

const SLICE_CHARACTERS = 1000; // text encoded between two turns of the browser (a few ms)

/** An error in the page's language (train-messages.js; the page's <html lang>). */
const said = (error) => inLanguage(error, globalThis.document?.documentElement.lang ?? "en");

/** The worker's error message again as an Error: its code and values came along, so it can be said again. */
function workerError({ message, code, values }) {
  const error = new Error(message);
  if (code) Object.assign(error, { code, values });
  return said(error);
}

/** Add train, gradients and the run's controls to the API createPocket made. */
export function addTraining(api) {
  let run = null; // {worker, resolve, reject, hooks}

  const newWorker = () => new Worker(new URL("./train-worker.js", import.meta.url), { type: "module" });

  let preparing = false; // a text being tokenized for a run about to start

  api.train = async (options = {}, hooks = {}) => {
    if (run || preparing) throw said(fail("running"));
    let o;
    try {
      o = checkTrainOptions(options);
    } catch (error) {
      throw said(error); // in the page's language
    }
    if (o.text !== undefined) {
      preparing = true;
      try {
        await api.ready;
        const [train, held] = splitText(o.text); // the end held out before tokenizing, as data.py
        o.ids = await encodeInSlices(api, train);
        if (o.heldOut === undefined) o.heldOut = await encodeInSlices(api, held);
      } finally {
        preparing = false;
      }
      o.text = undefined;
      if (o.ids.length < o.config.n_positions + 1)
        throw said(fail("tooShort", { n: o.ids.length, window: o.config.n_positions + 1 }));
    }
    const worker = newWorker();
    const result = new Promise((resolve, reject) => {
      run = { worker, resolve, reject, hooks, samples: [] };
    });
    const mine = run;
    worker.onmessage = ({ data }) => message(mine, data);
    worker.onerror = (event) => {
      event.preventDefault();
      finish(mine, fail("workerFailed", { call: "train", why: event.message ?? "no module workers?" }));
    };
    worker.postMessage({ type: "start", options: o });
    return result;
  };

  function finish(mine, error, value) {
    if (run !== mine) return;
    run = null;
    mine.worker.terminate();
    if (error) mine.reject(said(error));
    else mine.resolve(value);
  }

  async function message(mine, data) {
    if (run !== mine) return;
    if (data.type === "progress") mine.hooks.onProgress?.(data);
    else if (data.type === "eval") {
      mine.samples.push({ step: data.step, ids: data.sample });
      mine.hooks.onEval?.(data);
    } else if (data.type === "error") finish(mine, workerError(data));
    else if (data.type === "reset") finish(mine, fail("reset"));
    else if (data.type === "done") {
      const result = {
        losses: data.losses,
        heldOutLosses: data.heldOut,
        tokensPerSecond: data.tokensPerSecond,
        seconds: data.seconds,
        steps: data.steps,
        samples: mine.samples,
        checkpoint: data.checkpoint,
      };
      try {
        // A model of GPT-2's vocabulary runs the page afterwards, as a loaded checkpoint does.
        if (data.checkpoint.config.vocab_size === 50257) await api.loadCheckpoint(data.checkpoint);
      } catch (error) {
        return finish(mine, error);
      }
      finish(mine, null, result);
    }
  }

  const send = (type) => () => {
    if (!run) return false;
    run.worker.postMessage({ type });
    return true;
  };
  api.pauseTraining = send("pause");
  api.resumeTraining = send("resume");
  api.stopTraining = send("stop");
  api.resetTraining = send("reset");
  Object.defineProperty(api, "training", { get: () => run !== null });

  api.gradients = ({ config, weights, ids, simd = true } = {}) => {
    if (!(weights instanceof ArrayBuffer)) return Promise.reject(said(fail("weightsArrayBuffer")));
    if (!Array.isArray(ids) || ids.length === 0 || !Array.isArray(ids[0]))
      return Promise.reject(said(fail("gradientIds")));
    if (typeof simd !== "boolean") return Promise.reject(said(fail("simd", { got: String(simd) })));
    const worker = newWorker();
    return new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => {
        worker.terminate();
        if (data.type === "error") reject(workerError(data));
        else resolve({ loss: data.loss, grads: data.grads, simd: data.simd });
      };
      worker.onerror = (event) => {
        event.preventDefault();
        worker.terminate();
        reject(said(fail("workerFailed", { call: "gradients", why: event.message })));
      };
      worker.postMessage({ type: "gradients", config, weights, ids, simd });
    });
  };
  return api;
}

/**
 * The tokens of a long text, a slice at a time (the browser gets a turn between slices). A slice
 * ends where a word begins after one space (a non-space, a space, a non-space): GPT-2's pre-tokenizer
 * always cuts there, so the slices' tokens joined are the whole text's.
 */
export async function encodeInSlices(api, text) {
  const ids = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + SLICE_CHARACTERS);
    if (end < text.length) {
      const rest = text.slice(end).search(/\S \S/);
      end = rest < 0 ? text.length : end + rest + 1;
    }
    for (const id of api.encode(text.slice(start, end))) ids.push(id);
    start = end;
    if (start < text.length) await nextTurn();
  }
  return ids;
}
