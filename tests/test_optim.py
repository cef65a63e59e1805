import copy
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from lesson5 import optim
from lesson5.optim import largest_difference

CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=1e-2, maximize=True)),
    ("RMSprop", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3, alpha=0.9, weight_decay=1e-2)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=1e-3, centered=True, weight_decay=1e-2)),
    ("RMSprop", dict(lr=1e-3, momentum=0.8, eps=1e-6, maximize=True)),
    ("RMSprop", dict(lr=1e-3, weight_decay=1e-2, maximize=True)),
    ("Adam", dict(lr=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.8, 0.99), weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, amsgrad=True, eps=1e-6)),
    ("Adam", dict(lr=1e-2, maximize=True, weight_decay=1e-3)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.1, maximize=True)),
]


def _model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(7, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)
    )


def _groups(model, lr):
    # Two groups with different learning rates; the first layer stays frozen (grad None).
    first, second, third = model[0], model[2], model[4]
    for p in first.parameters():
        p.requires_grad_(False)
    return [
        {"params": list(first.parameters()) + list(second.parameters()), "lr": lr / 10},
        {"params": list(third.parameters())},
    ]


def _train(model, opt, steps, seed=1):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x = torch.randn(32, 7, generator=gen)
        y = torch.randint(0, 3, (32,), generator=gen)
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()


@pytest.mark.parametrize("name,kwargs", CASES)
@pytest.mark.parametrize("foreach", [False, True])
def test_matches_torch_over_many_steps(name, kwargs, foreach):
    ours, theirs = _model(), _model()
    opt = getattr(optim, name)(_groups(ours, kwargs["lr"]), **kwargs)
    ref = getattr(torch.optim, name)(_groups(theirs, kwargs["lr"]), foreach=foreach, **kwargs)
    _train(ours, opt, 100)
    _train(theirs, ref, 100)
    assert largest_difference(ours, theirs) <= 1e-6
    assert largest_difference(ours, _model()) > 1e-3  # it did train
    assert torch.equal(ours[0].weight, _model()[0].weight)  # frozen layer untouched


@pytest.mark.parametrize("name,kwargs", CASES)
def test_state_dict_round_trip(name, kwargs):
    model = _model()
    opt = getattr(optim, name)(model.parameters(), **kwargs)
    _train(model, opt, 10)
    saved_model, saved_opt = copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict())
    _train(model, opt, 10, seed=2)
    expected = copy.deepcopy(model)

    model.load_state_dict(saved_model)
    fresh = getattr(optim, name)(model.parameters(), **kwargs)
    fresh.load_state_dict(saved_opt)
    _train(model, fresh, 10, seed=2)
    assert largest_difference(model, expected) == 0


@pytest.mark.parametrize("name,kwargs", CASES)
def test_state_dict_loads_into_torch(name, kwargs):
    # Same state keys as torch: a run can continue under torch.optim from our state dict.
    ours, theirs = _model(), _model()
    opt = getattr(optim, name)(ours.parameters(), **kwargs)
    ref = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    _train(ours, opt, 10)
    _train(theirs, ref, 10)
    cont = getattr(torch.optim, name)(ours.parameters(), **kwargs)
    state = opt.state_dict()["state"]
    assert {i: set(s) for i, s in state.items()} == {i: set(s) for i, s in ref.state_dict()["state"].items()}
    cont.load_state_dict(opt.state_dict())
    _train(ours, cont, 10, seed=2)
    _train(theirs, ref, 10, seed=2)
    assert largest_difference(ours, theirs) <= 1e-6


def test_defaults_match_torch():
    import inspect

    for name in ["SGD", "RMSprop", "Adam", "AdamW"]:
        ours = inspect.signature(getattr(optim, name).__init__).parameters
        theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
        for arg, param in ours.items():
            assert arg in theirs, (name, arg)
            assert param.default == theirs[arg].default, (name, arg)


def test_groups_keep_their_own_hyperparameters():
    model = _model()
    opt = optim.Adam([{"params": model[0].parameters(), "lr": 0.1, "betas": (0.5, 0.9)},
                      {"params": model[2].parameters()}], lr=1e-3)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["betas"] == (0.5, 0.9)
    assert opt.param_groups[1]["lr"] == 1e-3 and opt.param_groups[1]["betas"] == (0.9, 0.999)


def test_a_parameter_unfrozen_later_gets_a_momentum_buffer_of_its_own():
    # Unfreezing without making a new optimizer (book/07_transfer.ipynb makes one; a reader's
    # own loop may not): the first layer's parameters come first in the group but reach their
    # first step after the others have buffers, so each old buffer must still meet its own
    # parameter's gradient.
    ours, theirs = _model(), _model()
    for model, make in ((ours, optim.SGD), (theirs, torch.optim.SGD)):
        opt = make(model.parameters(), lr=0.05, momentum=0.9)
        model[0].requires_grad_(False)
        _train(model, opt, 2)
        model[0].requires_grad_(True)
        _train(model, opt, 3, seed=2)
    assert largest_difference(ours, theirs) <= 1e-6
    assert largest_difference(ours[0], _model()[0]) > 1e-3  # the unfrozen layer trained


def test_momentum_switched_on_later_starts_a_buffer_at_zero_and_uses_it():
    # A 1cycle schedule sets `momentum` on groups created with momentum 0. torch's RMSprop makes
    # its buffer on the first step alone, so the reference is given a zero buffer at the switch.
    model, twin = _model(), _model()
    opt, ref = optim.RMSprop(model.parameters()), torch.optim.RMSprop(twin.parameters())
    _train(model, opt, 2)
    _train(twin, ref, 2)
    # The control goes on from a copy of the same state with momentum still off (loading a
    # state dict keeps its tensors, so without the copy the two would share them).
    without = copy.deepcopy(model)
    without_opt = optim.RMSprop(without.parameters())
    without_opt.load_state_dict(copy.deepcopy(opt.state_dict()))
    opt.param_groups[0]["momentum"] = ref.param_groups[0]["momentum"] = 0.9
    for p in twin.parameters():
        ref.state[p]["momentum_buffer"] = torch.zeros_like(p)
    _train(without, without_opt, 3, seed=2)
    _train(model, opt, 3, seed=2)
    _train(twin, ref, 3, seed=2)
    assert largest_difference(model, twin) <= 1e-6
    assert largest_difference(model, without) > 1e-4  # the momentum changed the steps


def test_bad_hyperparameters_are_explained():
    params = _model().parameters()
    with pytest.raises(ValueError, match="lr must be"):
        optim.SGD(params, lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(_model().parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD(_model().parameters(), lr=0.1, momentum=0.9, nesterov=True, dampening=0.1)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam(_model().parameters(), betas=(1.0, 0.999))


@pytest.mark.parametrize("make", [lambda p: optim.SGD(p, lr=0.1), lambda p: optim.RMSprop(p, lr=0.1),
                                  lambda p: optim.Adam(p, lr=0.1)], ids=["SGD", "RMSprop", "Adam"])
def test_a_step_with_a_closure_uses_its_gradients_and_returns_its_loss(make):
    # torch.optim's contract: step(closure) calls the closure, which recomputes the loss and
    # its gradients, then steps on those gradients. Each optimizer must take the step torch's
    # takes after the same closure, from gradients it had not been given before.
    torch.manual_seed(0)
    model, reference = _model(), _model()
    reference.load_state_dict(model.state_dict())
    x, y = torch.randn(4, 7), torch.tensor([0, 1, 2, 0])
    ours = make(model.parameters())
    theirs = {"SGD": lambda p: torch.optim.SGD(p, lr=0.1),
              "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.1, alpha=ours.defaults["alpha"],
                                                       eps=ours.defaults["eps"]),
              "Adam": lambda p: torch.optim.Adam(p, lr=0.1, betas=ours.defaults["betas"],
                                                 eps=ours.defaults["eps"])}[type(ours).__name__](reference.parameters())

    def closure_for(net, opt, losses):
        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            losses.append(loss)
            return loss
        return closure

    ours_losses, theirs_losses = [], []
    returned = ours.step(closure_for(model, ours, ours_losses))
    theirs.step(closure_for(reference, theirs, theirs_losses))
    assert returned is ours_losses[0]
    for p, q in zip(model.parameters(), reference.parameters()):
        torch.testing.assert_close(p, q)
    assert any(not torch.equal(p, q) for p, q in zip(model.parameters(), _model().parameters()))


NAN_CASES = [
    (opt, name)
    for opt, names in {
        "SGD": ["lr", "momentum", "weight_decay"],
        "RMSprop": ["lr", "eps", "alpha", "momentum", "weight_decay"],
        "Adam": ["lr", "eps", "weight_decay", "beta1", "beta2"],
        "AdamW": ["lr", "eps", "weight_decay", "beta1", "beta2"],
    }.items()
    for name in names
]


@pytest.mark.parametrize(("opt", "name"), NAN_CASES)
def test_nan_hyper_parameters_are_refused_as_torch_refuses_them(opt, name):
    """A NaN learning rate (or eps, beta, decay, momentum) turns every weight to NaN after
    one step. torch.optim refuses it for RMSprop, Adam and AdamW (its SGD lets NaN through);
    the package refuses it everywhere."""
    import lesson5.optim

    nan = float("nan")
    kwargs = {"betas": (nan, 0.999)} if name == "beta1" else {"betas": (0.9, nan)} if name == "beta2" else {name: nan}
    w = torch.zeros(2, requires_grad=True)
    if opt != "SGD":
        with pytest.raises(ValueError):
            getattr(torch.optim, opt)([w], **kwargs)
    with pytest.raises(ValueError, match="must be"):
        getattr(lesson5.optim, opt)([w], **kwargs)


def test_training_does_not_import_torchs_compiler():
    """Building, stepping, zeroing, saving and restoring every optimizer (the learning-rate
    finder saves and restores) leaves torch._dynamo unimported (it costs about 2 s of a
    chapter's start), and the param groups are still checked."""
    script = textwrap.dedent("""
        import sys
        import torch
        from lesson5.optim import SGD, RMSprop, Adam, AdamW
        model = torch.nn.Linear(3, 2)
        for cls in (SGD, RMSprop, Adam, AdamW):
            opt = cls(model.parameters(), lr=0.1)
            model(torch.randn(4, 3)).sum().backward()
            opt.step()
            opt.zero_grad()
            assert model.weight.grad is None
            saved = opt.state_dict()
            opt.load_state_dict(saved)
            assert opt.state_dict()["param_groups"] == saved["param_groups"]
            opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})
            try:
                opt.add_param_group({"params": [model.weight]})
            except ValueError as error:
                assert "more than one parameter group" in str(error)
            else:
                raise AssertionError("a parameter in two groups was accepted")
        print("torch._dynamo" in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("make", [optim.SGD, optim.RMSprop, optim.Adam], ids=["SGD", "RMSprop", "Adam"])
def test_a_sparse_gradient_is_refused_with_the_optimizer_to_use(make):
    table = torch.nn.Embedding(10, 3, sparse=True)
    table(torch.tensor([1, 2])).sum().backward()
    with pytest.raises(RuntimeError, match="SparseAdam"):
        make(table.parameters(), lr=0.1).step()


def test_largest_difference_reads_models_or_tensors_and_refuses_mismatched_shapes():
    a, b = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    assert largest_difference(a, b) == 0.0
    with torch.no_grad():
        b.bias[1] -= 0.25
        b.weight[0, 2] += 0.125
    assert largest_difference(a, b) == pytest.approx(0.25)
    assert largest_difference(b, a) == pytest.approx(0.25)  # a size, whichever side is larger
    assert largest_difference([torch.zeros(2), torch.ones(3)], [torch.zeros(2), -torch.ones(3)]) == 2.0
    assert largest_difference(iter(a.parameters()), b.parameters()) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="same shapes"):
        largest_difference(a, torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="at least one tensor on each side"):
        largest_difference([], [])
    with pytest.raises(ValueError, match="same shapes"):
        largest_difference([torch.zeros(2)], [])


@pytest.mark.parametrize("value, counts", [
    (1, True), (64, True), (np.int64(3), True),
    (0, False), (-2, False), (2.5, False), (2.0, False), (True, False), ("3", False), (None, False),
])
def test_a_count_is_a_whole_number_of_one_or_more_and_no_bool(value, counts):
    assert optim.is_count(value) is counts
