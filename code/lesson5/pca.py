"""Principal component analysis: the few directions along which data varies most.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings), where it
squeezes 40 movie factors into 3 readable axes; any layer's activations can be squeezed
the same way.
"""

from dataclasses import dataclass

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
        return (torch.as_tensor(x).detach().to("cpu", self.mean.dtype) - self.mean) @ self.components.T


def pca(x, k=3):
    """The first `k` principal components of the rows of `x` (n, d), by SVD of the centred data.

    Centring first matters: without it the first component points at the mean of the rows
    instead of along their largest spread. A component's sign is arbitrary, so each is
    flipped to make its largest-magnitude loading positive; the result is then the same
    on every machine. It runs on the CPU wherever `x` lives (a trained model's weights may be
    on a GPU), since its results are read, printed and plotted.
    """
    x = torch.as_tensor(x).detach().to("cpu", torch.float64)
    if x.ndim != 2:
        raise ValueError(f"pca expects a 2-D (rows, features) tensor, got shape {tuple(x.shape)}")
    # Centred, n rows span at most n - 1 directions: a k-th beyond them has no variance and
    # an arbitrary direction.
    most = min(x.shape[0] - 1, x.shape[1])
    if not 1 <= k <= most:
        raise ValueError(f"k must be between 1 and {most} (at most rows - 1 and at most the features) "
                         f"for shape {tuple(x.shape)}, got {k}")
    mean = x.mean(dim=0)
    _, s, vt = torch.linalg.svd(x - mean, full_matrices=False)
    if s[0] == 0:
        raise ValueError("every row of x is the same: there is no spread for a component to follow")
    components = vt[:k]
    biggest = components.abs().argmax(dim=1)
    components = components * components[torch.arange(k), biggest].sign()[:, None]
    variance = s**2
    return PCA((x - mean) @ components.T, components, variance[:k] / variance.sum(), mean)


def correlations(scores, properties):
    """Pearson correlation of each component's scores with each known property of the rows.

    How to read an axis: a component that correlates strongly with, say, the mean rating of
    each movie is largely that property. `scores` is (n, k), e.g. `PCA.scores`; `properties`
    is a DataFrame with one row per row of `scores`, in the same order. A property missing
    (NaN) for some rows is correlated over the rows that have it. Returns a DataFrame with
    one row per component (PC1, PC2, ...) and one column per property.
    """
    scores = torch.as_tensor(scores).detach().cpu().double()
    if scores.ndim != 2 or len(scores) != len(properties):
        raise ValueError(f"scores must be (rows, components) with one row per row of properties: got shape "
                         f"{tuple(scores.shape)} for {len(properties)} rows of properties")
    frame = pd.DataFrame(scores.numpy(), columns=[f"PC{i + 1}" for i in range(scores.shape[1])])
    props = properties.reset_index(drop=True).astype(float)
    return pd.DataFrame({name: frame.corrwith(column) for name, column in props.items()})
