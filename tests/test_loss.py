"""The next-token loss by hand (gpt2guide.loss) equals transformers' loss; perplexity is its exponential."""

import copy
import math

import pytest
import torch

from gpt2guide import loss


def random_model(seed: int, **sizes):
    from transformers import GPT2Config, GPT2LMHeadModel

    torch.manual_seed(seed)
    config = GPT2Config(**{"vocab_size": 97, "n_positions": 32, "n_embd": 16, "n_layer": 2, "n_head": 2, **sizes})
    return GPT2LMHeadModel(config).eval()


@pytest.mark.parametrize("seed, sizes, batch, seq", [
    (0, {}, 3, 9),
    (1, {"vocab_size": 50257, "n_embd": 24, "n_head": 3}, 2, 17),
    (2, {"n_layer": 1, "n_embd": 8, "n_head": 1, "vocab_size": 5}, 5, 2),
    (3, {"n_layer": 3, "n_embd": 32, "n_head": 4, "n_positions": 64}, 4, 64),
])
@pytest.mark.slow  # random models against transformers (not in the quick loop)
def test_next_token_loss_equals_transformers_loss(seed, sizes, batch, seq):
    model = random_model(seed, **sizes)
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, model.config.vocab_size, (batch, seq), generator=generator)
    with torch.no_grad():
        output = model(ids, labels=ids)
    assert torch.allclose(loss.next_token_loss(output.logits, ids), output.loss, atol=1e-6)
    per_token = loss.token_losses(model, ids)
    assert per_token.shape == (batch, seq - 1)
    assert torch.allclose(per_token.mean(), output.loss, atol=1e-6)
    assert loss.perplexity(model, ids) == pytest.approx(math.exp(output.loss.item()), rel=1e-5)


@pytest.mark.slow  # the pocket model's losses (not in the quick loop)
def test_token_losses_are_the_cross_entropy_of_each_shifted_position():
    model = random_model(4)
    ids = torch.randint(0, 97, (2, 7), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        logits = model(ids).logits
    expected = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, 97), ids[:, 1:].reshape(-1),
                                                 reduction="none").reshape(2, 6)
    assert torch.allclose(loss.token_losses(model, ids), expected, atol=1e-6)
    # Position j scores token j + 1: changing the last token changes only the last loss.
    changed = ids.clone()
    changed[:, -1] = (changed[:, -1] + 1) % 97
    diff = loss.token_losses(model, changed) != loss.token_losses(model, ids)
    assert diff[:, -1].all() and not diff[:, :-1].any()


@pytest.mark.slow  # losses over many rows (not in the quick loop)
def test_rows_beyond_one_call_give_the_same_losses():
    model = random_model(5)
    ids = torch.randint(0, 97, (loss.ROWS_PER_CALL * 2 + 1, 5), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        whole = loss.per_token_losses(model(ids).logits, ids)
    assert torch.allclose(loss.token_losses(model, ids), whole, atol=1e-6)


def test_a_model_that_knows_nothing_has_loss_ln_vocab():
    logits = torch.zeros(2, 5, 50257)  # every token equally likely
    ids = torch.randint(0, 50257, (2, 5))
    assert loss.next_token_loss(logits, ids).item() == pytest.approx(math.log(50257))


def test_the_loss_keeps_its_graph_and_one_adamw_step_lowers_it():
    model = random_model(6)
    ids = torch.randint(0, 97, (4, 16), generator=torch.Generator().manual_seed(6))
    student = copy.deepcopy(model)
    optimizer = torch.optim.AdamW(student.parameters(), lr=1e-2)
    before = loss.next_token_loss(student(ids).logits, ids)
    before.backward()
    optimizer.step()
    with torch.no_grad():
        after = loss.next_token_loss(student(ids).logits, ids)
    assert after < before
    assert torch.equal(model.transformer.wte.weight, random_model(6).transformer.wte.weight)


def test_windows():
    assert loss.windows(list(range(10)), 4).tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    with pytest.raises(ValueError, match="^size: must be between 2 and the number of ids"):
        loss.windows([1, 2, 3], 4)
    with pytest.raises(TypeError, match="^size: expected an int"):
        loss.windows([1, 2, 3], 2.0)
    with pytest.raises(ValueError, match="^ids: expected a flat list"):
        loss.windows([[1, 2], [3, 4]], 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda m: loss.next_token_loss(torch.zeros(1, 3, 5), [[1, 2, 3]]), TypeError, "input_ids: expected a tensor"),
    (lambda m: loss.next_token_loss(torch.zeros(1, 3, 5), torch.zeros(1, 3)), TypeError, "input_ids: token ids must be integers"),
    (lambda m: loss.next_token_loss(torch.zeros(3, 5), torch.tensor([1, 2, 3])), ValueError, r"input_ids: expected shape \(batch, seq\)"),
    (lambda m: loss.next_token_loss(torch.zeros(1, 1, 5), torch.tensor([[1]])), ValueError, "input_ids: need at least one row of at least 2 tokens"),
    (lambda m: loss.next_token_loss(torch.zeros(1, 4, 5), torch.tensor([[1, 2, 3]])), ValueError, r"logits: expected shape \(batch, seq, vocab\)"),
    (lambda m: loss.next_token_loss(torch.zeros(1, 3, 5, dtype=torch.long), torch.tensor([[1, 2, 3]])), TypeError, "logits: expected a float tensor"),
    (lambda m: loss.next_token_loss("logits", torch.tensor([[1, 2, 3]])), TypeError, "logits: expected a float tensor"),
    (lambda m: loss.token_losses("model", torch.tensor([[1, 2, 3]])), TypeError, "model: expected a GPT-2 model"),
    (lambda m: loss.perplexity(m, torch.zeros(1, 40, dtype=torch.long)), ValueError, "input_ids: 40 tokens do not fit"),
])
def test_bad_arguments_say_which_and_how(call, error, message):
    model = random_model(7)
    with pytest.raises(error, match="^" + message):
        call(model)
