"""A `Linear` nn.Module written from scratch, and the MNIST models built from it.

Introduced in book/02_from_scratch.ipynb (A neural net from scratch): the lesson's
assignment "create your own nn.Linear". Registering tensors as `nn.Parameter` is all it
takes for `model.parameters()`, optimizers and autograd to see them.
"""

import math

import torch
from torch import nn


class Linear(nn.Module):
    """`x @ weight.T + bias`, with weight (out_features, in_features) as in
    torch.nn.Linear.

    Same layout and same default initialization as torch.nn.Linear (uniform
    on ±1/√in_features for weight and bias), so a state dict moves between
    the two.
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features)
        weight = torch.empty(out_features, in_features)
        self.weight = nn.Parameter(weight.uniform_(-bound, bound))
        self.bias = None
        if bias:
            values = torch.empty(out_features)
            self.bias = nn.Parameter(values.uniform_(-bound, bound))

    def forward(self, x):
        if x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear expects inputs with {self.in_features} features, "
                f"got shape {tuple(x.shape)}")
        out = x @ self.weight.t()
        return out if self.bias is None else out + self.bias

    def extra_repr(self):
        return (f"in_features={self.in_features}, "
                f"out_features={self.out_features}, "
                f"bias={self.bias is not None}")


def mlp(*sizes, act=nn.ReLU):
    """Flatten, then Linear layers of the given sizes with an activation between each pair:
    a new `act()` each time (a ReLU unless another module class is given; book/02_from_scratch.ipynb
    compares ReLU, the sigmoid and tanh).

    `mlp(784, 10)` is logistic regression on MNIST; `mlp(784, 100, 10)` has one hidden layer.
    """
    if len(sizes) < 2:
        raise ValueError(f"mlp needs at least an input and an output size, got {sizes}")
    layers = [nn.Flatten()]
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(n_in, n_out), act()]
    return nn.Sequential(*layers[:-1])
