"""Layers with a hand-written backward pass: back-propagation without autograd.

Introduced in book/02_from_scratch.ipynb (A neural net from scratch). Each layer keeps
what its forward pass saw, and `backward(grad)` turns the gradient of the loss with respect
to its output into the gradient with respect to its input (the chain rule), storing the
gradients of its own parameters on the way.

Shapes follow the lesson's layer equation a = g(Wᵀx + b): a weight matrix is
(n_in, n_out), and a batch holds one example per row, so a layer computes x @ W + b.
"""

import math

import torch


class Affine:
    """An affine layer `x @ w + b` with w of shape (n_in, n_out): the lesson's layout.

    Not called Linear: `lesson5.modules.Linear` and `torch.nn.Linear` store the transpose,
    (n_out, n_in), and compute `x @ weight.T + bias`.

    The weights start as Kaiming-normal draws (std √(2/n_in)), the scale that keeps
    activations from shrinking or growing layer after layer when ReLUs follow. `dtype`
    float64 suits gradient checks by finite differences.
    """

    def __init__(self, n_in, n_out, generator=None, dtype=None):
        self.w = torch.randn(n_in, n_out, generator=generator, dtype=dtype) * math.sqrt(2 / n_in)
        self.b = torch.zeros(n_out, dtype=dtype)
        self.w_grad = self.b_grad = None

    def forward(self, x):
        if x.shape[-1] != self.w.shape[0]:
            raise ValueError(f"Affine expects inputs with {self.w.shape[0]} columns, got shape {tuple(x.shape)}")
        self.x = x
        # x @ w + b in one call, with no product tensor in between; torch's linear layers
        # compute a batch the same way.
        return torch.addmm(self.b, x, self.w)

    def backward(self, grad, input_grad=True):
        """∂L/∂w = xᵀ·grad, ∂L/∂b = grad summed over the batch,
        ∂L/∂x = grad·wᵀ.

        The first layer of a network skips ∂L/∂x (`input_grad=False`):
        nothing needs it, and it costs as much as ∂L/∂w.
        """
        self.w_grad = self.x.t() @ grad
        self.b_grad = grad.sum(0)
        return grad @ self.w.t() if input_grad else None

    def parameters(self):
        return [self.w, self.b]

    def gradients(self):
        return [self.w_grad, self.b_grad]


class ReLU:
    """max(x, 0), element-wise; its derivative is 1 where the output is positive, else 0."""

    def forward(self, x):
        self.out = x.clamp_min(0)
        return self.out

    def backward(self, grad, input_grad=True):
        return grad * (self.out > 0) if input_grad else None

    def parameters(self):
        return []

    def gradients(self):
        return []


class MSE:
    """Mean squared error between predictions and targets of the same shape.

    Its backward starts the chain: ∂L/∂pred = 2·(pred − target) / number of elements.
    """

    def forward(self, pred, target):
        if pred.shape != target.shape:
            raise ValueError(
                f"MSE needs pred and target of the same shape, got {tuple(pred.shape)} and "
                f"{tuple(target.shape)}; reshape the target (e.g. target[:, None])"
            )
        self.diff = pred - target
        return self.diff.pow(2).mean()

    def backward(self):
        return self.diff * (2 / self.diff.numel())


class Sequential:
    """Layers applied in order; `backward` walks them in reverse, passing the gradient along."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad):
        """Back-propagates `grad` (∂L/∂output); the network's input needs
        no gradient."""
        for layer in reversed(self.layers[1:]):
            grad = layer.backward(grad)
        self.layers[0].backward(grad, input_grad=False)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def gradients(self):
        return [g for layer in self.layers for g in layer.gradients()]
