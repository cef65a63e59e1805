"""Tests of lesson5.layers: hand-written backward passes checked against autograd."""

import pytest
import torch

from lesson5 import layers


def mlp_and_data(seed=0, n=16):
    g = torch.Generator().manual_seed(seed)
    f64 = torch.float64
    model = layers.Sequential(layers.Affine(5, 7, generator=g, dtype=f64), layers.ReLU(),
                              layers.Affine(7, 3, generator=g, dtype=f64))
    x = torch.randn(n, 5, generator=g, dtype=f64)
    y = torch.randn(n, 3, generator=g, dtype=f64)
    for layer in model.layers[::2]:
        # Non-zero biases, so their gradients are tested through a non-trivial forward pass.
        layer.b = torch.randn(layer.b.shape, generator=g, dtype=f64)
    return model, x, y


def manual_grads(model, x, y):
    loss_fn = layers.MSE()
    loss = loss_fn.forward(model.forward(x), y)
    model.backward(loss_fn.backward())
    return loss, model.gradients()


def test_backward_matches_autograd():
    model, x, y = mlp_and_data()
    loss, grads = manual_grads(model, x, y)
    params = [p.clone().requires_grad_() for p in model.parameters()]
    w1, b1, w2, b2 = params
    ref = ((torch.relu(x @ w1 + b1) @ w2 + b2 - y) ** 2).mean()
    ref.backward()
    torch.testing.assert_close(loss, ref.detach())
    for g, p in zip(grads, params):
        torch.testing.assert_close(g, p.grad, rtol=1e-12, atol=1e-12)


def test_backward_matches_finite_differences():
    model, x, y = mlp_and_data(seed=1, n=4)
    _, grads = manual_grads(model, x, y)
    eps = 1e-6
    loss_fn = layers.MSE()
    for p, g in zip(model.parameters(), grads):
        flat, gflat = p.view(-1), g.reshape(-1)
        for i in range(flat.numel()):
            old = flat[i].item()
            flat[i] = old + eps
            up = loss_fn.forward(model.forward(x), y).item()
            flat[i] = old - eps
            down = loss_fn.forward(model.forward(x), y).item()
            flat[i] = old
            assert abs((up - down) / (2 * eps) - gflat[i].item()) < 1e-6


def test_linear_input_gradient_optional():
    lin = layers.Affine(3, 2)
    lin.forward(torch.randn(4, 3))
    assert lin.backward(torch.ones(4, 2), input_grad=False) is None
    assert lin.w_grad.shape == (3, 2) and lin.b_grad.shape == (2,)
    assert lin.backward(torch.ones(4, 2)).shape == (4, 3)


def test_relu_gradient_is_zero_where_output_is_zero():
    relu = layers.ReLU()
    out = relu.forward(torch.tensor([-1.0, 0.0, 2.0]))
    assert out.tolist() == [0.0, 0.0, 2.0]
    assert relu.backward(torch.tensor([5.0, 5.0, 5.0])).tolist() == [0.0, 0.0, 5.0]


def test_dtype():
    assert layers.Affine(2, 3, dtype=torch.float64).w.dtype == torch.float64
    assert layers.Affine(2, 3).b.dtype == torch.float32


def test_kaiming_scale():
    lin = layers.Affine(1000, 500, generator=torch.Generator().manual_seed(0))
    assert abs(lin.w.std().item() - (2 / 1000) ** 0.5) < 1e-3
    assert torch.equal(lin.b, torch.zeros(500))


def test_shape_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="5 columns"):
        layers.Affine(5, 2).forward(torch.randn(3, 4))
    with pytest.raises(ValueError, match="same shape"):
        layers.MSE().forward(torch.randn(3, 1), torch.randn(3))


def test_sequential_parameters_follow_layer_order():
    model, _, _ = mlp_and_data()
    assert [tuple(p.shape) for p in model.parameters()] == [(5, 7), (7,), (7, 3), (3,)]
