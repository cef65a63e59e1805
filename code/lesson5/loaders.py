"""Mini-batches of in-memory tensors, taken by index.

Introduced in book/02_from_scratch.ipynb. Every dataset in this course fits in memory, so a
batch is one indexing operation per tensor (a slice, which copies nothing, when unshuffled):
no per-item Python objects, no collation.
"""

import torch

from .optim import is_count


class DataLoader:
    """Yields tuples of batches `(t[idx] for t in tensors)`, `bs` rows at a time; the last
    batch is shorter when `bs` does not divide the length, or dropped with `drop_last=True`.

    With `shuffle=True` the order is a new permutation each pass, drawn from `generator`
    (or the global torch RNG, which the chapters seed).
    """

    def __init__(self, *tensors, bs=64, shuffle=False, drop_last=False, generator=None):
        if not tensors:
            raise ValueError("DataLoader needs at least one tensor")
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            raise ValueError(f"all tensors need the same length; got {[len(t) for t in tensors]}")
        # A bool is an int to Python, and bs=2.5 failed only at len(), far from here.
        if not is_count(bs):
            raise ValueError(f"bs must be a positive batch size, a whole number, got {bs!r}")
        self.tensors, self.n, self.bs = tensors, n, bs
        self.shuffle, self.drop_last, self.generator = shuffle, drop_last, generator

    def __len__(self):
        return self.n // self.bs if self.drop_last else -(-self.n // self.bs)

    def __iter__(self):
        if self.shuffle:
            order = torch.randperm(self.n, generator=self.generator)
            for i in range(len(self)):
                idx = order[i * self.bs : (i + 1) * self.bs]
                yield tuple(t[idx] for t in self.tensors)
        else:
            # Contiguous slices are views: no copy at all.
            for i in range(len(self)):
                yield tuple(t[i * self.bs : (i + 1) * self.bs] for t in self.tensors)


class DataLoaders:
    """A training loader and an optional validation loader."""

    def __init__(self, train, valid=None):
        self.train, self.valid = train, valid

    @classmethod
    def from_tensors(cls, x_train, y_train, x_valid=None, y_valid=None, bs=64, valid_bs=None):
        """Shuffled training batches of `bs`; validation in order, in batches of `valid_bs` (default 2·bs)."""
        if (x_valid is None) != (y_valid is None):
            raise ValueError("pass both x_valid and y_valid, or neither")
        train = DataLoader(x_train, y_train, bs=bs, shuffle=True)
        valid = None
        if x_valid is not None:
            valid = DataLoader(x_valid, y_valid, bs=2 * bs if valid_bs is None else valid_bs)
        return cls(train, valid)
