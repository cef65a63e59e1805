"""Tests for lesson5.similarity (book/07_transfer.ipynb)."""

import pytest
import torch

from lesson5.cnn import simple_body
from lesson5.pca import pca
from lesson5.similarity import activations, label_agreement, nearest


def test_nearest_finds_the_closest_rows_in_order():
    base = torch.tensor([[0.0, 0], [1, 0], [5, 5], [0, 3]])
    assert nearest(torch.tensor([[0.9, 0.1]]), base, k=3).tolist() == [[1, 0, 3]]
    # Every row of the base, nearest first, is a k the caller may ask for.
    assert nearest(torch.tensor([[0.9, 0.1]]), base, k=4).tolist() == [[1, 0, 3, 2]]


def test_nearest_agrees_with_a_brute_force_search():
    torch.manual_seed(0)
    queries, base = torch.randn(7, 5), torch.randn(30, 5)
    brute = [sorted(range(30), key=lambda j: (q - base[j]).norm().item())[:4] for q in queries]
    assert nearest(queries, base, k=4).tolist() == brute


def test_full_rank_pca_keeps_every_neighbour():
    # PCA is a rotation of the centred data: with all components, distances are unchanged.
    torch.manual_seed(2)
    x = torch.randn(40, 6, dtype=torch.float64)
    fit, queries = pca(x, k=6), torch.randn(10, 6, dtype=torch.float64)
    assert torch.equal(nearest(fit.transform(queries), fit.scores, k=5), nearest(queries, x, k=5))


def test_label_agreement_counts_matching_neighbours():
    base_labels = torch.tensor([0, 0, 1, 1])
    neighbours = torch.tensor([[0, 1], [2, 0]])  # query 0 (label 0): 2 of 2; query 1 (label 1): 1 of 2
    assert label_agreement(neighbours, base_labels, torch.tensor([0, 1])) == pytest.approx(0.75)


def test_activations_flattens_and_restores_the_mode():
    torch.manual_seed(3)
    body = simple_body((4, 8)).train()
    x = torch.rand(7, 1, 28, 28)
    out = activations(body, x, bs=3)
    assert out.shape == (7, 8 * 7 * 7) and not out.requires_grad
    assert body.training
    body.eval()
    with torch.no_grad():
        assert torch.allclose(out, body(x).flatten(1))


def test_nearest_compares_rows_of_different_dtypes_in_the_wider_one():
    base = torch.tensor([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]], dtype=torch.float64)
    queries = torch.tensor([[2.9, 3.2], [0.2, 0.1]], dtype=torch.float32)
    assert nearest(queries, base, k=2).tolist() == [[2, 1], [0, 1]]
    assert nearest(torch.tensor([[1, 1]]), torch.tensor([[0, 0], [1, 2]]), k=1).tolist() == [[1]]


def test_activations_of_no_images_is_refused_by_name():
    with pytest.raises(ValueError, match="at least one image"):
        activations(simple_body((4,)), torch.zeros(0, 1, 28, 28))


@pytest.mark.parametrize("kwargs, message", [
    ({"queries": torch.zeros(2, 3), "base": torch.zeros(4, 2)}, "same number of features"),
    ({"queries": torch.zeros(2, 3), "base": torch.zeros(4, 3), "k": 5}, "between 1 and 4"),
    ({"queries": torch.zeros(2, 3), "base": torch.zeros(4, 3), "k": 0}, "between 1 and 4"),
])
def test_bad_input_says_what_to_do(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nearest(**kwargs)


def test_label_agreement_refuses_mismatched_rows():
    with pytest.raises(ValueError, match="one row of neighbours per query"):
        label_agreement(torch.zeros(3, 2, dtype=torch.long), torch.zeros(5), torch.zeros(2))
