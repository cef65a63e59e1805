"""Collaborative filtering with embeddings: the dot-product model and the neural-network model.

Introduced in book/06_collab.ipynb (Collaborative filtering and embeddings).

Both models read a batch of integer codes, one column per categorical variable (for
MovieLens: user, movie), look each code up in an embedding table and predict a rating
squeezed into `y_range` by `sigmoid_range`.
"""

import numpy as np
import pandas as pd
import torch
from torch import nn

from .loaders import DataLoaders
from .splits import check_book_split


def sigmoid_range(x, low, high):
    """A sigmoid stretched to (low, high): outputs can approach both ends but, in exact
    arithmetic, never reach them.

    That is why a model of 1-5 star ratings uses a high end a little above 5: a rating of 5
    is then reachable with a finite activation. In float32, though, the sigmoid rounds to
    exactly 1 from an activation of about 17, and `low` plus a tiny product rounds to `low`
    from some large negative activation (about -100 when `low` is 0, nearer -20 when it is 1),
    so there the ends themselves come out; a model that has to push that far to fit a rating
    has its range too tight.
    """
    if not low < high:
        raise ValueError(f"sigmoid_range needs low < high, got low={low}, high={high}")
    return low + (high - low) * torch.sigmoid(x)


def _embedding(n, dim, std=0.01):
    # Small initial factors: the first predictions are all near the middle of y_range and
    # the dot products start tiny, whatever the number of factors.
    emb = nn.Embedding(n, dim)
    nn.init.normal_(emb.weight, std=std)
    return emb


class DotProductBias(nn.Module):
    """rating = sigmoid_range(user · item + user bias + item bias): matrix factorization.

    Input: a long tensor of shape (N, 2) holding (user index, item index) rows. A fixed
    `offset` joins the sum before it is squeezed: book/06_collab.ipynb sets it so that
    all-zero parameters predict the training mean (Koren's μ). `y_range=None` returns the sum
    unsqueezed, as the lesson's spreadsheet predicts: the chapter measures what the squeeze buys.
    """

    def __init__(self, n_users, n_items, n_factors=40, y_range=(0.0, 5.5), offset=0.0):
        super().__init__()
        self.user_factors = _embedding(n_users, n_factors)
        self.item_factors = _embedding(n_items, n_factors)
        # One learned number per user and per item, looked up by index like an embedding.
        # Kept 1-D, like a linear layer's bias, so weight decay leaves them alone by default
        # (lesson5.weight_decay.decay_split); book/06_collab.ipynb measures why.
        self.user_bias = nn.Parameter(torch.zeros(n_users))
        self.item_bias = nn.Parameter(torch.zeros(n_items))
        self.y_range, self.offset = y_range, offset

    def forward(self, x):
        _check_codes(x, self.user_factors, self.item_factors)
        users, items = x[:, 0], x[:, 1]
        dot = (self.user_factors(users) * self.item_factors(items)).sum(dim=1)
        out = dot + self.user_bias[users] + self.item_bias[items]
        if self.offset:
            out = out + self.offset
        return out if self.y_range is None else sigmoid_range(out, *self.y_range)


class EmbeddingNN(nn.Module):
    """Entity embeddings: one embedding per categorical column, concatenated, then an MLP.

    With columns (user, item) this is the neural-network alternative to `DotProductBias`;
    with user features (age group, occupation, ...) it is the model of Guo & Berkhahn (2016).
    Input: a long tensor of shape (N, len(cardinalities)) of codes in [0, cardinality).
    `y_range=None` returns the last layer's output unsqueezed, as in `DotProductBias`.
    """

    def __init__(self, cardinalities, emb_sizes, hidden=(100,), y_range=(0.0, 5.5)):
        super().__init__()
        if len(cardinalities) != len(emb_sizes):
            raise ValueError(f"one embedding size per column: got {len(cardinalities)} cardinalities "
                             f"and {len(emb_sizes)} sizes")
        self.embeds = nn.ModuleList(_embedding(n, k) for n, k in zip(cardinalities, emb_sizes))
        layers, n_in = [], sum(emb_sizes)
        for n_out in hidden:
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
            n_in = n_out
        layers.append(nn.Linear(n_in, 1))
        self.layers = nn.Sequential(*layers)
        self.y_range = y_range

    def forward(self, x):
        _check_codes(x, *self.embeds)
        h = torch.cat([emb(x[:, i]) for i, emb in enumerate(self.embeds)], dim=1)
        out = self.layers(h).squeeze(1)
        return out if self.y_range is None else sigmoid_range(out, *self.y_range)


def _check_codes(x, *embeddings):
    """Checks that `x` holds one column of codes per embedding, each code a row of its embedding."""
    n_cols = len(embeddings)
    if x.ndim != 2 or x.shape[1] != n_cols or x.dtype != torch.long:
        raise ValueError(f"expected a long tensor of shape (N, {n_cols}) of category codes, "
                         f"got {x.dtype} of shape {tuple(x.shape)}")
    if len(x) == 0:
        return
    # An embedding's own error ("index out of range in self") names neither the column nor the code.
    lows, highs = (t.tolist() for t in torch.aminmax(x, dim=0))
    sizes = [emb.num_embeddings for emb in embeddings]
    for col, (low, high, n) in enumerate(zip(lows, highs, sizes)):
        if low < 0 or high >= n:
            bad = low if low < 0 else high
            raise ValueError(f"column {col} holds code {bad}, outside [0, {n}): the model was built for "
                             f"{n} categories there; build it with the data's counts, or re-code the ids "
                             f"from 0 (ratings_tensors does)")


def split_ratings(ratings, valid_pct=0.2, seed=42):
    """(train, valid): a random split of the rows, the same for a given seed on every run (a
    NumPy that draws the book's MovieLens split otherwise gets a warning, `lesson5.splits`)."""
    if not 0 < valid_pct < 1:
        raise ValueError(f"valid_pct must be between 0 and 1, got {valid_pct}")
    n_valid = round(valid_pct * len(ratings))
    _check_both_sides(n_valid, len(ratings), valid_pct)
    order = np.random.default_rng(seed).permutation(len(ratings))
    check_book_split("ratings", len(ratings), order[:n_valid], seed)
    return ratings.iloc[order[n_valid:]], ratings.iloc[order[:n_valid]]


def _check_both_sides(n_valid, n_rows, valid_pct):
    # Here, before the draw: an empty side would otherwise fail in training, far from its cause.
    if n_rows < 2:
        raise ValueError(f"split_ratings needs at least 2 rows, one for each side, got {n_rows}")
    if not 0 < n_valid < n_rows:
        usable = "valid_pct=0.5" if n_rows == 2 else f"a valid_pct from 1/{n_rows} to {n_rows - 1}/{n_rows}"
        raise ValueError(f"valid_pct={valid_pct} puts {n_valid} of the {n_rows} rows in the validation set and "
                         f"{n_rows - n_valid} in the training set; each side needs at least one row, which "
                         f"{usable} gives")


def mean_baseline_mse(train, valid, by=None):
    """The validation MSE of predicting every rating in `valid` by a mean of `train`'s ratings:
    the overall mean (`by=None`), or each user's or movie's own (`by="user"` or `"movie"`),
    with the overall mean for one that has no training ratings. The baselines any model of
    book/06_collab.ipynb must beat."""
    overall = train.rating.mean()
    if by is None:
        predicted = overall
    else:
        predicted = valid[by].map(train.groupby(by).rating.mean()).fillna(overall)
    return ((valid.rating - predicted) ** 2).mean()


def ratings_tensors(ratings, columns=("user", "movie"), target="rating", first=1):
    """(x, y): the id columns as a long tensor of 0-based codes, and the ratings as floats.

    MovieLens numbers users and movies from `first=1` without gaps, so the code is the id
    minus 1 and row `id - 1` of an embedding belongs to `id`. Pass `first=0` for columns
    that already hold 0-based codes (pandas' `.cat.codes`). The id columns must hold integers,
    none missing, and the target no missing value.
    """
    frame = ratings[list(columns)]
    _check_ids(frame)
    ids = frame.to_numpy(dtype=np.int64)
    if ids.min() < first:
        raise ValueError(f"ids below first={first} in {list(columns)}; re-code them or pass first=")
    x = torch.tensor(ids - first, dtype=torch.long)
    # One missing rating makes every batch's loss NaN, and with it every weight after one step.
    missing = int(ratings[target].isna().sum())
    if missing:
        raise ValueError(f"column {target!r} has {missing} missing {'value' if missing == 1 else 'values'} (NaN): "
                         f"drop those rows first (ratings.dropna(subset=[{target!r}]))")
    y = torch.tensor(ratings[target].to_numpy(), dtype=torch.float32)
    return x, y


def _check_ids(frame):
    """Refuses id columns that would not make codes: NaN passes a minimum check and becomes a huge
    negative code, and a fractional id would be truncated to another's."""
    if len(frame) == 0:
        raise ValueError("ratings has no rows: pass at least one rating (did a filter or a split leave none?)")
    for column in frame:
        missing = int(frame[column].isna().sum())
        if missing:
            ids = "id" if missing == 1 else "ids"
            raise ValueError(f"column {column!r} has {missing} missing {ids} (NaN): drop those rows first "
                             f"(ratings.dropna(subset={list(frame.columns)}))")
        if not pd.api.types.is_integer_dtype(frame[column]):
            raise ValueError(f"column {column!r} holds {frame[column].dtype} values, but ids must be integers: "
                             "convert it (.astype('int64')) if each is a whole number, or re-code it "
                             "(.astype('category').cat.codes, with first=0)")


def collab_dls(train, valid, columns=("user", "movie"), bs=64, first=1):
    """DataLoaders of (codes, rating) batches from two ratings DataFrames."""
    return DataLoaders.from_tensors(*ratings_tensors(train, columns, first=first),
                                    *ratings_tensors(valid, columns, first=first), bs=bs)
