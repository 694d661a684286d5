"""Training by hand: GPT-2's backward pass and AdamW, written out and proven equal to torch.

- ``steps``: the backward pass of each step (cross-entropy, a projection, layer norm, the tanh
  GELU, the softmax's Jacobian-vector product, attention, the embeddings);
- ``gradients``: ``gradients(model, input_ids)``, every parameter's gradient of the mean
  next-token loss, keyed as ``model.named_parameters()``, with no autograd;
- ``adamw``: ``AdamW(params, lr, betas, eps, weight_decay).step(grads)``, as ``torch.optim.AdamW``;
- ``clipping``: ``clip_grad_norm`` (as ``torch.nn.utils.clip_grad_norm_``) and
  ``accumulated_gradients`` (micro-batches that add up to one batch);
- ``passage``: a tiny GPT-2 learning an Austen passage with the above (chapter 6's run).

Chapter 6 ("How GPT-2 learned") walks through them; tests/test_backward.py proves each against
autograd and ``torch.optim``. References: karpathy/llm.c (``train_gpt2.c``, whose backward pass
is checked against PyTorch), karpathy/micrograd.
"""

from __future__ import annotations

from .adamw import AdamW
from .clipping import accumulated_gradients, clip_grad_norm
from .gradients import gradients, loss_and_gradients, relative_difference
from .steps import attention_backward, cross_entropy_backward, embedding_backward, gelu_new_backward, layer_norm_backward, linear_backward, softmax_backward

__all__ = ["AdamW", "accumulated_gradients", "attention_backward", "clip_grad_norm",
           "cross_entropy_backward", "embedding_backward", "gelu_new_backward", "gradients",
           "layer_norm_backward", "linear_backward", "loss_and_gradients", "relative_difference", "softmax_backward"]
