"""Tests for lesson5.vision (book/07_transfer.ipynb)."""

import pytest
import torch
from torch import nn

from lesson5.vision import (
    AdaptiveConcatPool2d,
    body_features,
    create_head,
    create_model,
    pretrain,
    select_classes,
    simple_body,
    top_patches,
)


def test_body_halves_the_image_per_block():
    body = simple_body((16, 32, 64))
    out = body(torch.zeros(2, 1, 28, 28))
    assert out.shape == (2, 64, 4, 4)
    assert body_features(body) == 64


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


def test_model_outputs_one_value_per_class():
    model = create_model(simple_body((8, 16)), 3).eval()
    assert model(torch.zeros(4, 1, 28, 28)).shape == (4, 3)


def _toy_data():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 12, 12, generator=g)
    return x, (x.mean(dim=(1, 2, 3)) > 0.5).long()


def test_pretrain_is_repeatable():
    x, y = _toy_data()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(pretrain(simple_body((4, 8)), x, y, n_out=2, epochs=1, bs=16, hidden=()))
    first, second = (learn.model.state_dict() for learn in runs)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert isinstance(runs[0].model[1][-1], nn.Linear)


def test_pretrain_weights_depend_on_its_seed_not_on_the_global_generator():
    x, y = _toy_data()

    def run(seed, disturb, bs=16, p=0.5):
        torch.manual_seed(0)
        body = simple_body((4, 8))
        torch.rand(disturb)  # whatever ran before pretrain must not matter
        return pretrain(body, x, y, n_out=2, epochs=1, bs=bs, hidden=(), p=p, seed=seed).model.state_dict()

    first, again, other = run(0, 1), run(0, 5), run(1, 1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["1.4.weight"], other["1.4.weight"])
    # One batch of all 64 images and no dropout: the order cannot matter, so the seed must set the head.
    whole_0, whole_1 = run(0, 1, bs=64, p=0.0), run(1, 1, bs=64, p=0.0)
    assert (whole_0["1.4.weight"] - whole_1["1.4.weight"]).abs().max() > 1e-3


def test_pretrain_checks_labels():
    x, y = _toy_data()
    with pytest.raises(ValueError, match="remap"):
        pretrain(simple_body((4,)), x, y + 5, n_out=2)


def test_select_classes_renumbers_in_the_given_order():
    x = torch.arange(5.0).reshape(5, 1, 1).expand(5, 2, 2)
    y = torch.tensor([3, 1, 4, 1, 9])
    xs, ys = select_classes(x, y, [4, 1])
    assert xs.shape == (3, 1, 2, 2) and ys.tolist() == [1, 0, 1]
    assert xs[:, 0, 0, 0].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="no image"):
        select_classes(x, y, [7])


def test_top_patches_cut_the_receptive_field_around_the_unit():
    body = simple_body((1,))
    conv, bn = body[0][0], body[0][1]
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0, 1, 1] = 1.0  # the unit copies the pixel at its centre
        bn.running_mean.zero_(), bn.running_var.fill_(1.0)
    x = torch.zeros(2, 1, 8, 8)
    x[1, 0, 4, 6] = 5.0  # centre of unit (2, 3) of block 1
    patches, values = top_patches(body, x, n_blocks=1, channel=0, k=1)
    assert patches.shape == (1, 3, 3) and patches[0, 1, 1] == 5.0
    assert values[0] == pytest.approx(5.0, rel=1e-3)
