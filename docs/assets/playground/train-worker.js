// The training run, off the page's main thread: the page posts a message, this worker trains
// (train.js) and posts the progress back, so the page keeps scrolling and taking input however long a
// step takes. Between two steps the worker reads its messages, so Pause, Resume, Stop and Reset act
// at the next step's end.
//
//   page -> worker   {type: "start", options}        options: train.js checkTrainOptions' result, the
//                                                     text already tokenized into options.ids
//                    {type: "pause"} {type: "resume"} {type: "stop"} (end now, keep the model)
//                    {type: "reset"}                  (end now, drop the run)
//                    {type: "gradients", config, weights, ids, simd}
//   worker -> page   {type: "progress", step, steps, loss, lr, seconds, tokensPerSecond}
//                    {type: "eval", step, seconds, heldOutLoss, prompt, sample}
//                    {type: "done", losses, heldOut, tokensPerSecond, seconds, steps, checkpoint}
//                    {type: "gradients", loss, grads, simd}
//                    {type: "error", message, code, values}   (train-messages.js: the page says it again)
// Reference: the HTML standard's dedicated workers (postMessage, transferable ArrayBuffers).

import { readSafetensors } from "./safetensors.js";
import { checkTrainConfig, headKernels, Trainer, weightsFromTensors, windowGradients } from "./train.js";

let current = null; // the run in progress: {trainer, o, paused, stop, wake, active}

const turn = () => new Promise((resolve) => setTimeout(resolve, 0)); // let the messages in

self.onmessage = ({ data }) => {
  try {
    if (data.type === "start") start(data.options);
    else if (data.type === "gradients") gradients(data);
    else if (current && data.type === "pause") current.paused = true;
    else if (current && data.type === "resume") {
      current.paused = false;
      current.wake?.();
    } else if (current && data.type === "stop") {
      current.stop = true;
      current.wake?.();
    } else if (data.type === "reset") {
      const run = current;
      current = null;
      run?.wake?.();
      self.postMessage({ type: "reset" });
    }
  } catch (error) {
    self.postMessage({ type: "error", message: error.message, code: error.code, values: error.values });
  }
};

function gradients({ config, weights, ids, simd }) {
  const c = checkTrainConfig(config, config?.vocab_size);
  const params = weightsFromTensors(c, readSafetensors(weights).tensors);
  const head = headKernels(c, simd); // the head as training runs it: WebAssembly SIMD, or plain JS
  const { loss, grads } = windowGradients(params, c, ids, true, head);
  self.postMessage(
    { type: "gradients", loss, grads, simd: head !== null },
    Object.values(grads).map((g) => g.buffer),
  );
}

function start(o) {
  const tensors = o.weights === undefined ? null : readSafetensors(o.weights).tensors;
  const run = { trainer: new Trainer(o, tensors), o, paused: false, stop: false, wake: null, active: 0 };
  current = run;
  loop(run).catch((error) => {
    if (current === run)
      self.postMessage({ type: "error", message: error.message, code: error.code, values: error.values });
  });
}

async function loop(run) {
  const { trainer, o } = run;
  const heldOut = [];
  let since = performance.now(),
    timedTokens = 0,
    timedSeconds = 0,
    speed = null,
    evaluations = 0;
  // Seconds of training so far, pauses left out (the clock of a run stopped by seconds).
  const tick = () => {
    const now = performance.now();
    if (!run.paused) run.active += (now - since) / 1000;
    since = now;
  };
  const evaluation = (final) => {
    evaluations += 1;
    const loss = trainer.evaluate(final);
    const entry = {
      step: trainer.step,
      seconds: run.active,
      heldOutLoss: loss,
      prompt: trainer.prompt ?? [],
      sample: trainer.sample(),
    };
    if (loss !== null) heldOut.push({ step: trainer.step, loss });
    self.postMessage({ type: "eval", ...entry });
  };
  evaluation(false); // step 0: the untrained model's held-out loss and sample
  for (;;) {
    await turn();
    if (current !== run) return; // reset
    if (run.paused && !run.stop) {
      tick();
      await new Promise((resolve) => (run.wake = resolve));
      run.wake = null;
      since = performance.now();
      continue;
    }
    tick();
    const stepsDone = o.steps !== undefined && trainer.step >= o.steps;
    const timeUp = o.seconds !== undefined && trainer.step > 0 && run.active >= o.seconds;
    if (stepsDone || timeUp || run.stop) break;
    // how far past warm-up: by steps, else by the time budget (loop.py)
    const progress =
      o.steps !== undefined ? (trainer.step - o.warmup) / Math.max(1, o.steps - o.warmup) : run.active / o.seconds;
    const started = performance.now();
    const { loss, lr, tokens } = trainer.takeStep(progress);
    if (trainer.step > 1) {
      // the first step warms up, as in loop.py: not timed
      timedTokens += tokens;
      timedSeconds += (performance.now() - started) / 1000;
      speed = timedTokens / timedSeconds;
    }
    tick();
    self.postMessage({
      type: "progress",
      step: trainer.step,
      steps: o.steps ?? null,
      loss,
      lr,
      seconds: run.active,
      tokensPerSecond: speed,
    });
    const due =
      o.evalEvery === null
        ? run.active >= (evaluations * o.seconds) / 10 // every tenth of the seconds
        : trainer.step % o.evalEvery === 0 && trainer.step !== o.steps;
    if (due && !(o.seconds !== undefined && run.active >= o.seconds)) evaluation(false);
  }
  evaluation(true);
  tick();
  const checkpoint = trainer.checkpoint();
  current = null;
  self.postMessage(
    {
      type: "done",
      losses: trainer.losses,
      heldOut,
      tokensPerSecond: speed,
      seconds: run.active,
      steps: trainer.step,
      checkpoint,
    },
    [checkpoint.weights],
  );
}
