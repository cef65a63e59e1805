import pytest
import torch

from lesson5.normalise import normalise


def test_normalise_uses_the_training_statistics_for_every_tensor():
    torch.manual_seed(0)
    train, valid = torch.rand(50, 4, 4) * 3 + 2, torch.rand(20, 16)
    new_train, new_valid = normalise(train, valid)
    assert new_train.mean().abs() < 1e-5 and (new_train.std() - 1).abs() < 1e-5
    # The validation set is scaled by the training set's numbers, not its own.
    assert torch.allclose(new_valid, (valid - train.mean()) / train.std())
    assert new_valid.shape == (20, 16) and new_valid.mean() < -1
    assert normalise(train)[0].shape == train.shape


def test_normalise_refuses_a_constant_training_set():
    with pytest.raises(ValueError, match="nothing to scale by"):
        normalise(torch.ones(3, 3), torch.rand(2))


def test_normalise_refuses_integer_pixels_and_says_to_convert_them():
    with pytest.raises(ValueError, match=r"torch.uint8: convert with .float\(\)"):
        normalise(torch.arange(10, dtype=torch.uint8))
    with pytest.raises(ValueError, match="torch.int64"):
        normalise(torch.rand(10), torch.arange(4))
