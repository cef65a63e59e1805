"""Tests of lesson5.collab (book/06_collab.ipynb)."""

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from lesson5 import collab
from lesson5.collab import (
    DotProductBias,
    EmbeddingNN,
    collab_dls,
    mean_baseline_mse,
    ratings_tensors,
    sigmoid_range,
    split_ratings,
)
from lesson5.weight_decay import decay_split


def test_sigmoid_range_maps_zero_to_middle_and_stays_inside():
    x = torch.tensor([-15.0, 0.0, 15.0])
    out = sigmoid_range(x, 0.0, 5.5)
    assert out[1] == pytest.approx(2.75)
    assert 0.0 < out[0] < 1e-5 and 5.5 - 1e-5 < out[2] < 5.5
    # Where float32 rounds the sigmoid to 0 or 1, as the docstring warns, the ends come out.
    assert sigmoid_range(torch.tensor([-110.0, 20.0]), 0.0, 5.5).tolist() == [0.0, 5.5]
    with pytest.raises(ValueError, match="low < high"):
        sigmoid_range(x, 5.0, 5.0)
    # A range that does not start at 0, as the chapter's (1, 5): the middle is 3, the ends 1 and 5.
    assert sigmoid_range(x, 1.0, 5.0).tolist() == pytest.approx([1.0, 3.0, 5.0], abs=1e-5)


def test_dot_product_bias_is_dot_plus_biases_plus_offset_squeezed():
    torch.manual_seed(0)
    model = DotProductBias(4, 6, n_factors=3, y_range=(1.0, 2.0))
    with torch.no_grad():
        model.user_bias.normal_()
        model.item_bias.normal_()
    x = torch.tensor([[0, 5], [3, 2]])
    raw = torch.stack([
        model.user_factors.weight[u] @ model.item_factors.weight[i]
        + model.user_bias[u] + model.item_bias[i]
        for u, i in x.tolist()
    ])
    assert torch.allclose(model(x), sigmoid_range(raw, 1.0, 2.0))
    shifted = DotProductBias(4, 6, n_factors=3, y_range=(1.0, 2.0), offset=-0.75)
    shifted.load_state_dict(model.state_dict())
    assert torch.allclose(shifted(x), sigmoid_range(raw - 0.75, 1.0, 2.0))
    unsqueezed = DotProductBias(4, 6, n_factors=3, y_range=None)
    unsqueezed.load_state_dict(model.state_dict())
    assert torch.allclose(unsqueezed(x), raw)


def test_no_factors_leaves_the_biases_alone_and_they_still_learn():
    # book/06_collab.ipynb's control: what the biases do without any factor.
    model = DotProductBias(4, 6, n_factors=0, y_range=None, offset=3.0)
    with torch.no_grad():
        model.user_bias.normal_()
        model.item_bias.normal_()
    x = torch.tensor([[0, 5], [3, 2]])
    expected = 3.0 + model.user_bias[x[:, 0]] + model.item_bias[x[:, 1]]
    assert torch.allclose(model(x), expected)
    F.mse_loss(model(x), torch.tensor([4.0, 2.0])).backward()
    assert model.user_bias.grad.abs().sum() > 0 and model.item_bias.grad.abs().sum() > 0


def test_biases_are_one_dimensional_so_default_weight_decay_skips_them():
    model = DotProductBias(4, 6, n_factors=3)
    assert model.user_bias.shape == (4,) and model.item_bias.shape == (6,)
    decayed, not_decayed = decay_split(model)
    assert {id(p) for p in not_decayed} == {id(model.user_bias), id(model.item_bias)}
    assert len(decayed) == 2


def test_models_reject_float_or_wrong_width_input():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        DotProductBias(4, 6)(torch.zeros(3, 2))
    with pytest.raises(ValueError, match=r"shape \(N, 3\)"):
        EmbeddingNN([4, 5, 6], [2, 2, 2])(torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="one embedding size per column"):
        EmbeddingNN([4, 5], [2])


def test_models_name_a_code_outside_their_table():
    with pytest.raises(ValueError, match=r"column 1 holds code 6, outside \[0, 6\)"):
        DotProductBias(4, 6)(torch.tensor([[0, 5], [3, 6]]))
    with pytest.raises(ValueError, match=r"column 0 holds code -1"):
        EmbeddingNN([4, 5], [2, 2])(torch.tensor([[-1, 0]]))
    assert DotProductBias(4, 6)(torch.tensor([[3, 5]])).shape == (1,)


def test_embedding_nn_shapes_and_range():
    torch.manual_seed(0)
    model = EmbeddingNN([4, 5, 6], [2, 3, 4], hidden=(8, 8), y_range=(1.0, 5.0))
    assert model.layers[0].in_features == 9
    x = torch.tensor([[0, 4, 5], [3, 0, 0]])
    out = model(x)
    assert out.shape == (2,) and ((out > 1) & (out < 5)).all()
    # A batch of one is still a batch (get_preds concatenates the batches' predictions).
    assert model(x[:1]).shape == (1,)


def test_embedding_nn_without_a_range_returns_its_last_layer_unsqueezed():
    torch.manual_seed(0)
    model = EmbeddingNN([4, 5], [2, 3], hidden=(8,), y_range=None)
    x = torch.tensor([[0, 4], [3, 0]])
    # From the weights, as the next test does, but with no squeeze on the last layer's output.
    h = torch.cat([model.embeds[0].weight[x[:, 0]], model.embeds[1].weight[x[:, 1]]], dim=1)
    expected = model.layers[-1](torch.relu(model.layers[0](h))).squeeze(1)
    assert torch.allclose(model(x), expected)
    assert ((expected < 0) | (expected > 1)).any()  # outside any sigmoid's range


def test_embedding_nn_concatenates_each_columns_embedding_then_runs_its_mlp():
    torch.manual_seed(0)
    model = EmbeddingNN([4, 5], [2, 3], hidden=(6,), y_range=(0.5, 5.0))
    x = torch.tensor([[0, 4], [3, 1], [2, 2]])
    h = torch.cat([model.embeds[0].weight[x[:, 0]], model.embeds[1].weight[x[:, 1]]], dim=1)
    expected = model.layers[-1](torch.relu(model.layers[0](h))).squeeze(1)
    assert torch.allclose(model(x), sigmoid_range(expected, 0.5, 5.0))


def test_a_new_dot_product_model_predicts_near_the_middle_of_its_range():
    torch.manual_seed(0)
    model = DotProductBias(50, 60, n_factors=40, y_range=(0.0, 5.5))
    x = torch.cartesian_prod(torch.arange(50), torch.arange(60))
    assert (model(x) - 2.75).abs().max() < 0.01


def test_dot_product_bias_learns_a_rank_one_table():
    torch.manual_seed(0)
    users, items = torch.rand(8), torch.rand(10)
    table = 1 + 3 * users[:, None] * items[None, :]
    x = torch.cartesian_prod(torch.arange(8), torch.arange(10))
    y = table.reshape(-1)
    model = DotProductBias(8, 10, n_factors=2, y_range=(0.0, 5.5))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(500):
        loss = F.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 1e-3


def test_split_is_seeded_disjoint_and_complete():
    ratings = pd.DataFrame({"user": range(1, 101), "movie": 1, "rating": 3.0})
    train, valid = split_ratings(ratings, valid_pct=0.2, seed=1)
    again, _ = split_ratings(ratings, valid_pct=0.2, seed=1)
    assert len(valid) == 20 and len(train) == 80
    assert set(train.user) | set(valid.user) == set(range(1, 101))
    assert not set(train.user) & set(valid.user)
    assert train.user.tolist() == again.user.tolist()
    # The seed decides the split: another one draws other rows.
    other, _ = split_ratings(ratings, valid_pct=0.2, seed=2)
    assert set(other.user) != set(train.user)
    with pytest.raises(ValueError, match="valid_pct"):
        split_ratings(ratings, valid_pct=1.5)


@pytest.mark.parametrize("n_rows, valid_pct, message", [
    (100_000, 1e-9, r"valid_pct=1e-09 puts 0 of the 100000 rows in the validation set and 100000 in the training "
                    r"set; each side needs at least one row, which a valid_pct from 1/100000 to 99999/100000 gives"),
    (100_000, 0.999999, r"puts 100000 of the 100000 rows in the validation set and 0 in the training set"),
    (2, 0.2, r"puts 0 of the 2 rows .* which valid_pct=0.5 gives"),
    (1, 0.5, r"needs at least 2 rows, one for each side, got 1"),
    (0, 0.2, r"needs at least 2 rows, one for each side, got 0"),
], ids=["tiny-pct", "huge-pct", "two-rows", "one-row", "no-rows"])
def test_split_refuses_to_leave_either_side_empty_before_drawing(monkeypatch, n_rows, valid_pct, message):
    ratings = pd.DataFrame({"rating": np.zeros(n_rows)})
    monkeypatch.setattr(collab.np.random, "default_rng", lambda seed: pytest.fail("drew a split it should refuse"))
    with pytest.raises(ValueError, match=message):
        split_ratings(ratings, valid_pct=valid_pct)


@pytest.mark.parametrize("user, message", [
    ([1.0, float("nan")], r"column 'user' has 1 missing id \(NaN\): drop those rows"),
    ([1.5, 2.0], r"column 'user' holds float64 values, but ids must be integers"),
    ([], r"ratings has no rows"),
], ids=["missing", "fractional", "empty"])
def test_ratings_tensors_refuse_ids_that_are_not_whole_numbers_or_no_rows(user, message):
    ratings = pd.DataFrame({"user": user, "movie": [1] * len(user), "rating": [4.0] * len(user)})
    with pytest.raises(ValueError, match=message):
        ratings_tensors(ratings)


def test_ratings_tensors_refuse_a_missing_rating():
    # It trained: every loss, and every weight after the first step, NaN.
    ratings = pd.DataFrame({"user": [1, 2, 3], "movie": [1, 1, 2], "stars": [4.0, float("nan"), float("nan")]})
    message = r"column 'stars' has 2 missing values \(NaN\): .*dropna\(subset=\['stars'\]\)"
    with pytest.raises(ValueError, match=message):
        ratings_tensors(ratings, target="stars")


def test_ratings_tensors_codes_from_ids():
    ratings = pd.DataFrame({"user": [1, 3], "movie": [2, 1], "rating": [4, 5]})
    x, y = ratings_tensors(ratings)
    assert x.tolist() == [[0, 1], [2, 0]] and x.dtype == torch.long
    assert y.tolist() == [4.0, 5.0] and y.dtype == torch.float32
    x0, _ = ratings_tensors(ratings, first=0)
    assert x0.tolist() == [[1, 2], [3, 1]]
    with pytest.raises(ValueError, match="first=1"):
        ratings_tensors(ratings.assign(user=[0, 1]))
    dls = collab_dls(ratings, ratings, bs=1)
    assert len(dls.train) == 2 and len(dls.valid) == 1
    # The loaders pass columns and first= on to both sides.
    codes = ratings.assign(age=[0, 2])
    dls = collab_dls(codes, codes, columns=("age", "movie"), first=0)
    for loader in (dls.train, dls.valid):
        assert loader.tensors[0].tolist() == [[0, 2], [2, 1]]


def test_mean_baselines_predict_by_the_training_means_and_fall_back_to_the_overall_one():
    train = pd.DataFrame({"user": [1, 1, 2, 3], "movie": [10, 20, 10, 20], "rating": [4.0, 2.0, 5.0, 1.0]})
    valid = pd.DataFrame({"user": [1, 2, 9], "movie": [20, 30, 10], "rating": [3.0, 5.0, 2.0]})
    # Overall mean 3: errors 0, 2, -1.
    assert mean_baseline_mse(train, valid) == pytest.approx(5 / 3)
    # Users' means 3, 5, and the overall 3 for user 9: errors 0, 0, -1.
    assert mean_baseline_mse(train, valid, by="user") == pytest.approx(1 / 3)
    # Movies' means 1.5 (movie 20), 3 for the unseen movie 30, 4.5 (movie 10): errors 1.5, 2, -2.5.
    assert mean_baseline_mse(train, valid, by="movie") == pytest.approx((1.5**2 + 2**2 + 2.5**2) / 3)
