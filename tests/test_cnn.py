"""Tests of lesson5.cnn: the small body and the fastai-style head (book/07_transfer.ipynb)."""

import pytest
import torch

from lesson5.cnn import AdaptiveConcatPool2d, body_features, create_head, create_model, simple_body


def test_body_halves_the_image_per_block():
    body = simple_body((16, 32, 64))
    out = body(torch.zeros(2, 1, 28, 28))
    assert out.shape == (2, 64, 4, 4)
    assert body_features(body) == 64


def test_each_block_is_a_convolution_without_bias_then_batch_norm_then_relu():
    # No bias: the batch norm right after it subtracts any constant (the docstring's reason).
    block = simple_body((16, 32))[1]
    assert [type(layer) for layer in block] == [torch.nn.Conv2d, torch.nn.BatchNorm2d, torch.nn.ReLU]
    assert block[0].bias is None and (block[0].in_channels, block[0].out_channels) == (16, 32)


def test_body_needs_channels():
    with pytest.raises(ValueError, match="at least one width"):
        simple_body(())


def test_concat_pool_puts_max_before_mean():
    x = torch.tensor([[[[1.0, 3.0], [2.0, 6.0]]]])
    assert AdaptiveConcatPool2d()(x).flatten().tolist() == [6.0, 3.0]


def test_head_layers_follow_fastai_v1():
    head = create_head(64, 5, hidden=(32,), p=0.5)
    kinds = [type(m).__name__ for m in head]
    assert kinds == ["AdaptiveConcatPool2d", "Flatten", "BatchNorm1d", "Dropout", "Linear", "ReLU",
                     "BatchNorm1d", "Dropout", "Linear"]
    assert head[2].num_features == 128  # max and mean of 64 channels
    assert [head[3].p, head[7].p] == [0.25, 0.5]
    assert head[-1].weight.shape == (5, 32)  # one row per output


def test_head_with_average_pool():
    head = create_head(64, 2, hidden=(), pool="avg")
    assert head[2].num_features == 64 and head[-1].weight.shape == (2, 64)


def test_head_without_pooling_keeps_the_map():
    head = create_head(64 * 4 * 4, 2, hidden=(), pool=None)
    assert [type(m).__name__ for m in head][:2] == ["Flatten", "BatchNorm1d"]
    assert head.eval()(torch.zeros(3, 64, 4, 4)).shape == (3, 2)
    with pytest.raises(ValueError, match="pool"):
        create_head(64, 2, pool="min")


def test_create_model_refuses_a_head_without_pooling_and_says_how_to_build_one():
    # The body's channel count is not the flattened map's size that such a head needs.
    with pytest.raises(ValueError, match=r"create_head\(channels \* height \* width"):
        create_model(simple_body((8,)), 3, pool=None)


def test_model_outputs_one_value_per_class():
    model = create_model(simple_body((8, 16)), 3).eval()
    assert model(torch.zeros(4, 1, 28, 28)).shape == (4, 3)


def test_a_body_without_a_convolution_is_refused_with_advice():
    with pytest.raises(ValueError, match="no Conv2d"):
        body_features(torch.nn.Sequential(torch.nn.Linear(2, 2)))


def test_the_default_head_has_a_hidden_layer_and_half_dropout():
    # Chapter 07's create_model(body, n_out=5) relies on these: one hidden layer of 64.
    head = create_head(64, 5)
    assert head[-1].weight.shape == (5, 64) and head[-2].p == 0.5


def test_create_model_passes_the_head_settings_on():
    model = create_model(simple_body((8,)), 3, hidden=(4,), pool="avg")
    assert model[1][-1].weight.shape == (3, 4)
    assert isinstance(model[1][0], torch.nn.AdaptiveAvgPool2d)


def test_the_average_pool_averages():
    x = torch.tensor([[[[1.0, 3.0], [2.0, 6.0]]]])
    assert create_head(1, 1, hidden=(), pool="avg")[0](x).flatten().tolist() == [3.0]
