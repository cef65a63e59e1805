"""Tests of lesson5.modules: the from-scratch Linear module and the mlp builder."""

import pytest
import torch
from torch import nn

from lesson5.modules import Linear, mlp


def test_matches_torch_linear_with_same_weights():
    torch.manual_seed(0)
    ours, ref = Linear(4, 3), nn.Linear(4, 3)
    ours.load_state_dict(ref.state_dict())
    x = torch.randn(5, 4)
    torch.testing.assert_close(ours(x), ref(x))
    ours(x).sum().backward()
    ref(x).sum().backward()
    torch.testing.assert_close(ours.weight.grad, ref.weight.grad)
    torch.testing.assert_close(ours.bias.grad, ref.bias.grad)


def test_parameters_registered_and_initialized_like_torch():
    lin = Linear(400, 30)
    assert [name for name, _ in lin.named_parameters()] == ["weight", "bias"]
    bound = 1 / 400**0.5
    assert lin.weight.abs().max() <= bound and lin.bias.abs().max() <= bound
    assert lin.weight.std().item() == pytest.approx(bound / 3**0.5, rel=0.05)
    # The same draws as torch.nn.Linear's, bias included, from the same seed.
    torch.manual_seed(0)
    ours = Linear(5, 3)
    torch.manual_seed(0)
    theirs = nn.Linear(5, 3)
    assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)


def test_no_bias_and_batched_inputs():
    lin = Linear(4, 2, bias=False)
    assert lin.bias is None and len(list(lin.parameters())) == 1
    assert lin(torch.randn(3, 5, 4)).shape == (3, 5, 2)


def test_wrong_width_is_explained():
    with pytest.raises(ValueError, match="4 features"):
        Linear(4, 2)(torch.randn(3, 5))


def test_mlp_structure():
    model = mlp(784, 100, 10)
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Flatten", "Linear", "ReLU", "Linear"]
    # The package's own Linear, not torch's of the same name.
    assert all(isinstance(m, Linear) and not isinstance(m, nn.Linear) for m in model[1::2])
    assert model(torch.zeros(2, 28, 28)).shape == (2, 10)
    assert [type(m).__name__ for m in mlp(784, 10)] == ["Flatten", "Linear"]
    with pytest.raises(ValueError):
        mlp(784)


def test_mlp_puts_a_fresh_activation_of_the_given_kind_between_layers():
    model = mlp(4, 3, 3, 2, act=nn.Tanh)
    assert [type(m).__name__ for m in model] == ["Flatten", "Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert model[2] is not model[4]
    x = torch.randn(5, 4)
    assert torch.allclose(model(x), model[5](torch.tanh(model[3](torch.tanh(model[1](x))))))
