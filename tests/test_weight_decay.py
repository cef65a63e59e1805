import copy
import importlib

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from lesson5.learner import Callback, Learner
from lesson5.loaders import DataLoader, DataLoaders
from lesson5.weight_decay import WeightDecay, decay_split, l2_penalty


@pytest.fixture(autouse=True)
def float64():
    """float64 so that "the same trajectory" is checked to 1e-10, not just to float32 noise."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


# The callback must work with the package's optimizers and with torch's: the Learner takes either.
OPTIMIZER_MODULES = ["torch.optim", "lesson5.optim"]


@pytest.fixture(params=OPTIMIZER_MODULES)
def opts(request):
    module = importlib.import_module(request.param)
    return module.SGD, module.Adam


def make_data():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(48, 5, generator=g)
    y = torch.randn(48, 1, generator=g)
    return x, y


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 1))


# The Learner and the reference loops train alike: as many epochs, over the same batches.
EPOCHS = 2


def fit_learner(model, opt_func, wd, mode, decay_all=False, lr=0.05):
    return fit_with(model, opt_func, WeightDecay(wd, mode=mode, decay_all=decay_all), lr)


def fit_with(model, opt_func, decay, lr=0.05):
    """`model` trained by a Learner with the WeightDecay callback `decay`."""
    x, y = make_data()
    # Unshuffled batches: the reference loops below see them in the same order.
    dls = DataLoaders(DataLoader(x, y, bs=16))
    learn = Learner(model, dls, F.mse_loss, lr=lr, opt_func=opt_func, device="cpu", cbs=[decay])
    learn.fit(EPOCHS)
    return learn.model


def fit_reference(model, opt, penalty=None):
    """Plain loop: `opt` already holds the reference weight decay; `penalty(model)` is added to the loss."""
    x, y = make_data()
    for _ in range(EPOCHS):
        for xb, yb in DataLoader(x, y, bs=16):
            loss = F.mse_loss(model(xb), yb)
            if penalty is not None:
                loss = loss + penalty(model)
            loss.backward()
            opt.step()
            opt.zero_grad()
    return model


def split_groups(model, wd, **kw):
    decayed, rest = decay_split(model)
    return [{"params": decayed, "weight_decay": wd, **kw}, {"params": rest, "weight_decay": 0.0, **kw}]


def assert_same_params(a, b):
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(pa, pb, atol=1e-10, rtol=0, msg=f"parameter {name} differs")


def test_decay_split_separates_weights_from_biases_and_norms():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Conv1d(4, 6, 3), nn.BatchNorm1d(6),
                          nn.Flatten(), nn.LayerNorm(12), nn.Linear(12, 2))
    decayed, rest = decay_split(model)
    m = model
    assert {id(p) for p in decayed} == {id(m[0].weight), id(m[1].weight), id(m[5].weight)}
    assert {id(p) for p in rest} == {id(m[1].bias), id(m[2].weight), id(m[2].bias),
                                     id(m[4].weight), id(m[4].bias), id(m[5].bias)}


def test_l2_penalty_is_the_sum_of_squares():
    params = [torch.tensor([[1.0, 2.0]]), torch.tensor([3.0])]
    assert l2_penalty(params).item() == 14.0


@pytest.mark.parametrize("decay_all", [True, False])
def test_decoupled_with_plain_sgd_matches_torch_sgd_weight_decay(opts, decay_all):
    sgd, _ = opts
    wd, lr = 0.1, 0.05
    ours = fit_learner(make_model(), sgd, wd, "decoupled", decay_all=decay_all, lr=lr)
    ref = make_model()
    groups = [{"params": ref.parameters(), "weight_decay": wd}] if decay_all else split_groups(ref, wd)
    fit_reference(ref, torch.optim.SGD(groups, lr=lr))
    assert_same_params(ours, ref)


def test_one_callback_decays_each_model_it_is_given():
    # One callback passed to several Learners in turn: each fit decays its own model's weights.
    wd, lr = 0.1, 0.05
    decay = WeightDecay(wd)
    for _ in range(2):
        ours = fit_with(make_model(), torch.optim.SGD, decay, lr=lr)
    ref = make_model()
    fit_reference(ref, torch.optim.SGD(split_groups(ref, wd), lr=lr))
    assert_same_params(ours, ref)


def test_decay_changes_the_trajectory():
    sgd = torch.optim.SGD
    assert not torch.allclose(fit_learner(make_model(), sgd, 0.1, "decoupled")[0].weight,
                              fit_learner(make_model(), sgd, 0.0, "decoupled")[0].weight)


@pytest.mark.parametrize("which", ["sgd", "adam"])
def test_l2_mode_equals_lambda_sum_of_squares_in_the_loss(opts, which):
    opt_func = dict(zip(["sgd", "adam"], opts))[which]
    lam, lr = 0.05, 0.01
    ours = fit_learner(make_model(), opt_func, 2 * lam, "l2", lr=lr)
    ref = make_model()
    fit_reference(ref, opt_func(ref.parameters(), lr=lr),
                  penalty=lambda m: lam * l2_penalty(decay_split(m)[0]))
    assert_same_params(ours, ref)


def test_adam_with_l2_matches_torch_adam_weight_decay(opts):
    _, adam = opts
    wd, lr = 0.1, 0.01
    ours = fit_learner(make_model(), adam, wd, "l2", lr=lr)
    ref = make_model()
    fit_reference(ref, torch.optim.Adam(split_groups(ref, wd), lr=lr))
    assert_same_params(ours, ref)


def test_adam_decoupled_matches_torch_adamw(opts):
    _, adam = opts
    wd, lr = 0.1, 0.01
    ours = fit_learner(make_model(), adam, wd, "decoupled", decay_all=True, lr=lr)
    ref = make_model()
    fit_reference(ref, torch.optim.AdamW(ref.parameters(), lr=lr, weight_decay=wd))
    assert_same_params(ours, ref)


def test_adam_l2_and_decoupled_differ():
    adam = torch.optim.Adam
    l2 = fit_learner(make_model(), adam, 0.5, "l2", lr=0.01)
    decoupled = fit_learner(make_model(), adam, 0.5, "decoupled", lr=0.01)
    assert (l2[0].weight - decoupled[0].weight).abs().max() > 1e-4


def test_decoupled_uses_each_groups_learning_rate():
    wd = 0.1
    model = make_model()
    x, y = make_data()
    learn = Learner(model, DataLoaders(DataLoader(x, y, bs=16)), F.mse_loss,
                    opt_func=torch.optim.Adam, device="cpu", cbs=[WeightDecay(wd)])
    learn.create_opt([{"params": model[0].parameters(), "lr": 0.001},
                      {"params": model[2].parameters(), "lr": 0.02}])
    learn.fit(2)
    ref = make_model()
    fit_reference(ref, torch.optim.AdamW(
        [{"params": [ref[0].weight], "lr": 0.001, "weight_decay": wd},
         {"params": [ref[0].bias], "lr": 0.001, "weight_decay": 0.0},
         {"params": [ref[2].weight], "lr": 0.02, "weight_decay": wd},
         {"params": [ref[2].bias], "lr": 0.02, "weight_decay": 0.0}]))
    assert_same_params(model, ref)


def test_default_decays_weights_only_as_adamw_on_split_groups(opts):
    _, adam = opts
    wd, lr = 0.1, 0.01
    ours = fit_learner(make_model(), adam, wd, "decoupled", lr=lr)
    ref = make_model()
    fit_reference(ref, torch.optim.AdamW(split_groups(ref, wd), lr=lr))
    assert_same_params(ours, ref)


@pytest.mark.parametrize("mode", ["decoupled", "l2"])
def test_frozen_parameters_are_untouched(mode):
    model = make_model()
    for p in model[0].parameters():
        p.requires_grad_(False)
    before = copy.deepcopy(model[0].state_dict())
    fit_learner(model, torch.optim.SGD, 0.5, mode, decay_all=True)
    for name, value in model[0].state_dict().items():
        assert torch.equal(value, before[name]), name
    assert not torch.equal(model[2].weight, make_model()[2].weight)


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="mode must be one of"):
        WeightDecay(0.1, mode="adamw")
    with pytest.raises(ValueError, match="wd must be >= 0"):
        WeightDecay(-0.1)
    # NaN would turn every decayed weight into NaN at the first step.
    with pytest.raises(ValueError, match="wd must be >= 0"):
        WeightDecay(float("nan"))
    # Even when wd = 0 turns decay off, a misspelt mode is a mistake worth reporting.
    with pytest.raises(ValueError, match="mode must be one of"):
        WeightDecay(0.0, mode="bogus")


def test_decoupled_decay_uses_the_rate_a_callback_sets_just_before_the_step():
    # A callback of the default order that changes the rate in before_step runs first, so the
    # decay shrinks the weights by that rate, the one the step itself then uses.
    class RateJustBeforeTheStep(Callback):
        def before_step(self, learn):
            for group in learn.opt.param_groups:
                group["lr"] = 0.5

    x, y = make_data()
    model = nn.Linear(5, 1, bias=False)
    learn = Learner(model, DataLoaders(DataLoader(x[:16], y[:16], bs=16)), F.mse_loss, lr=0.01,
                    opt_func=torch.optim.SGD, device="cpu", cbs=[WeightDecay(0.1), RateJustBeforeTheStep()])
    before = model.weight.detach().clone()
    loss = F.mse_loss(model(x[:16]), y[:16])
    (grad,) = torch.autograd.grad(loss, model.weight)
    learn.fit(1)
    expected = before * (1 - 0.5 * 0.1) - 0.5 * grad
    torch.testing.assert_close(model.weight.detach(), expected)
