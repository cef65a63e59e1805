"""Tests of lesson5.pca (book/06_collab.ipynb)."""

import numpy as np
import pytest
import torch

from lesson5.pca import pca


def test_pca_matches_numpy_eigen_decomposition_of_covariance():
    torch.manual_seed(0)
    x = torch.randn(200, 3) @ torch.randn(3, 6) + torch.tensor([5.0, -3, 0, 1, 2, 10])
    result = pca(x, k=2)
    cov = np.cov(x.numpy().astype(np.float64), rowvar=False)
    eigvals, eigvecs = np.linalg.eigh(cov)
    top = eigvecs[:, ::-1][:, :2].T
    # Same directions up to sign; explained ratio from the eigenvalues.
    assert np.allclose(np.abs(result.components.numpy() @ top.T), np.eye(2), atol=1e-6)
    assert np.allclose(result.explained_ratio.numpy(), eigvals[::-1][:2] / eigvals.sum(), atol=1e-8)


def test_pca_centres_scores_and_transform_agrees():
    torch.manual_seed(1)
    x = torch.randn(50, 4) + 100
    result = pca(x, k=3)
    assert torch.allclose(result.scores.mean(dim=0), torch.zeros(3, dtype=torch.float64), atol=1e-9)
    assert torch.allclose(result.transform(x), result.scores)
    # Largest-magnitude loading of each component is positive: a fixed sign convention.
    rows = torch.arange(3)
    assert (result.components[rows, result.components.abs().argmax(dim=1)] > 0).all()


def test_pca_on_a_line_explains_everything():
    t = torch.linspace(-1, 1, 20)[:, None]
    x = torch.cat([t, 2 * t, -t], dim=1)
    result = pca(x, k=1)
    assert result.explained_ratio.item() == pytest.approx(1.0)


def test_pca_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        pca(torch.zeros(5))
    with pytest.raises(ValueError, match="k must be between 1 and 3"):
        pca(torch.randn(10, 3), k=4)
    # Three centred rows span two directions, whatever the number of features.
    with pytest.raises(ValueError, match="k must be between 1 and 2"):
        pca(torch.randn(3, 10), k=3)
    assert pca(torch.randn(3, 10), k=2).explained_ratio.sum().item() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="every row of x is the same"):
        pca(torch.ones(4, 3), k=1)


def test_correlations_read_each_axis_against_properties():
    import pandas as pd

    from lesson5.pca import correlations

    torch.manual_seed(2)
    scores = torch.randn(500, 2, dtype=torch.float64)
    noise = torch.randn(500, dtype=torch.float64)
    props = pd.DataFrame({"twice PC1": 2 * scores[:, 0].numpy(), "minus PC2": -scores[:, 1].numpy(),
                          "noise": noise.numpy()}, index=range(100, 600))
    props.iloc[:50, 2] = np.nan  # a property missing for some rows is read over the others
    table = correlations(scores, props)
    assert list(table.index) == ["PC1", "PC2"] and list(table.columns) == ["twice PC1", "minus PC2", "noise"]
    assert table.loc["PC1", "twice PC1"] == pytest.approx(1.0)
    assert table.loc["PC2", "minus PC2"] == pytest.approx(-1.0)
    expected = np.corrcoef(scores[50:, 0].numpy(), noise[50:].numpy())[0, 1]
    assert table.loc["PC1", "noise"] == pytest.approx(expected)


def test_correlations_refuses_mismatched_rows():
    import pandas as pd

    from lesson5.pca import correlations

    with pytest.raises(ValueError, match="one row per row of properties"):
        correlations(torch.zeros(5, 2), pd.DataFrame({"a": range(4)}))
    # One component's scores as a vector: the explained error, not pandas' own.
    with pytest.raises(ValueError, match="scores must be \\(rows, components\\)"):
        correlations(torch.zeros(4), pd.DataFrame({"a": range(4)}))


def test_no_component_is_refused():
    with pytest.raises(ValueError, match="k must be between 1"):
        pca(torch.randn(10, 3), k=0)
