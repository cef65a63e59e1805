"""Principal component analysis: the few directions along which data varies most.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings), where it
squeezes 40 movie factors into 3 readable axes; any layer's activations can be squeezed
the same way.
"""

from dataclasses import dataclass

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
