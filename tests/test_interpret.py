"""gpt2guide.interpret against TransformerLens 4.3 on the pocket model, and its own invariants.

TransformerLens boots the pocket checkpoint offline from its folder
(``TransformerBridge.boot_transformers(str(POCKET_DIR))``). Two bridges:

- ``raw``: no weight processing. Its hooks see the very activations of the transformers modules
  (resid_pre, attn_out, mlp_out, z), so activations and patched logit differences are compared
  directly. Measured: activations within 1e-6, patched logit differences within 2e-6.
- ``folded``: ``enable_compatibility_mode(fold_value_biases=False)``: layer norms folded, writing
  weights and unembedding centred. Its logits shift by a constant per position, which a logit
  *difference* cancels; its direct logit attribution (``decompose_resid``, ``stack_head_results``,
  ``logit_attrs``) is compared with ours term by term. Value biases are kept in the heads
  (TransformerLens' default moves them into the output bias, which changes what "a head" writes).
  Measured: within 1e-6.

Everything that boots TransformerLens is slow (importing it takes about 10-20 s on 2 cores).
"""

from __future__ import annotations

import pytest
import torch

from gpt2guide import interpret
from gpt2guide.constants import POCKET_DIR

# The chapter's pair: the pocket model gets both right by more than 3 logits.
CLEAN = "When Elizabeth came down, she"
CORRUPTED = "When Elizabeth came down, they"
ACTIVATION_TOL = 1e-5  # float32 activations of the same modules (measured 1e-6)
PATCH_TOL = 1e-4  # logit differences of float32 runs (measured 2e-6)
ATTRIBUTION_TOL = 1e-4  # float64 ours against float32 TransformerLens (measured 1e-6)

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def pair(pocket):
    model, tokenizer = pocket
    clean = torch.tensor([tokenizer.encode(CLEAN)])  # (1, 7)
    corrupted = torch.tensor([tokenizer.encode(CORRUPTED)])  # (1, 7)
    answer, wrong = tokenizer.encode(" was")[0], tokenizer.encode(" were")[0]
    return model, clean, corrupted, answer, wrong


@pytest.fixture(scope="module")
def bridges():
    pytest.importorskip("transformer_lens")
    from transformer_lens.model_bridge import TransformerBridge

    raw = TransformerBridge.boot_transformers(str(POCKET_DIR), device="cpu")
    folded = TransformerBridge.boot_transformers(str(POCKET_DIR), device="cpu")
    folded.enable_compatibility_mode(fold_value_biases=False)
    return raw, folded


def metric_of(answer, wrong):
    return lambda logits: logits[0, -1, answer] - logits[0, -1, wrong]  # TransformerLens' metric


# -- invariants (quick) ---------------------------------------------------------------------------

def test_the_pair_is_right_both_ways(pair):
    model, clean, corrupted, answer, wrong = pair
    with torch.no_grad():
        diffs = interpret.logit_difference(model(torch.cat([clean, corrupted])).logits, answer, wrong)
    assert diffs[0] > 3 and diffs[1] < -3


def test_attribution_adds_up_to_the_logit_difference(pair):
    model, clean, _, answer, wrong = pair
    parts = interpret.logit_attribution(model, clean, answer, wrong)
    assert torch.allclose(parts.total(), parts.logit_difference, atol=1e-5)
    assert torch.allclose(parts.heads.sum(1) + parts.attention_bias, parts.attention, atol=1e-9)
    assert parts.heads.shape == (model.config.n_layer, model.config.n_head)


def test_patching_everything_at_block_zero_restores_the_clean_run(pair):
    model, clean, corrupted, answer, wrong = pair
    grid = interpret.patch_residual(model, clean, corrupted, answer, wrong)  # (n_layer, seq)
    with torch.no_grad():
        clean_diff, corrupted_diff = interpret.logit_difference(model(torch.cat([clean, corrupted])).logits,
                                                                answer, wrong).tolist()
    # only the last token differs: the last column is the clean run, every other the corrupted run
    assert torch.allclose(grid[:, -1], torch.full((4,), clean_diff, dtype=grid.dtype), atol=1e-5)
    assert torch.allclose(grid[:, :-1], torch.full_like(grid[:, :-1], corrupted_diff), atol=1e-5)


def test_one_head_is_the_grid_entry(pair):
    model, clean, corrupted, answer, wrong = pair
    grid = interpret.patch_heads(model, clean, corrupted, answer, wrong)
    assert interpret.patch_head(model, clean, corrupted, answer, wrong, 3, 0) == pytest.approx(grid[3, 0].item())


def test_repeated_tokens_repeat_and_induction_scores_are_probabilities(pocket):
    model, _ = pocket
    ids = interpret.repeated_tokens(10, seed=1)
    assert ids.shape == (1, 21) and ids[0, 0] == 50256 and torch.equal(ids[0, 1:11], ids[0, 11:])
    assert len(set(ids[0, 1:11].tolist())) == 10
    scores = interpret.induction_scores(model, ids, 10)
    assert scores.shape == (4, 4) and ((scores >= 0) & (scores <= 1)).all()


def test_attention_patterns_take_every_block_in_one_run(pocket):
    from gpt2guide.anatomy import attention_weights

    model, _ = pocket
    ids = interpret.repeated_tokens(8, seed=2, batch=2)  # (2, 17)
    runs = []
    handle = model.transformer.register_forward_hook(lambda *_: runs.append(1))
    try:
        patterns = interpret.attention_patterns(model, ids)  # (n_layer, batch, n_head, seq, seq)
    finally:
        handle.remove()
    assert len(runs) == 1
    assert patterns.shape == (4, 2, 4, 17, 17)
    for layer in range(4):
        assert torch.allclose(patterns[layer], attention_weights(model, ids, layer), atol=1e-5)


def test_head_scores_read_the_right_diagonal(pocket):
    model, _ = pocket
    n = 6
    ids = interpret.repeated_tokens(n, seed=3, bos=None)  # (1, 12): no bos, the copies start at 0
    weights = interpret.attention_patterns(model, ids)[:, 0]  # (n_layer, n_head, 12, 12)
    q = torch.arange(n, 2 * n)
    assert torch.allclose(interpret.induction_scores(model, ids, n), weights[..., q, q - n + 1].mean(-1))
    assert torch.allclose(interpret.duplicate_token_scores(model, ids, n), weights[..., q, q - n].mean(-1))
    q = torch.arange(1, 2 * n)
    assert torch.allclose(interpret.previous_token_scores(model, ids), weights[..., q, q - 1].mean(-1))
    assert torch.allclose(interpret.first_token_scores(model, ids), weights[..., q, 0].mean(-1))


def test_even_attention_is_what_a_uniform_head_scores():
    # query q sees q + 1 keys; queries 1 and 2 of a 3-token prompt: (1/2 + 1/3) / 2
    assert interpret.even_attention(3) == pytest.approx((1 / 2 + 1 / 3) / 2)
    assert interpret.even_attention(3, first_query=2) == pytest.approx(1 / 3)


def test_ablating_a_head_zeroes_its_output_and_only_inside_the_block(pair):
    model, clean, *_ = pair
    before = interpret.activations(model, clean)
    with interpret.ablated(model, [(1, 2)]):
        with torch.no_grad():
            z_seen = []
            handle = model.transformer.h[1].attn.c_proj.register_forward_pre_hook(
                lambda _m, args: z_seen.append(args[0].clone()))
            model(clean)
            handle.remove()
    d_head = model.config.n_embd // model.config.n_head
    assert (z_seen[0][..., 2 * d_head:3 * d_head] == 0).all()
    assert torch.equal(z_seen[0][..., :2 * d_head], before["z"][1, :, :, :2].flatten(-2))
    after = interpret.activations(model, clean)  # the hook is gone
    assert torch.equal(after["logits"], before["logits"])


def test_copy_losses_fall_when_the_model_is_told_the_answer(pocket):
    model, _ = pocket
    n = 12
    ids = interpret.repeated_tokens(n, seed=4, batch=2)  # (2, 25)
    first, second = interpret.copy_losses(model, ids, n)
    with torch.no_grad():
        loss = torch.nn.functional.cross_entropy(model(ids).logits[:, :-1].transpose(1, 2).double(), ids[:, 1:],
                                                 reduction="none")  # (2, 24)
    assert first == pytest.approx(loss[:, :n].mean().item(), rel=1e-6)  # bos predicts the first copy's first token
    assert second == pytest.approx(loss[:, n + 1:].mean().item(), rel=1e-6)


@pytest.mark.parametrize("call, error, argument", [
    (lambda m, c, k, a, w: interpret.patch_residual(m, c, k[:, :-1], a, w), ValueError, "corrupted_ids"),
    (lambda m, c, k, a, w: interpret.patch_residual(m, c, k, a, a), ValueError, "wrong_id"),
    (lambda m, c, k, a, w: interpret.patch_residual(m, c, k, 1.5, w), TypeError, "answer_id"),
    (lambda m, c, k, a, w: interpret.patch_residual(m, c, k, a, 10 ** 6), ValueError, "wrong_id"),
    (lambda m, c, k, a, w: interpret.patch_residual(m, c.tolist(), k, a, w), TypeError, "clean_ids"),
    (lambda m, c, k, a, w: interpret.patch_mlp(m, c, torch.cat([k, k]), a, w), ValueError, "corrupted_ids"),
    (lambda m, c, k, a, w: interpret.patch_residual("gpt2", c, k, a, w), TypeError, "model"),
    (lambda m, c, k, a, w: interpret.patch_head(m, c, k, a, w, 4, 0), ValueError, "layer"),
    (lambda m, c, k, a, w: interpret.patch_head(m, c, k, a, w, 0, 4), ValueError, "head"),
    (lambda m, c, k, a, w: interpret.patch_head(m, c, k, a, w, 0, 0, position=7), ValueError, "position"),
    (lambda m, c, k, a, w: interpret.logit_attribution(m, torch.cat([c, k]), a, w), ValueError, "input_ids"),
    (lambda m, c, k, a, w: interpret.repeated_tokens(1), ValueError, "n_tokens"),
    (lambda m, c, k, a, w: interpret.induction_scores(m, c, 3), ValueError, "input_ids"),
    (lambda m, c, k, a, w: interpret.copy_losses(m, c, 3), ValueError, "input_ids"),
    (lambda m, c, k, a, w: interpret.previous_token_scores(m, c[:, :1]), ValueError, "input_ids"),
    (lambda m, c, k, a, w: interpret.repeated_tokens(5, bos=-1), ValueError, "bos"),
    (lambda m, c, k, a, w: interpret.repeated_tokens(5, vocab=4), ValueError, "vocab"),
    (lambda m, c, k, a, w: interpret.even_attention(3, first_query=3), ValueError, "first_query"),
    (lambda m, c, k, a, w: interpret.ablated(m, (0, 1)).__enter__(), TypeError, "heads"),
    (lambda m, c, k, a, w: interpret.ablated(m, [(0, 4)]).__enter__(), ValueError, "heads"),
    (lambda m, c, k, a, w: interpret.ablated(m, [(4, 0)]).__enter__(), ValueError, "layer"),
])
def test_bad_input_names_the_argument(pair, call, error, argument):
    model, clean, corrupted, answer, wrong = pair
    with pytest.raises(error, match=f"^{argument}: "):
        call(model, clean, corrupted, answer, wrong)


# -- against TransformerLens ----------------------------------------------------------------------

@pytest.mark.slow
def test_activations_equal_transformer_lens_hooks(pair, bridges):
    model, clean, *_ = pair
    _, cache = bridges[0].run_with_cache(clean)
    ours = interpret.activations(model, clean)
    for name, hook in [("resid_pre", "hook_resid_pre"), ("attn_out", "hook_attn_out"), ("mlp_out", "hook_mlp_out"),
                       ("z", "attn.hook_z")]:
        theirs = torch.stack([cache[f"blocks.{layer}.{hook}"] for layer in range(4)])
        assert theirs.shape == ours[name].shape
        assert torch.allclose(ours[name], theirs, atol=ACTIVATION_TOL), name


@pytest.mark.slow
@pytest.mark.parametrize("ours, theirs", [
    ("patch_residual", "get_act_patch_resid_pre"),  # (n_layer, seq)
    ("patch_attention", "get_act_patch_attn_out"),  # (n_layer, seq)
    ("patch_mlp", "get_act_patch_mlp_out"),  # (n_layer, seq)
    ("patch_heads", "get_act_patch_attn_head_out_all_pos"),  # (n_layer, n_head)
])
def test_patching_equals_transformer_lens(pair, bridges, ours, theirs):
    from transformer_lens import patching

    model, clean, corrupted, answer, wrong = pair
    _, cache = bridges[0].run_with_cache(clean)
    expected = getattr(patching, theirs)(bridges[0], corrupted, cache, metric_of(answer, wrong))
    got = getattr(interpret, ours)(model, clean, corrupted, answer, wrong)
    assert got.shape == expected.shape
    assert torch.allclose(got, expected.double(), atol=PATCH_TOL)
    assert got.max() - got.min() > 0.1  # the grid is not flat: the comparison can fail


@pytest.mark.slow
def test_one_head_at_one_position_equals_transformer_lens(pair, bridges):
    from transformer_lens import patching

    model, clean, corrupted, answer, wrong = pair
    _, cache = bridges[0].run_with_cache(clean)
    expected = patching.get_act_patch_attn_head_out_by_pos(bridges[0], corrupted, cache,
                                                           metric_of(answer, wrong))  # (n_layer, seq, n_head)
    got = torch.tensor([[[interpret.patch_head(model, clean, corrupted, answer, wrong, layer, head, position=p)
                          for head in range(4)] for p in range(clean.shape[1])] for layer in range(4)],
                       dtype=torch.float64)
    assert torch.allclose(got, expected.double(), atol=PATCH_TOL)


@pytest.mark.slow
def test_logit_attribution_equals_transformer_lens(pair, bridges):
    model, clean, _, answer, wrong = pair
    _, cache = bridges[1].run_with_cache(clean)
    stack, labels = cache.decompose_resid(return_labels=True, pos_slice=-1)  # (10, 1, n_embd)
    theirs = cache.logit_attrs(stack, answer, wrong, pos_slice=-1)[:, 0].double()  # (10,)
    assert labels[:2] == ["embed", "pos_embed"]
    ours = interpret.logit_attribution(model, clean, answer, wrong)
    assert ours.embed.item() == pytest.approx((theirs[0] + theirs[1]).item(), abs=ATTRIBUTION_TOL)
    assert torch.allclose(ours.attention, theirs[2::2], atol=ATTRIBUTION_TOL)
    assert torch.allclose(ours.mlp, theirs[3::2], atol=ATTRIBUTION_TOL)
    heads = cache.stack_head_results(layer=-1, pos_slice=-1)  # (n_layer * n_head, 1, n_embd)
    theirs_heads = cache.logit_attrs(heads, answer, wrong, pos_slice=-1)[:, 0].view(4, 4).double()
    assert torch.allclose(ours.heads, theirs_heads, atol=ATTRIBUTION_TOL)


@pytest.mark.slow
def test_induction_scores_equal_transformer_lens_patterns(pocket, bridges):
    model, _ = pocket
    n = 20
    ids = interpret.repeated_tokens(n, seed=0)  # (1, 41)
    _, cache = bridges[0].run_with_cache(ids)
    queries = torch.arange(ids.shape[1] - n, ids.shape[1])
    theirs = torch.stack([cache[f"blocks.{layer}.attn.hook_pattern"][0][:, queries, queries - n + 1].mean(-1)
                          for layer in range(4)])  # (n_layer, n_head)
    assert torch.allclose(interpret.induction_scores(model, ids, n), theirs, atol=ACTIVATION_TOL)
