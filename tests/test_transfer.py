"""Tests for lesson5.transfer (book/07_transfer.ipynb)."""

import numpy as np
import pytest
import torch
from torch import nn

from lesson5.cnn import create_model, simple_body
from lesson5.learner import Learner
from lesson5.loaders import DataLoaders
from lesson5.optim import Adam
from lesson5.schedule import OneCycle
from lesson5.transfer import (
    cnn_groups,
    count_params,
    even_mults,
    freeze,
    freeze_to,
    grad_bytes,
    lr_range,
    optimizer_state_bytes,
    param_groups,
    saved_activation_bytes,
    unfreeze,
)


def _model():
    torch.manual_seed(0)
    return create_model(simple_body((4, 8, 16)), 3, hidden=(8,))


def test_number_is_broadcast():
    assert lr_range(1e-3, 3) == [1e-3] * 3


def test_slice_hi_divides_the_earlier_groups_by_ten():
    assert lr_range(slice(1e-3), 3) == pytest.approx([1e-4, 1e-4, 1e-3])


def test_slice_hi_with_the_lecture_divisor():
    assert lr_range(slice(3e-3), 3, divisor=3) == pytest.approx([1e-3, 1e-3, 3e-3])


def test_slice_from_zero_is_slice_hi_as_in_fastai_v1():
    # fastai v1 tested `if lr.start:`, so a zero low end counts as no low end at all.
    assert lr_range(slice(0, 1e-3), 3) == pytest.approx([1e-4, 1e-4, 1e-3])
    assert lr_range(slice(None, 1e-3), 3) == pytest.approx([1e-4, 1e-4, 1e-3])


def test_slice_lo_hi_is_geometric():
    assert lr_range(slice(1e-5, 1e-3), 3) == pytest.approx([1e-5, 1e-4, 1e-3])
    assert even_mults(1e-6, 1e-3, 4) == pytest.approx([1e-6, 1e-5, 1e-4, 1e-3])


def test_sequences_are_checked():
    assert lr_range((1e-4, 1e-3), 2) == [1e-4, 1e-3]
    # An array is no Sequence: it met NumPy's "truth value of an array is ambiguous".
    assert lr_range(np.array([1e-4, 1e-3]), 2) == lr_range(torch.tensor([1e-4, 1e-3], dtype=torch.float64), 2)
    assert lr_range(np.array([1e-4, 1e-3]), 2) == [1e-4, 1e-3]
    assert lr_range(np.float32(0.5), 2) == lr_range(torch.tensor(0.5), 2) == [0.5, 0.5]
    with pytest.raises(ValueError, match="each lr must be >= 0"):
        lr_range(np.array([1e-4, -1.0]), 2)
    with pytest.raises(ValueError, match="2 learning rates given for 3"):
        lr_range([1e-4, 1e-3], 3)
    with pytest.raises(ValueError, match="at least two layer groups"):
        lr_range(slice(1e-5, 1e-3), 1)
    with pytest.raises(ValueError, match="slice"):
        lr_range(slice(1e-5, 1e-3, 2), 3)


def test_groups_share_modules_with_the_model():
    model = _model()
    groups = cnn_groups(model)
    assert groups[0][0] is model[0][0] and groups[1][0] is model[0][2] and groups[2] is model[1]
    with pytest.raises(ValueError, match="cut"):
        cnn_groups(model, cut=3)


def test_freeze_keeps_batch_norm_trainable():
    model = _model()
    groups = cnn_groups(model)
    freeze(groups)
    for m in model[0].modules():
        if isinstance(m, nn.Conv2d):
            assert not m.weight.requires_grad
        if isinstance(m, nn.BatchNorm2d):
            assert m.weight.requires_grad and m.bias.requires_grad
    assert all(p.requires_grad for p in model[1].parameters())
    freeze(groups, train_bn=False)
    assert not any(p.requires_grad for p in model[0].parameters())
    unfreeze(groups)
    assert count_params(model)[0] == count_params(model)[1]


def test_freeze_to_counts_like_a_slice():
    groups = cnn_groups(_model())
    freeze_to(groups, 1, train_bn=False)
    assert not any(p.requires_grad for p in groups[0].parameters())
    assert all(p.requires_grad for p in groups[1].parameters())
    with pytest.raises(ValueError, match="two layer groups"):
        freeze(groups[:1])


def _trainable(groups):
    # One value per group: whether its parameters train (all of them, or none).
    states = [{p.requires_grad for p in g.parameters()} for g in groups]
    assert all(len(s) == 1 for s in states), states
    return [s.pop() for s in states]


@pytest.mark.parametrize("n, trainable", [(-1, [False, False, True]), (-2, [False, True, True]),
                                          (-3, [True, True, True]), (0, [True, True, True]),
                                          (2, [False, False, True]), (3, [False, False, False])])
def test_freeze_to_negative_counts_from_the_end(n, trainable):
    groups = cnn_groups(_model())
    freeze_to(groups, 1, train_bn=False)  # start from a mix, so every group's state is set
    freeze_to(groups, n, train_bn=False)
    assert _trainable(groups) == trainable


@pytest.mark.parametrize("n", [4, -4, 10, 1.5, True])
def test_freeze_to_refuses_n_out_of_range_or_not_an_int(n):
    groups = cnn_groups(_model())
    with pytest.raises(ValueError, match=f"n must be an int from -3 to 3 for 3 layer groups .*got {n}"):
        freeze_to(groups, n)
    assert all(_trainable(groups))  # nothing changed


def test_param_groups_list_trainable_parameters_only():
    model = _model()
    groups = cnn_groups(model)
    freeze(groups, train_bn=False)
    pgs = param_groups(groups, slice(1e-3), weight_decay=0.1)
    assert [len(g["params"]) for g in pgs][:2] == [0, 0]
    assert len(pgs[2]["params"]) == len(list(model[1].parameters()))
    assert [g["lr"] for g in pgs] == pytest.approx([1e-4, 1e-4, 1e-3])
    assert all(g["weight_decay"] == 0.1 for g in pgs)


def test_param_groups_pass_the_divisor_on():
    groups = cnn_groups(_model())
    pgs = param_groups(groups, slice(3e-3), divisor=3)
    assert [g["lr"] for g in pgs] == pytest.approx([1e-3, 1e-3, 3e-3])


def test_grad_bytes_counts_only_trainable():
    model = _model()
    groups = cnn_groups(model)
    freeze(groups, train_bn=False)
    model(torch.randn(4, 1, 28, 28)).sum().backward()
    assert grad_bytes(model) == 4 * count_params(model[1])[0]


def test_discriminative_rates_drive_the_learner():
    model = _model()
    groups = cnn_groups(model)
    x, y = torch.randn(32, 1, 28, 28), torch.randint(0, 3, (32,))
    learn = Learner(model, DataLoaders.from_tensors(x, y, bs=8), nn.functional.cross_entropy, opt_func=Adam,
                    device="cpu")
    freeze(groups)
    conv = model[0][0][0].weight.detach().clone()
    bn = model[0][0][1].weight.detach().clone()
    learn.create_opt(param_groups(groups, 1e-2))
    learn.fit(1, cbs=[OneCycle(1e-2)])
    assert torch.equal(conv, model[0][0][0].weight) and not torch.equal(bn, model[0][0][1].weight)
    unfreeze(groups)
    lrs = lr_range(slice(1e-5, 1e-3), 3)
    learn.create_opt(param_groups(groups, lrs))
    learn.fit(1, cbs=[OneCycle(lrs)])
    assert not torch.equal(conv, model[0][0][0].weight)
    # Every group follows the same 1cycle shape, scaled by its own maximum.
    ratios = [g["lr"] / lr for g, lr in zip(learn.opt.param_groups, lrs)]
    assert ratios == pytest.approx([ratios[0]] * 3)


def test_saved_activation_bytes_counts_what_backward_needs():
    torch.manual_seed(0)
    linear = nn.Linear(3, 4)
    x = torch.randn(10, 3)
    assert saved_activation_bytes(linear, x) == 10 * 3 * 4  # the input, for the weight's gradient
    linear.requires_grad_(False)
    assert saved_activation_bytes(linear, x) == 0


def test_saved_activation_bytes_counts_a_sliced_batch_as_the_batch():
    # Slicing a batch from the dataset gives a view of the dataset's whole storage; autograd
    # saving it costs nothing beyond the batch, which is what a loader would have copied.
    torch.manual_seed(0)
    model, dataset = _model(), torch.rand(200, 1, 28, 28)
    assert saved_activation_bytes(model, dataset[:8]) == saved_activation_bytes(model, dataset[:8].clone())
    assert saved_activation_bytes(model, dataset[100:108]) == saved_activation_bytes(model, dataset[:8])


def test_saved_activation_bytes_counts_two_slices_of_one_storage_apart():
    linear, x = nn.Linear(4, 1), torch.randn(100, 4)

    class TwoSlices(nn.Module):
        def forward(self, x):
            # The layer saves each slice it is given, for its weight's gradient.
            return linear(x[:2]).sum() + linear(x[90:92]).sum()

    model = TwoSlices()
    model.linear = linear
    assert saved_activation_bytes(model, x) == 2 * (2 * 4 * 4)


def test_saved_activation_bytes_leaves_out_batch_norm_running_averages():
    bn, x = nn.BatchNorm1d(3), torch.randn(8, 3, requires_grad=True)
    # The input, and the batch's mean and inverse standard deviation per channel.
    assert saved_activation_bytes(bn, x) == 8 * 3 * 4 + 2 * 3 * 4


def test_optimizer_state_bytes_counts_adam_buffers_for_trained_parameters_only():
    model = _model()
    freeze(cnn_groups(model), train_bn=False)
    trained = [p for p in model.parameters() if p.requires_grad]
    opt = Adam(trained)
    assert optimizer_state_bytes(opt) == 0
    nn.functional.cross_entropy(model(torch.rand(4, 1, 28, 28)), torch.tensor([0, 1, 2, 0])).backward()
    opt.step()
    per_param = sum(p.numel() * p.element_size() for p in trained)
    steps = sum(opt.state[p]["step"].numel() * opt.state[p]["step"].element_size() for p in trained)
    assert optimizer_state_bytes(opt) == 2 * per_param + steps
    assert per_param < sum(p.numel() * p.element_size() for p in model.parameters())


def test_freezing_everything_in_the_body_saves_no_body_activations():
    model, x = _model(), torch.rand(8, 1, 28, 28)
    all_trainable = saved_activation_bytes(model, x)
    freeze(cnn_groups(model))
    bn_trainable = saved_activation_bytes(model, x)
    freeze(cnn_groups(model), train_bn=False)
    body_frozen = saved_activation_bytes(model, x)
    body_output = model[0](x)
    head_only = saved_activation_bytes(model[1], body_output.detach())
    assert all_trainable > bn_trainable > body_frozen == head_only


def test_saved_activation_bytes_leaves_the_running_averages_as_they_were():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    assert saved_activation_bytes(model, torch.randn(8, 1, 6, 6)) > 0
    assert model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_a_cut_at_zero_is_refused():
    with pytest.raises(ValueError, match="cut"):
        cnn_groups(create_model(simple_body((4, 8, 16)), 3), cut=0)


def test_freezing_leaves_a_batchnorm1d_trainable():
    groups = [nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3)), nn.Linear(3, 1)]
    freeze(groups)
    assert groups[0][1].weight.requires_grad and not groups[0][0].weight.requires_grad


def test_a_slice_without_a_stop_is_refused_with_its_reason():
    with pytest.raises(ValueError, match="slice"):
        lr_range(slice(1e-5, None), 3)


def test_more_rates_than_groups_are_refused():
    # param_groups pairs rates and groups with zip, which would drop the extra one silently.
    with pytest.raises(ValueError, match="3 learning rates given for 2"):
        lr_range([1e-4, 1e-3, 1e-2], 2)


def test_count_params_gives_the_trainable_count_then_the_total():
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    model[0].requires_grad_(False)
    assert count_params(model) == (3, 9)


def test_optimizer_state_is_counted_at_its_own_element_size():
    weight = nn.Parameter(torch.zeros(5, dtype=torch.float64))
    opt = Adam([weight])
    weight.grad = torch.ones_like(weight)
    opt.step()
    step = opt.state[weight]["step"]
    # Two float64 moving averages of 5 values each, and the step count.
    assert optimizer_state_bytes(opt) == 2 * 5 * 8 + step.numel() * step.element_size()


def test_slices_of_one_input_that_overlap_are_counted_once():
    linear, x = nn.Linear(4, 1), torch.randn(100, 4)

    class Overlapping(nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = linear

        def forward(self, x):
            return self.linear(x[0:4]).sum() + self.linear(x[2:6]).sum()

    # Rows 0 to 5 of four float32 values: rows 2 and 3 are saved once.
    assert saved_activation_bytes(Overlapping(), x) == 6 * 4 * 4


@pytest.mark.parametrize("lr, message", [
    (-1e-3, "lr must be >= 0"),
    (slice(-1e-3), "lr must be >= 0"),
    ([1e-4, -1e-3, 1e-3], "each lr must be >= 0"),
    # A negative low end gave complex rates, which Adam refused only at its first step;
    # reversed ends gave the body larger rates than the head.
    (slice(-1e-4, 1e-3), r"0 < lo <= hi, the first group's rate first, got slice\(-0.0001, 0.001, None\)"),
    (slice(1e-3, 1e-4), "0 < lo <= hi"),
])
def test_rates_that_cannot_train_are_refused_with_what_was_given(lr, message):
    with pytest.raises(ValueError, match=message):
        lr_range(lr, 3)


def test_a_slice_with_equal_ends_gives_every_group_that_rate():
    assert lr_range(slice(1e-3, 1e-3), 3) == pytest.approx([1e-3] * 3)
