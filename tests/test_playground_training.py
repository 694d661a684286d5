"""Training in the playground (docs/assets/playground/train.js, train-worker.js, pocket-train.js) equals
gpt2guide.train.

Headless Chromium (tests/browser_support.py) opens /en/playground/ and drives `window.pocket`:

* `pocket.gradients` gives autograd's gradient for every parameter, and gpt2guide.backward's, within a
  relative 1e-4 (the tied embedding once, both paths summed), computed in the training worker as
  training computes it: the head in WebAssembly SIMD (simd-train.js, float32), at GPT-2's own
  vocabulary too, and in plain JS;
* one training step (schedule, clipping at 1.0, AdamW with weight decay on the matrices only) moves
  every parameter as one step of `gpt2guide.train` does, from the same initial weights on the same batch;
* 20 steps from the same initial weights on the same batches give `gpt2guide.train`'s losses within a
  relative 1e-3;
* a text run's checkpoint (config.json + model.safetensors, as the download button writes it) loads
  with `gpt2guide.load(folder)` and gives the page's next-token probabilities; afterwards the page runs
  the trained model, and the pocket model is one call away;
* bad options reject with a message naming the option, in the page's language, and the page keeps
  working; a run pauses, resumes and resets.
Tiny shapes (vocabulary 50 for the id runs), so the module takes seconds.
"""

from __future__ import annotations

import base64
import json
import shutil

import pytest
import torch
from browser_support import Visit, open_visit

pytestmark = pytest.mark.browser

LOAD_TIMEOUT_MS = 120_000
# The model: the head runs in WebAssembly SIMD (simd-train.js) unless a run passes simd: false (the
# plain-JS head of browsers without it); vocabulary, batch and context of odd sizes, so no axis hides
# another (the SIMD kernels pad the vocabulary to 4 and the rows to groups of 4).
SHAPE = dict(layers=2, heads=2, width=16, context=8)
SHAPE_PLAIN_JS = dict(layers=2, heads=2, width=12, context=8)
VOCAB = 50
BATCH = 3
STEPS = 20
JS_HELPERS = """
window.__fromB64 = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
window.__toB64 = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (let i = 0; i < bytes.length; i += 32768) text += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
    return btoa(text);
};
"""


@pytest.fixture(scope="module")
def tab(browser, site_url):
    """One tab on /en/playground/, the pocket model loaded, shared by the module; requests that would
    leave the machine are aborted and recorded (browser_support.open_visit)."""
    with open_visit(browser, site_url, locale="en-US") as recorded:
        recorded.page.set_default_timeout(LOAD_TIMEOUT_MS)
        recorded.page.context.add_init_script(JS_HELPERS)
        recorded.open("/en/playground/")
        recorded.page.wait_for_function("window.pocket !== undefined", timeout=LOAD_TIMEOUT_MS)
        recorded.page.evaluate("() => pocket.ready.then(() => true)")
        yield recorded
        recorded.check()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _safetensors_bytes(model) -> bytes:
    from safetensors.torch import save

    return save({name: p.detach().contiguous() for name, p in model.named_parameters()})


def _config(model) -> dict:
    c = model.config
    return {"n_layer": c.n_layer, "n_head": c.n_head, "n_embd": c.n_embd, "n_positions": c.n_positions,
            "vocab_size": c.vocab_size}


TRAIN_JS = """async (a) => {
    const r = await pocket.train({...a.options, weights: a.weights ? __fromB64(a.weights) : undefined});
    return {losses: r.losses, heldOutLosses: r.heldOutLosses, steps: r.steps, config: r.checkpoint.config,
            weights: __toB64(r.checkpoint.weights), samples: r.samples, tokensPerSecond: r.tokensPerSecond};
}"""


def _stream(n: int, seed: int) -> list[int]:
    """Token ids with something to learn: a random sequence of 10 ids repeated, with noise."""
    generator = torch.Generator().manual_seed(seed)
    pattern = torch.randint(0, VOCAB, (10,), generator=generator)
    ids = pattern.repeat(n // 10 + 1)[:n]
    noise = torch.rand(n, generator=generator) < 0.2
    ids[noise] = torch.randint(0, VOCAB, (int(noise.sum()),), generator=generator)
    return ids.tolist()


def _python_run(steps: int, seed: int = 0, shape: dict = SHAPE, **options):
    """gpt2guide.train on a token stream, and what lines the page up with it: the initial weights
    (fresh_model of the same shape and seed) and the batches (data.prepare, the run's generator)."""
    from gpt2guide.train import data as data_module
    from gpt2guide.train import train
    from gpt2guide.train.config import fresh_model, shape_of

    stream = _stream(400, seed)
    run = train(ids=[stream], vocab_size=VOCAB, **shape, steps=steps, batch_size=BATCH, seed=seed, quiet=True,
                eval_every=10_000, sample_tokens=1, **options)
    sizes = shape_of("tiny", **shape)
    initial = fresh_model(sizes, vocab_size=VOCAB, seed=seed)
    prepared = data_module.prepare(None, ids=[stream], held_out=None, vocab_size=VOCAB, context=sizes.n_positions,
                                   tokenizer=None)
    generator = torch.Generator().manual_seed(seed)  # loop.py: the batches' random source
    batches = [prepared.batch(BATCH, generator)[0].tolist() for _ in range(steps)]  # (ids, no loss mask)
    return run, initial, batches


def _page_run(tab: Visit, initial, batches, **options) -> dict:
    return tab.page.evaluate(TRAIN_JS, {"weights": _b64(_safetensors_bytes(initial)), "options": {
        "config": _config(initial), "batches": batches, **options}})


GRADIENTS_JS = """async (a) => {
    const r = await pocket.gradients({config: a.config, weights: __fromB64(a.weights), ids: a.ids, simd: a.simd});
    return {loss: r.loss, simd: r.simd,
            grads: Object.fromEntries(Object.entries(r.grads).map(([n, g]) => [n, __toB64(g.buffer)]))};
}"""


@pytest.mark.parametrize(("simd", "vocab"), [(True, VOCAB), (False, VOCAB), (True, 50257)],
                         ids=["simd", "plain-js", "simd-gpt2-vocabulary"])
def test_gradients_equal_autograd(tab: Visit, simd, vocab) -> None:
    """pocket.gradients (in the worker, the head as training runs it) gives every parameter's autograd
    gradient, and gpt2guide.backward's (the backward pass chapter 6 writes out), within a relative 1e-4;
    at GPT-2's 50,257 tokens the float32 sums run over the whole vocabulary."""
    from gpt2guide.backward import gradients, relative_difference
    from gpt2guide.train.config import fresh_model, shape_of

    model = fresh_model(shape_of("tiny", **SHAPE), vocab_size=vocab, seed=3)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():  # no layer norm left at exactly 1 and 0
        for p in model.parameters():
            p += 0.1 * torch.randn(p.shape, generator=generator)
    ids = torch.randint(0, vocab, (BATCH, 7), generator=generator)
    loss = model(ids, labels=ids).loss
    loss.backward()
    found = tab.page.evaluate(GRADIENTS_JS, {"config": _config(model), "weights": _b64(_safetensors_bytes(model)),
                                             "ids": ids.tolist(), "simd": simd})
    assert found["simd"] is simd  # headless Chromium has WebAssembly SIMD: the kernels ran, or were asked not to
    names = [name for name, _ in model.named_parameters()]
    assert sorted(found["grads"]) == sorted(names)
    mine = {name: torch.frombuffer(bytearray(base64.b64decode(found["grads"][name])), dtype=torch.float32).view(p.shape)
            for name, p in model.named_parameters()}
    autograd = {name: p.grad for name, p in model.named_parameters()}
    for reference in (autograd, gradients(model, ids)):
        difference = relative_difference(mine, reference)  # the worst parameter's max|a - b| / max|b|
        assert difference < 1e-4, f"relative {difference:.2e}"
    assert found["loss"] == pytest.approx(loss.item(), rel=1e-5)


KERNELS_JS = """async () => {
    const assets = new URL(document.getElementById("pocket-playground").dataset.assets, location.href);
    const { simdTrainHead, MODULE_FUSED } = await import(new URL("simd-train.js", assets));
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const V = 103, d = 12, R = 7;  // an odd vocabulary, rows not a multiple of 4
    const wte = Float32Array.from({length: V * d}, random), f = Float32Array.from({length: R * d}, random);
    const g = Float32Array.from({length: R * V}, random);
    const found = [];
    for (const fused of [false, true]) {
        const k = simdTrainHead(V, d, 8, {fused});
        k.wte.set(wte);
        k.pack(f, 0, R);
        k.logitsOf(R);
        let logits = 0, dF = 0, dHead = 0;
        for (let r = 0; r < R; r++) for (let t = 0; t < V; t++) {
            let sum = 0;
            for (let c = 0; c < d; c++) sum += f[r * d + c] * wte[t * d + c];
            logits = Math.max(logits, Math.abs(k.logits[r * k.stride + t] - sum));
            k.logits[r * k.stride + t] = g[r * V + t];
        }
        k.dHead.fill(0);
        k.dF.fill(0);
        k.backward(0, 50, R);  // two blocks of tokens, as train.js passes them
        k.backward(50, V, R);
        const mine = new Float64Array(R * d);
        k.unpackAdd(mine, 0, R);
        for (let r = 0; r < R; r++) for (let c = 0; c < d; c++) {
            let sum = 0;
            for (let t = 0; t < V; t++) sum += g[r * V + t] * wte[t * d + c];
            dF = Math.max(dF, Math.abs(mine[r * d + c] - sum));
        }
        for (let t = 0; t < V; t++) for (let c = 0; c < d; c++) {
            let sum = 0;
            for (let r = 0; r < R; r++) sum += g[r * V + t] * f[r * d + c];
            dHead = Math.max(dHead, Math.abs(k.dHead[t * d + c] - sum));
        }
        found.push({fused: k.fused, logits, dF, dHead});
    }
    return {found, relaxed: WebAssembly.validate(MODULE_FUSED)};
}"""


def test_the_head_kernels_with_and_without_fused_multiply_add(tab: Visit) -> None:
    """simd-train.js's logits and head backward equal a double-precision sum to float32 rounding, both
    with relaxed SIMD's multiply-add (where the browser has it, as Chromium does) and without it."""
    result = tab.page.evaluate(KERNELS_JS)
    assert result["relaxed"] is True
    assert [entry["fused"] for entry in result["found"]] == [False, True]
    for entry in result["found"]:  # sums of 12 (logits), 103 (dF) and 7 (dHead) products of values below 0.5
        assert entry["logits"] < 1e-6 and entry["dF"] < 1e-5 and entry["dHead"] < 1e-6, entry


def test_one_step_equals_gpt2guide_train(tab: Visit) -> None:
    """One step (warm-up rate, clipping at 1.0, AdamW with decay on matrices only) moves every parameter
    as gpt2guide.train's first step does, within a relative 1e-3 of the largest move, wherever the
    gradient is above rounding noise."""
    from safetensors.torch import load

    run, initial, batches = _python_run(1, seed=1, shape=SHAPE_PLAIN_JS)
    found = _page_run(tab, initial, batches, simd=False)  # the plain-JS head
    assert found["losses"] == pytest.approx(run.losses, rel=1e-5)
    after = load(base64.b64decode(found["weights"]))
    trained = dict(run.model.named_parameters())
    gradients = _clipped_gradients(initial, batches[0])
    worst, kept, total = [], 0, 0
    for name, p in initial.named_parameters():
        moved = (trained[name] - p).detach().flatten()
        mine = after[name].flatten() - p.detach().flatten()
        # AdamW's first step moves an element by lr g / (|g| + 1e-8): where |g| is within a hundred
        # times that 1e-8, float32 rounding noise in g (a different order of sums on each side, about
        # 1e-11) moves it by more than 1e-3 of lr. The key bias's gradient is all such noise: the
        # softmax ignores the q·b it adds to every score of a query.
        keep = gradients[name].abs() > NOISE_GRADIENT
        kept, total = kept + int(keep.sum()), total + keep.numel()
        difference = (mine[keep] - moved[keep]).abs().max() / moved.abs().max()
        worst.append((difference.item(), name))
    assert kept > 0.95 * total, (kept, total)  # the comparison covers nearly every element
    assert max(worst)[0] < 1e-3, max(worst)


NOISE_GRADIENT = 100 * 1e-8  # a hundred times AdamW's eps


def _clipped_gradients(initial, batch: list) -> dict:
    """The first step's gradient of every parameter as gpt2guide.train computes it, clipped at 1.0."""
    import copy

    from gpt2guide.train import evaluate

    model = copy.deepcopy(initial).train()
    evaluate.lm_loss(model, torch.tensor(batch)).backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    return {name: p.grad.flatten() for name, p in model.named_parameters()}


def test_twenty_steps_equal_gpt2guide_train(tab: Visit) -> None:
    """20 steps from the same initial weights on the same batches: gpt2guide.train's losses within 1e-3."""
    run, initial, batches = _python_run(STEPS, seed=0)
    found = _page_run(tab, initial, batches)  # the SIMD head (one_step above runs the plain-JS one)
    assert found["steps"] == STEPS
    assert run.losses[-1] < run.losses[0] - 0.5  # the run learns something, so the comparison means something
    for step, (mine, python) in enumerate(zip(found["losses"], run.losses, strict=True)):
        assert mine == pytest.approx(python, rel=1e-3), f"step {step}: page {mine}, gpt2guide.train {python}"


def test_text_run_checkpoint_loads_in_python(tab: Visit, tmp_path) -> None:
    """A text run: its checkpoint loads with gpt2guide.load and gives the page's probabilities; the
    page runs the trained model until loadPocket."""
    import gpt2guide
    from gpt2guide.constants import POCKET_DIR
    from gpt2guide.decoding import encode, next_token_logits
    from gpt2guide.pocket.held_out import held_out_text

    text = held_out_text()[:6000]
    options = {"text": text, "config": {"n_layer": 1, "n_head": 2, "n_embd": 16, "n_positions": 16},
               "steps": 3, "batchSize": 2, "evalTokens": 64, "sampleTokens": 4}
    found = tab.page.evaluate(TRAIN_JS, {"weights": None, "options": options})
    assert len(found["losses"]) == 3 and found["heldOutLosses"], found["heldOutLosses"]
    assert len(found["samples"][-1]["ids"]) == 4
    try:
        assert tab.page.evaluate("() => pocket.checkpoint") == "own"
        (tmp_path / "config.json").write_text(json.dumps(found["config"]), encoding="utf-8")
        (tmp_path / "model.safetensors").write_bytes(base64.b64decode(found["weights"]))
        for name in ("vocab.json", "merges.txt"):  # the page links the tokenizer's files beside the download
            shutil.copy(POCKET_DIR / name, tmp_path / name)
        model, tokenizer = gpt2guide.load(tmp_path)
        assert model.config.n_layer == 1 and model.config.n_embd == 16
        prompt = "It is a truth"
        expected = next_token_logits(model, encode(tokenizer, prompt)).softmax(-1)
        probs = torch.tensor(tab.page.evaluate("async (p) => Array.from(await pocket.distribution({prompt: p}))",
                                                prompt))
        assert (probs.log() - expected.log()).abs().max().item() < 1e-4  # near-uniform: compare log-probabilities
    finally:
        tab.page.evaluate("() => pocket.loadPocket().then(() => true)")
    assert tab.page.evaluate("() => pocket.checkpoint") == "pocket"


@pytest.mark.parametrize(("options", "argument"), [
    ({"ids": [1, 2, 3], "config": {"n_layer": 1, "n_head": 1, "n_embd": 8, "n_positions": 4}}, "steps"),
    ({"ids": [1, 2, 3], "steps": 0, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8, "n_positions": 4}}, "steps"),
    ({"text": "", "steps": 1, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8, "n_positions": 4}}, "text"),
    ({"text": "Hi", "steps": 1, "config": {"n_layer": 1, "n_head": 3, "n_embd": 8, "n_positions": 4}}, "config"),
    ({"text": "Hi", "steps": 1, "config": {"n_layer": 48, "n_head": 25, "n_embd": 1600, "n_positions": 4}}, "config"),
    ({"text": "Hi", "steps": 1, "lr": -1, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8, "n_positions": 4}},
     "lr"),
    ({"text": "Hi there, how are you?", "steps": 1, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8,
                                                               "n_positions": 64}}, "text"),  # too short
    ({"ids": [1, 99], "steps": 1, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8, "n_positions": 4,
                                             "vocab_size": 50}}, "ids"),
    ({"text": "Hi", "steps": 1, "batchsize": 2, "config": {"n_layer": 1, "n_head": 1, "n_embd": 8,
                                                           "n_positions": 4}}, "batchsize"),
])
def test_bad_options_reject_and_the_page_keeps_working(tab: Visit, options, argument) -> None:
    message = tab.page.evaluate("(o) => pocket.train(o).then(() => null, (e) => e.message)", options)
    assert message is not None and message.startswith(argument), message
    assert tab.page.evaluate("() => pocket.training") is False
    ids = tab.page.evaluate("() => pocket.generate({prompt: 'It', maxNewTokens: 2}).then((r) => r.ids)")
    assert len(ids) == 2


def test_bad_options_reject_in_japanese_on_the_japanese_page(browser, site_url) -> None:
    """On / (the Japanese page) the same rejection names the option, then says the rest in です/ます."""
    context = browser.new_context(locale="ja-JP")
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    try:
        p = context.new_page()
        p.goto(site_url + "/playground/", wait_until="load")
        p.wait_for_function("window.pocket !== undefined && window.pocket.train !== undefined")
        assert p.evaluate("document.documentElement.lang") == "ja"
        options = {"text": "Hi", "steps": 1, "config": {"n_layer": 1, "n_head": 3, "n_embd": 8, "n_positions": 4}}
        message = p.evaluate("(o) => pocket.train(o).then(() => null, (e) => e.message)", options)
        assert message == "config: n_embd 8 は n_head 3 で割り切れません。別の幅を選んでください。"
        message = p.evaluate("() => pocket.gradients({weights: 1}).then(() => null, (e) => e.message)")
        assert message == "weights: ArrayBuffer を渡してください。"
        assert p.evaluate("() => pocket.training") is False
    finally:
        context.close()


def test_pause_resume_and_reset(tab: Visit) -> None:
    """A run by seconds pauses (no step while paused), resumes, and a reset ends it with a rejection."""
    p = tab.page
    p.evaluate("""() => {
        window.__steps = [];
        window.__run = pocket.train({ids: Array.from({length: 300}, (_, i) => (i * 7) % 50),
            config: {n_layer: 1, n_head: 2, n_embd: 8, n_positions: 8, vocab_size: 50}, seconds: 60, batchSize: 2},
            {onProgress: (m) => __steps.push(m.step)}).then(() => "done", (e) => e.message);
        return true;
    }""")
    p.wait_for_function("__steps.length >= 3")
    assert p.evaluate("() => pocket.training") is True
    p.evaluate("() => pocket.pauseTraining()")
    p.wait_for_timeout(300)  # a step in flight ends; then none
    paused_at = p.evaluate("() => __steps.length")
    p.wait_for_timeout(500)
    assert p.evaluate("() => __steps.length") == paused_at
    p.evaluate("() => pocket.resumeTraining()")
    p.wait_for_function("(n) => __steps.length > n + 2", arg=paused_at)
    p.evaluate("() => pocket.resetTraining()")
    assert p.evaluate("() => __run") == "train: the run was reset"
    assert p.evaluate("() => pocket.training") is False
    assert p.evaluate("() => pocket.checkpoint") == "pocket"


LONG_TASK_MS = 200  # no main-thread task longer while training (the worker does the work)
ATTEMPTS = 3  # runs tried on a busy machine; the best counts
LONG_TASKS = """window.__long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); })
  .observe({type: "longtask"});"""


@pytest.mark.alone  # it times the tab's longest task: a busy core next to it would be timed too
@pytest.mark.parametrize(("path", "done", "not_multiple"), [("/en/playground/", "Done:", "not a multiple"),
                                                            ("/playground/", "終わりました", "割り切れません")])
def test_the_train_part_trains_and_offers_the_files(browser, site_url, path, done, not_multiple) -> None:
    """Start on a preset with a tiny size: the loss curve, the samples, tokens per second, the files to
    download; the page then runs the trained model, and the pocket model is one click away. No
    main-thread task over 200 ms while it trains (the worker does the work)."""
    context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    try:
        p = context.new_page()
        errors = []
        p.on("pageerror", lambda error: errors.append(str(error)))
        p.goto(site_url + path, wait_until="load")
        p.wait_for_function("document.getElementById('pg-train').dataset.ready === 'true'")
        for name, value in (("trainLayers", "1"), ("trainWidth", "8"), ("trainHeads", "2"), ("trainContext", "8"),
                            ("trainBatch", "2"), ("trainSeconds", "2")):
            p.fill(f"input[name={name}]", value)
        p.fill("input[name=trainHeads]", "3")  # 8 is not a multiple of 3: said in the page's language
        p.click(".pg-train-start")
        p.locator(".pg-train-error").wait_for(state="visible")
        assert not_multiple in p.inner_text(".pg-train-error")
        p.fill("input[name=trainHeads]", "2")
        p.evaluate(LONG_TASKS)
        p.focus(".pg-train-start")
        p.keyboard.press("Enter")  # the keyboard starts it
        p.wait_for_function("document.querySelector('.pg-train-samples li') !== null")
        p.wait_for_function("(d) => document.querySelector('.pg-train-status').textContent.includes(d)", arg=done)
        longest = max([0, *p.evaluate("window.__long")])
        assert p.locator(".pg-train-curve polyline").count() == 2  # training and held-out
        assert "tokens" in p.inner_text(".pg-train-status") or "トークン" in p.inner_text(".pg-train-status")
        links = p.locator(".pg-train-files a")
        assert [links.nth(i).get_attribute("download") for i in range(links.count())] == [
            "config.json", "model.safetensors", "vocab.json", "merges.txt"]
        assert p.evaluate("() => pocket.checkpoint") == "own" and p.evaluate("() => pocket.config.n_embd") == 8
        assert p.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
        runs = [round(longest)]
        while longest > LONG_TASK_MS and len(runs) < ATTEMPTS:  # a busy machine: again (the best run counts,
            p.evaluate("window.__long = []")  # as in test_playground's long-task test)
            p.click(".pg-train-start")
            p.wait_for_function("document.getElementById('pg-train').dataset.state === 'idle'")
            longest = max([0, *p.evaluate("window.__long")])
            runs.append(round(longest))
        p.click(".pg-train-pocket")
        p.wait_for_function("pocket.checkpoint === 'pocket'")
        assert not errors, errors
        assert min(runs) <= LONG_TASK_MS, f"the longest main-thread task while training, ms, per run: {runs}"
    finally:
        context.close()
