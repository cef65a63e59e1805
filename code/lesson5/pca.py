"""Principal component analysis, and ranking items along a learned direction.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings), where it
squeezes 40 movie factors into 3 readable axes; any layer's activations can be squeezed
the same way.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch


@dataclass(frozen=True, eq=False)
class PCA:
    """The result of `pca`: scores (n, k), components (k, d), explained_ratio (k,), mean (d,)."""

    scores: torch.Tensor
    components: torch.Tensor
    explained_ratio: torch.Tensor
    mean: torch.Tensor

    def transform(self, x):
        """Coordinates of new rows `x` (m, d) along the same components."""
        return (torch.as_tensor(x, dtype=self.mean.dtype) - self.mean) @ self.components.T


def pca(x, k=3):
    """The first `k` principal components of the rows of `x` (n, d), by SVD of the centred data.

    Centring first matters: without it the first component points at the mean of the rows
    instead of along their largest spread. A component's sign is arbitrary, so each is
    flipped to make its largest-magnitude loading positive; the result is then the same
    on every machine.
    """
    x = torch.as_tensor(x).detach().to(torch.float64)
    if x.ndim != 2:
        raise ValueError(f"pca expects a 2-D (rows, features) tensor, got shape {tuple(x.shape)}")
    if not 1 <= k <= min(x.shape):
        raise ValueError(f"k must be between 1 and {min(x.shape)} for shape {tuple(x.shape)}, got {k}")
    mean = x.mean(dim=0)
    _, s, vt = torch.linalg.svd(x - mean, full_matrices=False)
    components = vt[:k]
    biggest = components.abs().argmax(dim=1)
    components = components * components[torch.arange(k), biggest].sign()[:, None]
    variance = s**2
    return PCA((x - mean) @ components.T, components, variance[:k] / variance.sum(), mean)


def top_bottom(values, labels, n=10, name="value", label="title", extra=None, digits=3):
    """The `n` labels with the highest values beside the `n` with the lowest, as one table.

    `values` is one number per label (a bias, a principal-component score); `extra` maps
    column names to further numbers per label to show alongside (a mean rating). Columns
    are grouped under "highest" and "lowest"; numbers are rounded to `digits` for display.
    """
    frame = pd.DataFrame({label: list(labels), name: _numbers(values)})
    for column, numbers in (extra or {}).items():
        frame[column] = _numbers(numbers)
    if len(frame) < n:
        raise ValueError(f"asked for {n} highest and lowest but there are only {len(frame)} items")
    high = frame.sort_values(name, ascending=False, kind="stable").head(n)
    low = frame.sort_values(name, ascending=True, kind="stable").head(n)
    table = pd.concat({"highest": high.reset_index(drop=True), "lowest": low.reset_index(drop=True)}, axis=1)
    table.index = range(1, n + 1)
    return table.round(digits)


def _numbers(values):
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().double().numpy().reshape(-1)
    return np.asarray(values, dtype=np.float64).reshape(-1)
