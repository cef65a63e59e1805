"""Image similarity: a trained body's activations, squeezed by PCA, and their nearest neighbours.

Introduced in book/07_transfer.ipynb (Transfer learning), delivering what the lesson mentions
after its PCA of movie factors (book/06_collab.ipynb): to find similar images, compare a
network's activations for them, and run them through a PCA first so that the comparison is
cheap. Label agreement of the neighbours says whether "near" means "the same kind of image".
"""

import torch

from .seed import scoring


def activations(body, x, bs=500):
    """The body's outputs for the images `x`, flattened to one row per image (eval mode, no gradients).

    Scored as `lesson5.seed.scoring` says; the body's train/eval mode is put back afterwards.
    """
    if not len(x):
        raise ValueError("activations needs at least one image, got none")
    # On the CPU whatever the body's device, beside the other images' activations that
    # `nearest` compares them with.
    with scoring(body) as device:
        return torch.cat([body(x[i : i + bs].to(device)).flatten(1).cpu() for i in range(0, len(x), bs)])


def nearest(queries, base, k=5):
    """Indices (len(queries), k) of the `k` rows of `base` closest to each query (Euclidean distance),
    on the CPU whatever `base`'s device, beside the labels `label_agreement` reads with them."""
    queries, base = torch.as_tensor(queries), torch.as_tensor(base)
    if queries.ndim != 2 or base.ndim != 2 or queries.shape[1] != base.shape[1]:
        raise ValueError(f"queries and base must be (rows, features) with the same number of features, "
                         f"got shapes {tuple(queries.shape)} and {tuple(base.shape)}")
    # One dtype and device for both, as cdist needs: a float32 query against a float64 base
    # is compared in float64.
    dtype = torch.promote_types(queries.dtype, base.dtype)
    dtype = dtype if dtype.is_floating_point else torch.float32
    queries, base = queries.to(base.device, dtype), base.to(dtype=dtype)
    if not 1 <= k <= len(base):
        raise ValueError(f"k must be between 1 and {len(base)} (the rows there are to choose from), got {k}")
    return torch.cdist(queries, base).topk(k, dim=1, largest=False).indices.cpu()


def label_agreement(neighbours, base_labels, query_labels):
    """The share of neighbours (indices into `base_labels`) whose label is their query's label."""
    neighbours = torch.as_tensor(neighbours)
    if len(neighbours) != len(query_labels):
        raise ValueError(f"one row of neighbours per query: got {len(neighbours)} rows for {len(query_labels)} labels")
    same = torch.as_tensor(base_labels)[neighbours] == torch.as_tensor(query_labels)[:, None]
    return same.float().mean().item()
