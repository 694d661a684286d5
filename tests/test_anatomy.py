"""gpt2guide.anatomy: GPT-2's forward pass by hand equals transformers, step by step and as a whole.

On the pocket model and on random-weight GPT-2 configs of several shapes (layers, width, heads,
n_inner, a config option that changes the attention scale), batch 1 and batch > 1. The largest
difference between ``anatomy.body`` and ``last_hidden_state`` per config is printed (``-s``) and
written to ``BODY_DIFFERENCES`` for the report.
"""

from __future__ import annotations

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2Model

from gpt2guide import anatomy
from gpt2guide.validation import WrongType, WrongValue

TOL = 2e-5  # float32: hidden states after ln_f are of size ~1-10, their last place ~1e-6
REL = 5e-6  # the residual stream grows with depth (values of 40 in 12 layers): compare relative to its size


def close(mine: torch.Tensor, theirs: torch.Tensor) -> bool:
    """Equal up to float32 rounding: the largest difference within REL of the largest value (or TOL)."""
    return (mine - theirs).abs().max().item() <= max(TOL, REL * theirs.abs().max().item())

# (name, config overrides): shapes unlike the pocket model's (4 layers, 120 wide, 4 heads).
CONFIGS = {
    "1 layer, 16 wide, 1 head": dict(n_layer=1, n_embd=16, n_head=1),
    "3 layers, 48 wide, 6 heads": dict(n_layer=3, n_embd=48, n_head=6),
    "2 layers, 64 wide, 8 heads, n_inner 100": dict(n_layer=2, n_embd=64, n_head=8, n_inner=100),
    "6 layers, 96 wide, 3 heads, scale by 1/(layer+1)": dict(n_layer=6, n_embd=96, n_head=3,
                                                            scale_attn_by_inverse_layer_idx=True),
    "2 layers, 32 wide, 4 heads, eps 1e-3": dict(n_layer=2, n_embd=32, n_head=4, layer_norm_epsilon=1e-3),
    "gpt2's shape: 12 layers, 768 wide, 12 heads": dict(n_layer=12, n_embd=768, n_head=12),
}
BODY_DIFFERENCES: dict[str, float] = {}


def random_model(seed: int, **overrides) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=500, n_positions=64, bos_token_id=0, eos_token_id=0,
                        attn_implementation="eager", **overrides)
    model = GPT2LMHeadModel(config).eval()
    # Wider weights than the initialiser's (std 0.02) and non-trivial norms and biases, so errors would show;
    # the weights' scale falls with the width, so that activations keep a similar size in every shape.
    std = 1.2 / config.n_embd ** 0.5
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
                p.copy_(1 + 0.3 * torch.randn_like(p))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn_like(p))
            else:
                p.copy_(std * torch.randn_like(p))
    return model


@pytest.fixture(scope="module")
def eager_pocket(pocket):
    import copy

    model = copy.deepcopy(pocket[0])
    model.set_attn_implementation("eager")
    return model, pocket[1]


def pocket_ids(tokenizer):
    texts = ["I can't forget you, for", "She was not at all sure of"]
    return tokenizer(texts, return_tensors="pt").input_ids  # (2, 7): both texts are 7 tokens


def check_against_transformers(model, ids, label):
    with torch.no_grad():
        out = model(ids, output_hidden_states=True, output_attentions=True, use_cache=True)
    mine = anatomy.body(model, ids)
    difference = (mine - out.hidden_states[-1]).abs().max().item()
    BODY_DIFFERENCES[label] = difference
    print(f"\nanatomy.body vs last_hidden_state, {label}, batch {ids.shape[0]}: max |diff| {difference:.2e}")
    assert difference < TOL
    assert torch.equal(anatomy.embed(model, ids), out.hidden_states[0])
    states = anatomy.block_outputs(model, ids)
    n_layer = model.config.n_layer
    assert len(states) == n_layer + 1 == len(out.hidden_states)
    for layer in range(1, n_layer):  # transformers' last entry is after ln_f; ours is before
        assert close(states[layer], out.hidden_states[layer])
    for layer in range(n_layer):
        weights = anatomy.attention_weights(model, ids, layer)
        assert weights.shape == out.attentions[layer].shape
        assert torch.allclose(weights, out.attentions[layer], atol=1e-6)
        # The keys and values by hand are what the cache holds.
        normed = anatomy.layer_norm(states[layer], *_ln(model, layer, "ln_1"))
        _, keys, values = anatomy.query_key_value(model, layer, normed)
        assert close(keys, out.cache.layers[layer].keys)
        assert close(values, out.cache.layers[layer].values)
    assert torch.allclose(anatomy.head(model, mine), out.logits, atol=1e-4)
    lens = anatomy.logit_lens(model, ids)
    assert lens.shape == (n_layer + 1, *out.logits.shape)
    assert torch.allclose(lens[-1], out.logits, atol=1e-4)
    return difference


def _ln(model, layer, name):
    ln = getattr(model.transformer.h[layer], name)
    return ln.weight, ln.bias, ln.eps


@pytest.mark.slow  # eager attention on the pocket model, every layer checked (not in the quick loop)
def test_pocket_model_equals_transformers(eager_pocket):
    model, tokenizer = eager_pocket
    ids = pocket_ids(tokenizer)
    check_against_transformers(model, ids, "pocket (4 layers, 120 wide, 4 heads)")
    check_against_transformers(model, ids[:1], "pocket")


# The quick loop checks the two smallest shapes; the others take seconds (gpt2's own: 12 layers of
# 768) and run in the full run.
SLOW_CONFIGS = ("gpt2's shape", "6 layers", "3 layers", "2 layers, 64 wide")


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.slow] if label.startswith(SLOW_CONFIGS) else [])
                                   for label in CONFIGS])
def test_random_configs_equal_transformers(label):
    model = random_model(len(BODY_DIFFERENCES), **CONFIGS[label])
    torch.manual_seed(1)
    ids = torch.randint(0, model.config.vocab_size, (3, 11))  # batch 3
    check_against_transformers(model, ids, label)
    # The body alone (GPT2Model) gives the same hidden states as the body inside the LM.
    body = model.transformer
    assert torch.equal(anatomy.body(body, ids), anatomy.body(model, ids))


@pytest.mark.slow  # the eager pocket model, every step (not in the quick loop)
def test_every_step_equals_the_module_it_writes_out(eager_pocket):
    model, tokenizer = eager_pocket
    ids = pocket_ids(tokenizer)
    names = ["h.1.ln_1", "h.1.attn.c_attn", "h.1.attn", "h.1.ln_2", "h.1.mlp.c_fc", "h.1.mlp.act",
             "h.1.mlp", "h.1", "h.0"]
    seen = anatomy.capture(model, ids, names)
    h = model.transformer.h[1]
    x = seen["h.0"]  # the input of block 1
    normed = anatomy.layer_norm(x, h.ln_1.weight, h.ln_1.bias, h.ln_1.eps)
    assert close(normed, seen["h.1.ln_1"])
    assert close(anatomy.projection(normed, h.attn.c_attn), seen["h.1.attn.c_attn"])
    attended = anatomy.attention(model, 1, seen["h.1.ln_1"])
    assert close(attended, seen["h.1.attn"])
    after_attention = x + seen["h.1.attn"]
    normed_2 = anatomy.layer_norm(after_attention, h.ln_2.weight, h.ln_2.bias, h.ln_2.eps)
    assert close(normed_2, seen["h.1.ln_2"])
    assert close(anatomy.gelu_new(seen["h.1.mlp.c_fc"]), seen["h.1.mlp.act"])
    assert close(anatomy.mlp(model, 1, seen["h.1.ln_2"]), seen["h.1.mlp"])
    assert close(anatomy.block(model, 1, x), seen["h.1"])
    # gelu_new is torch's tanh-approximate GELU.
    z = torch.linspace(-6, 6, 101)
    assert torch.allclose(anatomy.gelu_new(z), torch.nn.functional.gelu(z, approximate="tanh"), atol=1e-6)


def test_layer_norm_equals_torch_and_causal_mask_is_lower_triangular():
    torch.manual_seed(0)
    x, w, b = torch.randn(2, 5, 8), torch.randn(8), torch.randn(8)
    assert torch.allclose(anatomy.layer_norm(x, w, b, 1e-5), torch.nn.functional.layer_norm(x, (8,), w, b, 1e-5),
                          atol=1e-6)
    mask = anatomy.causal_mask(4)
    assert mask.tolist() == [[j <= i for j in range(4)] for i in range(4)]


def test_attention_rows_are_causal_distributions(eager_pocket):
    model, tokenizer = eager_pocket
    weights = anatomy.attention_weights(model, pocket_ids(tokenizer), 0)  # (2, n_head, 7, 7)
    assert torch.allclose(weights.sum(-1), torch.ones(weights.shape[:-1]), atol=1e-6)
    assert torch.all(weights.triu(diagonal=1) == 0)
    assert torch.all(weights[..., 0, 0] == 1)  # the first position can only look at itself


def test_a_gpt2_sized_skeleton_runs_on_the_meta_device():
    from gpt2guide import skeleton

    model = skeleton("gpt2")
    ids = torch.zeros(1, 7, dtype=torch.long, device="meta")
    assert anatomy.attention_weights(model, ids, 11).shape == (1, 12, 7, 7)


# -- errors: one line, the argument named ---------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    return random_model(0, n_layer=2, n_embd=16, n_head=2)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: anatomy.body("gpt2", torch.zeros(1, 3, dtype=torch.long)), TypeError, "model: expected a GPT-2 model"),
    (lambda m: anatomy.body(torch.nn.Linear(2, 2), torch.zeros(1, 3, dtype=torch.long)), ValueError, "is not GPT-2"),
    (lambda m: anatomy.body(m, [[1, 2]]), TypeError, "input_ids: expected a tensor"),
    (lambda m: anatomy.body(m, torch.zeros(1, 3)), TypeError, "input_ids: token ids must be integers"),
    (lambda m: anatomy.body(m, torch.zeros(3, dtype=torch.long)), ValueError, r"input_ids\[None\]"),
    (lambda m: anatomy.body(m, torch.zeros(1, 0, dtype=torch.long)), ValueError, "at least one token"),
    (lambda m: anatomy.body(m, torch.zeros(1, 65, dtype=torch.long)), ValueError, "n_positions"),
    (lambda m: anatomy.body(m, torch.full((1, 3), 500)), ValueError, "id 500 is not in the vocabulary"),
    (lambda m: anatomy.attention_weights(m, torch.zeros(1, 3, dtype=torch.long), 2), ValueError,
     "layer: 2 is out of range; this model has 2 blocks, 0 to 1"),
    (lambda m: anatomy.attention_weights(m, torch.zeros(1, 3, dtype=torch.long), -1), ValueError, "layer: -1"),
    (lambda m: anatomy.block(m, 1.0, torch.zeros(1, 3, 16)), TypeError, "layer: expected a block index"),
    (lambda m: anatomy.block(m, 0, torch.zeros(1, 3, 15)), ValueError, r"x: expected shape \(batch, seq, 16\)"),
    (lambda m: anatomy.mlp(m, 0, torch.zeros(1, 3, 16, dtype=torch.long)), TypeError, "x: expected a float"),
    (lambda m: anatomy.layer_norm(torch.zeros(2, 4), torch.ones(4), torch.zeros(4), 0), ValueError, "eps:"),
    (lambda m: anatomy.layer_norm(torch.zeros(2, 4), torch.ones(3), torch.zeros(4), 1e-5), ValueError,
     "weight, bias"),
    (lambda m: anatomy.capture(m, torch.zeros(1, 3, dtype=torch.long), ["h.9.attn"]), ValueError,
     "names: the body has no module 'h.9.attn'"),
    (lambda m: anatomy.capture(m, torch.zeros(1, 3, dtype=torch.long), "h.0"), TypeError, "names:"),
    (lambda m: anatomy.head(m, torch.zeros(1, 3, 15)), ValueError, r"hidden: expected shape \(\.\.\., 16\)"),
    (lambda m: anatomy.head(m, [[0.0] * 16]), TypeError, "hidden: expected a float tensor"),
    (lambda m: anatomy.query_key_value(m, 2, torch.zeros(1, 3, 16)), ValueError, "layer: 2 is out of range"),
    (lambda m: anatomy.attention(m, 0, torch.zeros(1, 3)), ValueError, r"x: expected shape \(batch, seq, 16\)"),
    (lambda m: anatomy.attention_scale(m, True), TypeError, "layer: expected a block index"),
    (lambda m: anatomy.attention_probabilities(m, 5, torch.zeros(1, 2, 3, 8), torch.zeros(1, 2, 3, 8)), ValueError,
     "layer: 5 is out of range"),
    (lambda m: anatomy.final_norm(m, torch.zeros(1, 3, 8)), ValueError, r"x: expected shape"),
    (lambda m: anatomy.logit_lens(m, torch.full((1, 3), -1)), ValueError, "input_ids: id -1 is not in the vocabulary"),
    (lambda m: anatomy.block_outputs(m, torch.zeros(1, 3)), TypeError, "input_ids: token ids must be integers"),
])
def test_bad_calls_raise_one_line_errors(small, call, error, message):
    """Every public step checks on entry: one error of the contract, one line, naming the argument."""
    with pytest.raises(error, match=message) as raised:
        call(small)
    assert isinstance(raised.value, (WrongType, WrongValue))
    assert str(raised.value) == f"{raised.value.argument}: {raised.value.detail}"
    assert "\n" not in str(raised.value)


def test_the_steps_inside_a_body_are_the_kernels(small):
    """``body`` runs the kernels the public steps run, so stepping by hand gives the same tensor, bit for bit."""
    ids = torch.tensor([[3, 1, 4, 1, 5]])
    x = anatomy.embed(small, ids)
    for layer in range(small.config.n_layer):
        x = anatomy.block(small, layer, x)
    assert torch.equal(anatomy.final_norm(small, x), anatomy.body(small, ids))
    assert torch.equal(anatomy.logit_lens(small, ids)[-1], anatomy.head(small, anatomy.body(small, ids)))


def test_capture_leaves_no_hooks_behind(small):
    ids = torch.zeros(1, 3, dtype=torch.long)
    with pytest.raises(ValueError):
        anatomy.capture(small, ids, ["h.0.ln_1", "nowhere"])
    assert all(not m._forward_hooks for m in small.modules())
    assert set(anatomy.capture(small, ids, ["h.0.ln_1"])) == {"h.0.ln_1"}
    assert all(not m._forward_hooks for m in small.modules())


def test_the_body_alone_has_no_lm_head_but_the_tied_head_still_applies(small):
    ids = torch.tensor([[1, 2, 3]])
    body = small.transformer
    assert isinstance(body, GPT2Model)
    hidden = anatomy.body(body, ids)
    assert torch.equal(anatomy.head(body, hidden), anatomy.head(small, hidden))


@pytest.mark.slow  # draws a figure (not in the quick loop)
def test_the_attention_figure_draws_transformers_weights(eager_pocket):
    """The figure's numbers (float64, by hand) are the eager attention weights of the model on the page."""
    pytest.importorskip("matplotlib")
    from gpt2guide.threads import one_thread
    from tools.figures import attention, sources

    model, tokenizer = eager_pocket
    with one_thread():
        data = attention.data()
    ids = tokenizer(sources.PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        theirs = model(ids, output_attentions=True).attentions[attention.LAYER][0]  # (n_head, seq, seq)
    assert torch.allclose(torch.tensor(data["weights"], dtype=torch.float32), theirs, atol=1e-5)
    assert data["tokens"] == [tokenizer.decode([i]) for i in ids[0].tolist()]
