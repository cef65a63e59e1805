"""Tests of lesson5.loaders: batches of in-memory tensors taken by index."""

import pytest
import torch

from lesson5.loaders import DataLoader, DataLoaders


def test_batches_in_order_cover_everything():
    x, y = torch.arange(10).float()[:, None], torch.arange(10)
    batches = list(DataLoader(x, y, bs=4))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert torch.equal(torch.cat([b[1] for b in batches]), y)
    assert len(DataLoader(x, y, bs=4)) == 3


def test_drop_last():
    dl = DataLoader(torch.arange(10), bs=4, drop_last=True)
    assert len(dl) == 2 and [len(b[0]) for b in dl] == [4, 4]


def test_shuffle_is_a_new_permutation_each_pass_and_keeps_pairs():
    x = torch.arange(100)
    dl = DataLoader(x, x * 2, bs=32, shuffle=True, generator=torch.Generator().manual_seed(0))
    first = torch.cat([xb for xb, _ in dl])
    second = torch.cat([xb for xb, _ in dl])
    assert sorted(first.tolist()) == list(range(100))
    assert not torch.equal(first, second)
    assert all(torch.equal(yb, xb * 2) for xb, yb in dl)


def test_a_given_generator_alone_decides_the_order():
    x = torch.arange(50)

    def order(seed, global_seed):
        torch.manual_seed(global_seed)
        dl = DataLoader(x, bs=8, shuffle=True, generator=torch.Generator().manual_seed(seed))
        return torch.cat([b[0] for b in dl])

    # The global RNG's state does not matter; the generator's seed does.
    assert torch.equal(order(0, global_seed=1), order(0, global_seed=2))
    assert not torch.equal(order(0, global_seed=1), order(1, global_seed=1))


def test_validation_batches_are_valid_bs_rows():
    x, y = torch.arange(40).float()[:, None], torch.arange(40)
    assert [len(b[1]) for b in DataLoaders.from_tensors(x, y, x, y, bs=4, valid_bs=16).valid] == [16, 16, 8]
    assert [len(b[1]) for b in DataLoaders.from_tensors(x, y, x, y, bs=4).valid] == [8] * 5


def test_without_a_generator_the_global_seed_decides_the_shuffle():
    x = torch.arange(50)

    def order(global_seed):
        torch.manual_seed(global_seed)
        return torch.cat([b[0] for b in DataLoader(x, bs=8, shuffle=True)])

    a = order(3)
    assert sorted(a.tolist()) == list(range(50)) and not torch.equal(a, x)
    assert torch.equal(a, order(3)) and not torch.equal(a, order(4))


def test_unshuffled_batches_are_views():
    x = torch.zeros(8, 3)
    xb = next(iter(DataLoader(x, bs=4)))[0]
    assert xb.data_ptr() == x.data_ptr()


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="same length"):
        DataLoader(torch.zeros(3), torch.zeros(4))
    with pytest.raises(ValueError, match="positive"):
        DataLoader(torch.zeros(3), bs=0)
    with pytest.raises(ValueError, match="at least one"):
        DataLoader()


def test_from_tensors():
    x, y = torch.randn(20, 2), torch.arange(20)
    dls = DataLoaders.from_tensors(x[:12], y[:12], x[12:], y[12:], bs=4)
    assert dls.train.shuffle and not dls.valid.shuffle
    torch.manual_seed(0)
    passes = [torch.cat([yb for _, yb in dls.train]) for _ in range(2)]
    assert not torch.equal(passes[0], passes[1])
    assert torch.equal(torch.cat([yb for _, yb in dls.valid]), y[12:])
    assert dls.train.bs == 4 and dls.valid.bs == 8
    assert DataLoaders.from_tensors(x, y, bs=4).valid is None
    # A validation batch size of 0 is a mistake, not a request for the default.
    with pytest.raises(ValueError, match="positive batch size, a whole number, got 0"):
        DataLoaders.from_tensors(x[:12], y[:12], x[12:], y[12:], bs=4, valid_bs=0)


@pytest.mark.parametrize("bs", [2.5, True, -1])
def test_a_batch_size_that_is_not_a_positive_whole_number_is_refused_when_made(bs):
    with pytest.raises(ValueError, match=f"positive batch size, a whole number, got {bs!r}"):
        DataLoader(torch.zeros(8), bs=bs)


def test_validation_inputs_without_targets_are_refused():
    x, y = torch.randn(8, 2), torch.zeros(8)
    with pytest.raises(ValueError, match="both x_valid and y_valid"):
        DataLoaders.from_tensors(x, y, x)
    with pytest.raises(ValueError, match="both x_valid and y_valid"):
        DataLoaders.from_tensors(x, y, y_valid=y)
