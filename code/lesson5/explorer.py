"""Optimizers on 2-D surfaces, and the precomputed paths of the optimizer explorer.

Introduced in book/04_optimizers.ipynb (Accelerated SGD), which draws SGD, momentum, RMSProp
and Adam descending the two surfaces below. The same paths, for a grid of learning rates and
betas, are what the interactive explorer on the course site plays back: the site is static,
with no Python behind it, so every path a reader can pick is computed here, once, with the
package's own optimizers, and written to `_static/explorer/trajectories.json`
(`python -m lesson5.explorer PATH` rewrites it; tests/test_explorer.py checks it is current).
The page's script, `_static/explorer/explorer.js`, only draws what the file holds.
"""

import argparse
import json
import math
from dataclasses import dataclass

import numpy as np
import torch

from .atomic import write_atomically
from .optim import SGD, Adam, RMSprop

#: `quad`'s curvature along y, its second derivative there (along x it is 1): gradient descent
#: on it diverges above a learning rate of 2 / QUAD_CURVATURE, which book/04_optimizers.ipynb
#: sets beside the rates its grid finds.
QUAD_CURVATURE = 20


def quad(p):
    """An ill-conditioned bowl, QUAD_CURVATURE times steeper along y than along x: ½x² + ½·QUAD_CURVATURE·y²."""
    return 0.5 * p[..., 0] ** 2 + QUAD_CURVATURE / 2 * p[..., 1] ** 2


def valley(p):
    """A Rosenbrock-style curved valley with its minimum at (1, 1): (1 - x)² + 10(y - x²)²."""
    return (1 - p[..., 0]) ** 2 + 10 * (p[..., 1] - p[..., 0] ** 2) ** 2


@dataclass(frozen=True)
class Surface:
    """A function of two parameters, where descents on it start, and the window drawn."""

    f: object
    formula: str
    start: tuple
    steps: int
    box: tuple  # (x0, x1, y0, y1)
    lrs: dict  # one learning rate per optimizer: the rate the chapter's figure uses

    @property
    def name(self):
        return self.f.__name__


#: The chapter's two surfaces, with the learning rate of each optimizer in its figure.
SURFACES = (
    Surface(quad, "½x² + 10y²", (-4.0, 1.0), 60, (-4.5, 1.5, -1.5, 1.5),
            {"SGD": 0.09, "momentum": 0.01, "RMSProp": 0.1, "Adam": 0.3}),
    Surface(valley, "(1 − x)² + 10(y − x²)²", (-1.5, 2.0), 150, (-2.0, 2.0, -0.5, 3.0),
            {"SGD": 0.01, "momentum": 0.004, "RMSProp": 0.03, "Adam": 0.1}),
)


def _group(name, beta):
    """The hyper-parameters that `beta` sets in one param group of optimizer `name`.

    β is momentum's β for SGD with momentum, β1 for Adam, and for RMSProp (which has no
    momentum) α, the decay of its average of squared gradients. Plain SGD has none.
    """
    if name == "SGD":
        return {}
    if name == "momentum":
        return {"momentum": beta}
    if name == "RMSProp":
        return {"alpha": beta}
    if name == "Adam":
        return {"betas": (beta, ADAM_BETA2)}
    # `descend` refuses unknown names first; this keeps a new optimizer from passing silently.
    raise ValueError(f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")


#: Adam's β2 on the surfaces, torch's default (the chapter's spreadsheet runs use fastai's 0.99).
ADAM_BETA2 = 0.999

#: Each optimizer's β at torch's defaults (momentum 0.9 as the lesson's, RMSprop's alpha, Adam's beta1).
DEFAULT_BETAS = {"SGD": None, "momentum": 0.9, "RMSProp": 0.99, "Adam": 0.9}

#: The optimizers the explorer offers, in the order it lists them.
OPTIMIZERS = ("SGD", "momentum", "RMSProp", "Adam")
_CLASSES = {"SGD": SGD, "momentum": SGD, "RMSProp": RMSprop, "Adam": Adam}


def descend(f, start, name, settings, steps):
    """Runs one copy of the point per entry of `settings`, each in its own
    param group.

    `settings` is a list of (lr, beta) pairs (beta is ignored for plain SGD;
    see `_group`). Returns the path as a float64 tensor of shape (steps + 1,
    len(settings), 2). A copy that overflows carries on as inf/NaN, the
    others are unaffected: each group steps alone.
    """
    if name not in _CLASSES:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {OPTIMIZERS}")
    points = [torch.tensor(start, dtype=torch.float64, requires_grad=True)
              for _ in settings]
    groups = [{"params": [p], "lr": lr, **_group(name, beta)}
              for p, (lr, beta) in zip(points, settings)]
    opt = _CLASSES[name](groups, lr=groups[0]["lr"])
    path = [torch.stack([p.detach() for p in points])]
    for _ in range(steps):
        opt.zero_grad()
        # f on all the points at once, one row each, rather than once per
        # point (several times slower): a point's gradient is still that of
        # its own row alone.
        f(torch.stack(points)).sum().backward()
        opt.step()
        path.append(torch.stack([p.detach() for p in points]))
    return torch.stack(path)


#: Each optimizer's learning rate is its rate in the chapter's figure times one of these.
LR_FACTORS = tuple(round(10 ** (k / 4), 4) for k in range(-4, 5))
#: The betas offered (see `_group` for what β means for each optimizer).
BETAS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)


def _clamp(v, low, high):
    """`v` moved into [low, high]; NaN (an overflowed coordinate) goes to `high`."""
    return high if v != v else min(max(v, low), high)


#: Coordinates are stored in steps of 1/QUANTUM of the window's width (x) or height (y):
#: a thousandth of the window is below a pixel of the drawing.
QUANTUM = 1000


def encode(path, box):
    """A path as the integer list the explorer's file stores: [qx0, qy0, dx1, dy1, dx2, dy2, ...].

    (qx0, qy0) is the start in steps of 1/QUANTUM of the window from its lower left corner;
    each further pair is the move from the previous point in the same steps (small numbers,
    so the file stays small). The path ends at its first point more than the window's own size
    beyond an edge: that point is moved onto that border and kept, so the drawing shows where
    the path left, and the rest is dropped (a diverging path would go on to inf and NaN).
    """
    x0, x1, y0, y1 = box
    w, h = x1 - x0, y1 - y0
    out, prev = [], (0, 0)
    for x, y in path.tolist():
        cx, cy = _clamp(x, x0 - w, x1 + w), _clamp(y, y0 - h, y1 + h)
        q = (round((cx - x0) / w * QUANTUM), round((cy - y0) / h * QUANTUM))
        out += [q[0] - prev[0], q[1] - prev[1]]
        prev = q
        if (cx, cy) != (x, y):
            break
    return out


def decode(codes, box):
    """The points (an (n, 2) array) that `encode` stored, to within 1/QUANTUM of the window."""
    x0, x1, y0, y1 = box
    q = np.cumsum(np.asarray(codes, dtype=np.int64).reshape(-1, 2), axis=0)
    return np.stack([x0 + q[:, 0] / QUANTUM * (x1 - x0), y0 + q[:, 1] / QUANTUM * (y1 - y0)], axis=1)


def _contours(surface, levels, n=121):
    """Contour lines of `surface` over its window, each encoded as `encode` does a path."""
    import contourpy

    x0, x1, y0, y1 = surface.box
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    z = surface.f(torch.from_numpy(np.stack([gx, gy], -1))).numpy()
    gen = contourpy.contour_generator(gx, gy, z)
    lines = []
    for level in levels:
        for line in gen.lines(level):
            lines.append(encode(torch.from_numpy(line[::2]), surface.box))
    return lines


def trajectories(surfaces=SURFACES, lr_factors=LR_FACTORS, betas=BETAS):
    """Everything the explorer shows, as a JSON-ready dict.

    For each surface: its name, formula, window, start, contour lines, and per optimizer the
    base learning rate and `paths[i][j]`, the path at `lr_factors[i]` times the base rate and
    `betas[j]` (plain SGD has one entry per rate, since β does not apply to it), each path as
    `encode` writes it, and `final_loss[i][j]`, the loss after the last step (None if it overflowed).
    """
    out = {"quantum": QUANTUM, "lr_factors": list(lr_factors), "betas": list(betas),
           "optimizers": list(OPTIMIZERS), "surfaces": []}
    levels = np.geomspace(0.01, 60, 15)
    for s in surfaces:
        entry = {"name": s.name, "formula": s.formula, "box": list(s.box), "start": list(s.start),
                 "steps": s.steps, "contours": _contours(s, levels), "optimizers": {}}
        for name in OPTIMIZERS:
            betas_here = [None] if name == "SGD" else list(betas)
            settings = [(s.lrs[name] * k, b) for k in lr_factors for b in betas_here]
            path = descend(s.f, list(s.start), name, settings, s.steps)
            final = s.f(path[-1]).tolist()
            flat = [encode(path[:, i], s.box) for i in range(len(settings))]
            n_b = len(betas_here)
            entry["optimizers"][name] = {
                "lr": s.lrs[name],
                "paths": [flat[i * n_b:(i + 1) * n_b] for i in range(len(lr_factors))],
                "final_loss": [[_finite_or_none(final[i * n_b + j]) for j in range(n_b)]
                               for i in range(len(lr_factors))],
            }
        out["surfaces"].append(entry)
    return out


def _finite_or_none(value):
    return float(f"{value:.3g}") if math.isfinite(value) else None


def write(path):
    """Writes `trajectories()` to `path` as compact JSON; returns its size in bytes."""
    data = json.dumps(trajectories(), separators=(",", ":"), allow_nan=False).encode()
    # Atomic: the site never serves a file cut short by an interrupted run.
    write_atomically(path, data)
    return len(data)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m lesson5.explorer",
        description="Computes every path the optimizer explorer offers and writes them as JSON.")
    parser.add_argument("path", help="the file to write: _static/explorer/trajectories.json")
    path = parser.parse_args(argv).path
    print(f"wrote {write(path):,} bytes to {path}")


if __name__ == "__main__":
    main()
