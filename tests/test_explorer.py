import inspect
import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from lesson5.explorer import (
    BETAS,
    DEFAULT_BETAS,
    LR_FACTORS,
    OPTIMIZERS,
    QUAD_CURVATURE,
    QUANTUM,
    SURFACES,
    decode,
    descend,
    encode,
    quad,
    trajectories,
    valley,
)

DATA = Path(__file__).resolve().parents[1] / "_static" / "explorer" / "trajectories.json"


def test_surfaces_have_their_minimum_where_stated():
    assert quad(torch.tensor([0.0, 0.0])).item() == 0
    assert valley(torch.tensor([1.0, 1.0])).item() == 0


def test_quad_curvature_is_its_second_derivative_along_y():
    hessian = torch.autograd.functional.hessian(quad, torch.tensor([0.3, -0.7], dtype=torch.float64))
    assert torch.equal(hessian, torch.diag(torch.tensor([1.0, QUAD_CURVATURE], dtype=torch.float64)))


def test_sgd_path_is_gradient_steps():
    lr = 0.05
    path = descend(quad, [-4.0, 1.0], "SGD", [(lr, None)], 3)
    p = np.array([-4.0, 1.0])
    for step in range(1, 4):
        p = p - lr * np.array([p[0], 20 * p[1]])
        np.testing.assert_allclose(path[step, 0].numpy(), p, atol=1e-12)


@pytest.mark.parametrize(
    "name, make",
    [
        ("momentum", lambda p, lr, b: torch.optim.SGD([p], lr=lr, momentum=b)),
        ("RMSProp", lambda p, lr, b: torch.optim.RMSprop([p], lr=lr, alpha=b)),
        ("Adam", lambda p, lr, b: torch.optim.Adam([p], lr=lr, betas=(b, 0.999))),
    ],
)
def test_each_group_runs_alone_with_its_own_beta(name, make):
    # Several (lr, beta) pairs in one optimizer must give each pair the path torch takes alone.
    settings = [(0.01, 0.5), (0.003, 0.9), (0.02, 0.99)]
    together = descend(valley, [-1.5, 2.0], name, settings, 25)
    for i, (lr, beta) in enumerate(settings):
        p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = make(p, lr, beta)
        for _ in range(25):
            opt.zero_grad()
            valley(p).backward()
            opt.step()
        torch.testing.assert_close(together[-1, i], p.detach(), rtol=1e-12, atol=1e-12)


def test_unknown_optimizer_is_refused_by_name():
    with pytest.raises(ValueError, match="choose one of"):
        descend(quad, [0.0, 0.0], "adagrad", [(0.1, 0.9)], 1)


def test_encode_round_trips_within_the_quantum():
    box = (-4.5, 1.5, -1.5, 1.5)
    path = descend(quad, [-4.0, 1.0], "Adam", [(0.3, 0.9)], 60)[:, 0]
    codes = encode(path, box)
    assert all(isinstance(c, int) for c in codes)
    back = decode(codes, box)
    assert back.shape == (61, 2)
    assert np.abs(back[:, 0] - path[:, 0].numpy()).max() <= 0.5 * 6.0 / QUANTUM + 1e-12
    assert np.abs(back[:, 1] - path[:, 1].numpy()).max() <= 0.5 * 3.0 / QUANTUM + 1e-12


def test_a_diverging_path_ends_on_the_border_where_it_left():
    box = (-1.0, 1.0, -1.0, 1.0)
    path = torch.tensor([[0.0, 0.0], [0.5, 0.5], [100.0, -0.5], [math.inf, math.nan]], dtype=torch.float64)
    back = decode(encode(path, box), box)
    # Kept up to the first point far outside (more than one window beyond an edge), moved onto that border.
    np.testing.assert_allclose(back, [[0.0, 0.0], [0.5, 0.5], [3.0, -0.5]])
    nan_path = torch.tensor([[0.0, 0.0], [math.nan, -math.inf]], dtype=torch.float64)
    np.testing.assert_allclose(decode(encode(nan_path, box), box), [[0.0, 0.0], [3.0, -3.0]])


#: Steps of a path compared on a machine whose arithmetic is not the one that wrote the file:
#: a last-bit difference between CPUs moved a chaotic path by a thousandth of the window only
#: after many steps (measured between an AMD EPYC and an Intel Xeon: 2 of the file's 342 paths
#: differed, both on the valley, from steps 102 and 146), an error in the code at once.
STEPS_ON_OTHER_ARITHMETIC = 20


def test_the_sites_file_is_what_the_package_computes():
    from scripts import reference_machine

    # The file is written on the machine that executed the chapters (scripts/reference_machine.py).
    whole = reference_machine.compare_tagged_cells()
    if not whole:
        warnings.warn(f"explorer paths compared on their first {STEPS_ON_OTHER_ARITHMETIC} steps only: "
                      f"{reference_machine.describe()}", stacklevel=1)
    stored = json.loads(DATA.read_text())
    assert stored["lr_factors"] == list(LR_FACTORS) and stored["betas"] == list(BETAS)
    assert stored["quantum"] == QUANTUM and stored["optimizers"] == list(OPTIMIZERS)
    assert [s["name"] for s in stored["surfaces"]] == [s.name for s in SURFACES]
    # The contour lines depend on the surface alone, not on any rate or beta.
    fresh = trajectories(lr_factors=(1.0,), betas=(BETAS[0],))
    assert [s["contours"] for s in fresh["surfaces"]] == [s["contours"] for s in stored["surfaces"]]
    # Recompute a sample: every optimizer on every surface at the smallest, middle and largest rate.
    for surface, entry in zip(SURFACES, stored["surfaces"]):
        for name in OPTIMIZERS:
            saved = entry["optimizers"][name]
            assert len(saved["paths"]) == len(LR_FACTORS)
            for i in (0, len(LR_FACTORS) // 2, len(LR_FACTORS) - 1):
                j = 0 if name == "SGD" else len(BETAS) - 2
                beta = None if name == "SGD" else BETAS[j]
                path = descend(surface.f, list(surface.start), name, [(surface.lrs[name] * LR_FACTORS[i], beta)],
                               surface.steps)[:, 0]
                expected, computed = saved["paths"][i][j], encode(path, surface.box)
                if not whole:
                    expected, computed = (p[: 2 * (STEPS_ON_OTHER_ARITHMETIC + 1)] for p in (expected, computed))
                assert expected == computed, (surface.name, name, i, j)


def test_each_path_and_final_loss_is_its_own_rate_and_betas_and_none_once_it_overflows():
    # Two rates by two betas, so a swapped index or a neighbour's path reads differently; the
    # second rate is large enough that some paths overflow.
    factors, betas = (0.5, 1e4), (0.5, 0.9)
    data = trajectories(lr_factors=factors, betas=betas)
    overflowed = 0
    for surface, entry in zip(SURFACES, data["surfaces"]):
        # explorer.js starts each path at "start" and labels it with "lr" times the factor.
        assert entry["start"] == list(surface.start)
        for name in OPTIMIZERS:
            stored = entry["optimizers"][name]
            assert stored["lr"] == surface.lrs[name]
            for i, factor in enumerate(factors):
                for j, beta in enumerate([None] if name == "SGD" else betas):
                    where = (surface.name, name, i, j)
                    alone = descend(surface.f, list(surface.start), name,
                                    [(surface.lrs[name] * factor, beta)], surface.steps)
                    assert stored["paths"][i][j] == encode(alone[:, 0], surface.box), where
                    loss = surface.f(alone[-1]).item()
                    if math.isfinite(loss):
                        assert stored["final_loss"][i][j] == pytest.approx(loss, rel=5e-3), where
                    else:
                        assert stored["final_loss"][i][j] is None, where
                        overflowed += 1
    assert overflowed, "the grid holds an overflowing path"


def test_trajectories_shapes_on_a_small_grid():
    data = trajectories(lr_factors=(0.5, 1.0), betas=(0.9,))
    for entry in data["surfaces"]:
        assert len(entry["optimizers"]["SGD"]["paths"][0]) == 1
        assert len(entry["optimizers"]["Adam"]["paths"]) == 2
        assert entry["contours"], "contour lines drawn"
        losses = entry["optimizers"]["Adam"]["final_loss"]
        assert all(v is None or v >= 0 for row in losses for v in row)


def test_the_default_betas_are_torchs_where_torch_has_one():
    defaults = {name: inspect.signature(cls).parameters
                for name, cls in (("RMSProp", torch.optim.RMSprop), ("Adam", torch.optim.Adam))}
    assert DEFAULT_BETAS["RMSProp"] == defaults["RMSProp"]["alpha"].default
    assert DEFAULT_BETAS["Adam"] == defaults["Adam"]["betas"].default[0]
    # torch's SGD defaults to no momentum (0); book/04_optimizers.ipynb's is 0.9.
    assert DEFAULT_BETAS["momentum"] == 0.9


def test_write_replaces_the_file_whole_or_leaves_it(tmp_path, monkeypatch):
    from lesson5 import atomic, explorer

    monkeypatch.setattr(explorer, "trajectories", lambda: {"surfaces": [1, 2]})
    path = tmp_path / "trajectories.json"
    assert explorer.write(path) == path.stat().st_size
    assert json.loads(path.read_text()) == {"surfaces": [1, 2]}

    def interrupted(*args):
        raise OSError("interrupted")

    monkeypatch.setattr(explorer, "trajectories", lambda: {"surfaces": [3]})
    monkeypatch.setattr(atomic.os, "replace", interrupted)
    with pytest.raises(OSError, match="interrupted"):
        explorer.write(path)
    assert json.loads(path.read_text()) == {"surfaces": [1, 2]}
    assert [p.name for p in tmp_path.iterdir()] == ["trajectories.json"]


def test_the_command_writes_only_the_file_it_is_given(tmp_path, monkeypatch, capsys):
    # `python -m lesson5.explorer --help` wrote the paths to a file named "--help".
    from lesson5 import explorer

    monkeypatch.setattr(explorer, "trajectories", lambda: {"surfaces": []})
    monkeypatch.chdir(tmp_path)
    for asked, code in [(["--help"], 0), ([], 2)]:
        with pytest.raises(SystemExit) as stopped:
            explorer.main(asked)
        assert stopped.value.code == code
    assert "trajectories.json" in capsys.readouterr().out
    assert not list(tmp_path.iterdir())
    explorer.main(["paths.json"])
    assert [p.name for p in tmp_path.iterdir()] == ["paths.json"]
    assert "bytes to paths.json" in capsys.readouterr().out
