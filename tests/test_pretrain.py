"""Tests of lesson5.pretrain: pretraining a body on another task (book/07_transfer.ipynb)."""

import pytest
import torch
from torch import nn

from lesson5.cnn import simple_body
from lesson5.optim import Adam
from lesson5.pretrain import pretrain, select_classes
from lesson5.schedule import one_cycle


def _toy_data():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 1, 12, 12, generator=g)
    return x, (x.mean(dim=(1, 2, 3)) > 0.5).long()


def test_pretrain_is_repeatable():
    x, y = _toy_data()
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        runs.append(pretrain(simple_body((4, 8)), x, y, n_out=2, epochs=1, bs=16, hidden=()))
    first, second = (learn.model.state_dict() for learn in runs)
    assert all(torch.equal(first[k], second[k]) for k in first)
    assert isinstance(runs[0].model[1][-1], nn.Linear)


def test_pretrain_weights_depend_on_its_seed_not_on_the_global_generator():
    x, y = _toy_data()

    def run(seed, disturb, bs=16, p=0.5):
        torch.manual_seed(0)
        body = simple_body((4, 8))
        torch.rand(disturb)  # whatever ran before pretrain must not matter
        return pretrain(body, x, y, n_out=2, epochs=1, bs=bs, hidden=(), p=p, seed=seed).model.state_dict()

    first, again, other = run(0, 1), run(0, 5), run(1, 1)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not torch.equal(first["1.4.weight"], other["1.4.weight"])
    # One batch of all 64 images and no dropout: the order cannot matter, so the seed must set the head.
    whole_0, whole_1 = run(0, 1, bs=64, p=0.0), run(1, 1, bs=64, p=0.0)
    assert (whole_0["1.4.weight"] - whole_1["1.4.weight"]).abs().max() > 1e-3


def test_pretrain_shuffles_in_an_order_its_seed_sets_and_scores_the_validation_pair():
    x, y = _toy_data()
    learn = pretrain(simple_body((4, 8)), x, y, n_out=2, epochs=1, bs=16, hidden=(), seed=7,
                     valid=(x[:8], y[:8]), progress=False)
    train = learn.dls.train
    assert train.shuffle and train.generator.initial_seed() == 7
    # The validation pair is scored after the epoch, on its own images.
    with torch.no_grad():
        expected = nn.functional.cross_entropy(learn.model.eval()(x[:8]), y[:8]).item()
    assert learn.recorder.table["valid_loss"].iloc[-1] == pytest.approx(expected, rel=1e-5)


def test_pretrain_trains_the_body_with_adam_on_a_one_cycle_at_lr():
    x, y = _toy_data()
    body = simple_body((4, 8))
    before = {k: v.clone() for k, v in body.state_dict().items()}
    learn = pretrain(body, x, y, n_out=2, epochs=3, lr=1e-2, bs=16, hidden=(), progress=False)
    assert type(learn.opt) is Adam
    assert learn.recorder.lrs == pytest.approx(one_cycle(3 * 4, 1e-2)[0])
    # The body is trained, not only the head: its weights moved, and the loss fell.
    moved = {k for k, v in body.state_dict().items() if not torch.equal(v, before[k])}
    assert "0.0.weight" in moved
    losses = learn.recorder.table["train_loss"]
    assert losses.iloc[-1] < losses.iloc[0]


def test_pretrain_checks_labels():
    x, y = _toy_data()
    with pytest.raises(ValueError, match="remap"):
        pretrain(simple_body((4,)), x, y + 5, n_out=2)
    # n_out itself is one past the last class.
    with pytest.raises(ValueError, match="remap"):
        pretrain(simple_body((4,)), x, y + 1, n_out=2)
    with pytest.raises(ValueError, match="remap"):
        pretrain(simple_body((4,)), x, y - 1, n_out=2)


def test_select_classes_refuses_images_that_already_have_a_channel_axis():
    x, y = torch.zeros(6, 1, 4, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match=r"\(N, H, W\).*got shape \(6, 1, 4, 4\).*x\[:, 0\]"):
        select_classes(x, y, [0, 1])


def test_select_classes_renumbers_in_the_given_order():
    x = torch.arange(5.0).reshape(5, 1, 1).expand(5, 2, 2)
    y = torch.tensor([3, 1, 4, 1, 9])
    xs, ys = select_classes(x, y, [4, 1])
    assert xs.shape == (3, 1, 2, 2) and ys.tolist() == [1, 0, 1]
    assert xs[:, 0, 0, 0].tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match=r"no image has label 7; the labels present are \[1, 3, 4, 9\]"):
        select_classes(x, y, [7])
    with pytest.raises(ValueError, match="no image has label 12"):
        select_classes(x, y, [4, 12])
    with pytest.raises(ValueError, match="each class once"):
        select_classes(x, y, [4, 4])
    with pytest.raises(ValueError, match="non-empty list of labels"):
        select_classes(x, y, [])


def test_pretrain_shows_its_table_unless_told_not_to(capsys):
    x, y = _toy_data()
    pretrain(simple_body((4,)), x, y, n_out=2, epochs=1, bs=16)
    assert "train_loss" in capsys.readouterr().out
    quiet = pretrain(simple_body((4,)), x, y, n_out=2, epochs=1, bs=16, progress=False)
    assert capsys.readouterr().out == ""
    assert len(quiet.recorder.table) == 1
