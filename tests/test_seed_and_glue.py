import importlib
import warnings

import nbformat
import numpy as np
import pytest
import torch

from lesson5 import glue, seed_everything
from lesson5.glue import ReadingWarning, counted, glue_output, glued_name, listed, points, text_reads, times
from lesson5.seed import scoring, scoring_kernels


def draws():
    import random

    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_seed_everything_repeats_every_generator():
    seed_everything(7)
    first = draws()
    seed_everything(7)
    assert draws() == first
    seed_everything(8)
    # Each generator on its own: one left at a fixed seed would hide behind the others.
    assert all(again != before for again, before in zip(draws(), first))


def test_seed_everything_fixes_threads_and_turns_off_onednn(monkeypatch):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", True)
    monkeypatch.setattr(torch.backends.cudnn, "deterministic", False)
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", True)
    threads = torch.get_num_threads()
    try:
        seed_everything(threads=2)
        assert torch.get_num_threads() == 2
        assert torch.backends.mkldnn.enabled is False
        assert torch.backends.cudnn.deterministic is True and torch.backends.cudnn.benchmark is False
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("before", [False, True])
def test_scoring_kernels_turn_onednn_on_and_restore_it_even_after_an_error(monkeypatch, before):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", before)
    with scoring_kernels():
        assert torch.backends.mkldnn.enabled is True
    assert torch.backends.mkldnn.enabled is before
    with pytest.raises(RuntimeError, match="mid-pass"), scoring_kernels():
        raise RuntimeError("mid-pass")
    assert torch.backends.mkldnn.enabled is before


@pytest.mark.parametrize("was_training", [False, True])
def test_scoring_scores_in_eval_mode_without_gradients_and_restores_the_mode(monkeypatch, was_training):
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", False)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5))
    model.train(was_training)
    x = torch.ones(8, 3)
    with scoring(model) as device:
        assert device == torch.device("cpu")
        assert not model.training and not model[1].training
        assert torch.backends.mkldnn.enabled is True
        out = model(x)
    # Dropout off and no graph kept: the pass trains nothing.
    assert not out.requires_grad
    assert torch.equal(out, model[0](x).detach())
    assert model.training is was_training and model[1].training is was_training
    assert torch.backends.mkldnn.enabled is False
    with pytest.raises(RuntimeError, match="mid-pass"), scoring(model):
        raise RuntimeError("mid-pass")
    assert model.training is was_training
    # A model without weights runs on the CPU.
    with scoring(torch.nn.ReLU()) as device:
        assert device == torch.device("cpu")


def test_glue_formats_before_gluing(monkeypatch):
    shown = []

    def display(data, raw, metadata):
        # raw=True: the dict is the output's MIME bundle, not an object to show as text.
        assert raw is True
        shown.append((data, metadata))

    monkeypatch.setattr("IPython.display.display", display)
    monkeypatch.setattr(importlib.import_module("lesson5.glue"), "in_notebook", lambda: True)
    assert glue("acc", np.float32(0.96251), "{:.1%}") == "96.3%"
    assert glue("n", torch.tensor(8000), "{:,}") == "8,000"
    assert shown == [glue_output("acc", "96.3%"), glue_output("n", "8,000")]


@pytest.mark.parametrize(
    "progress, notebook, echoed, stored",
    [("1", True, True, True), ("0", True, False, True), ("1", False, True, False), ("0", False, False, False)],
)
def test_glue_shows_a_person_the_value_the_prose_names_and_stores_it_only_in_a_notebook(
    monkeypatch, capsys, progress, notebook, echoed, stored
):
    # The prose shows {glue:}`name` outside the site build: a person running the chapter
    # sees the value under the cell; the build and the tests (LESSON5_PROGRESS=0) store none.
    # Outside a notebook there is no output to store it in.
    # The module, not the function of the same name that lesson5 exports.
    glue_module = importlib.import_module("lesson5.glue")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: shown.append(data))
    monkeypatch.setenv("LESSON5_PROGRESS", progress)
    monkeypatch.setattr(glue_module, "in_notebook", lambda: notebook)
    glue("acc", 0.96251, "{:.1%}")
    assert capsys.readouterr().out == ("acc: 96.3%\n" if echoed else "")
    assert shown == ([glue_output("acc", "96.3%")[0]] if stored else [])


def test_myst_nb_reads_what_glue_writes():
    from myst_nb.ext.glue import extract_glue_data_cell

    data, metadata = glue_output("acc", "96.3%")
    output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    [(name, found)] = extract_glue_data_cell(nbformat.v4.new_code_cell(outputs=[output]))
    assert name == "acc" == glued_name(output)
    assert found["data"] == {"text/plain": "96.3%"}
    # Anything else a cell shows glues nothing.
    assert glued_name(nbformat.v4.new_output("stream", name="stdout", text="acc: 96.3%\n")) is None
    assert glued_name(nbformat.v4.new_output("display_data", data={"text/plain": "96.3%"})) is None


def test_myst_nb_reads_markdown_that_glue_writes(monkeypatch):
    from myst_nb.ext.glue import extract_glue_data_cell

    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: shown.append((data, metadata)))
    monkeypatch.setattr(importlib.import_module("lesson5.glue"), "in_notebook", lambda: True)
    assert glue("films", "*Fargo* and *Twister*", markdown=True) == "*Fargo* and *Twister*"
    [(data, metadata)] = shown
    cell = nbformat.v4.new_code_cell(
        outputs=[nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    )
    [(name, found)] = extract_glue_data_cell(cell)
    assert name == "films"
    assert found["data"] == {"text/plain": "*Fargo* and *Twister*", "text/markdown": "*Fargo* and *Twister*"}


def test_counted_writes_the_plural_unless_there_is_one():
    assert counted(1, "image") == "1 image"
    assert counted(0, "image") == "0 images"
    assert counted(22, "image") == "22 images"
    assert counted(1000, "rating") == "1,000 ratings"


def test_listed_reads_as_a_sentence_for_any_length():
    assert listed(["a"]) == "a"
    assert listed(("a", "b")) == "a and b"
    assert listed(f"*{t}*" for t in ["x", "y", "z"]) == "*x*, *y* and *z*"
    assert listed([2, 8, 0.1]) == "2, 8 and 0.1"


def test_listed_puts_the_noun_first_in_the_plural_for_more_than_one():
    assert listed([8], noun="width") == "width 8"
    assert listed([2, 8], noun="width") == "widths 2 and 8"
    assert listed((e for e in [1, 2, 3]), noun="epoch") == "epochs 1, 2 and 3"


def test_times_writes_two_digits_then_whole_numbers_and_refuses_a_ratio_below_one():
    assert [times(r) for r in (1, 1.04, 4.66, 17.4, 99.4, 99.5, 99.7, 150.2, 12345.6)] == [
        "1", "1", "4.7", "17", "99", "100", "100", "150", "12,346"]
    for below_one in (0.98, float("nan")):
        with pytest.raises(ValueError, match="invert it"):
            times(below_one)


def test_listed_refuses_an_empty_list_by_name():
    with pytest.raises(ValueError, match="at least one item"):
        listed(iter([]))


def test_seed_everything_by_default_seeds_42_on_one_thread():
    threads = torch.get_num_threads()
    try:
        assert seed_everything() == 42
        draws = torch.rand(3).tolist()
        assert torch.get_num_threads() == 1
        seed_everything(42)
        assert torch.rand(3).tolist() == draws
    finally:
        torch.set_num_threads(threads)


def test_glue_reads_a_one_element_tensor_as_its_number(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: None)
    assert glue("x", torch.tensor([2.5]), "{:.1f}") == "2.5"


def test_glued_text_with_backticks_must_be_markdown_which_renders_them(monkeypatch):
    monkeypatch.setattr("IPython.display.display", lambda data, raw, metadata: None)
    with pytest.raises(ValueError, match=r"glue:md\}`carry`"):
        glue("carry", "a `wd` copied")
    assert glue("carry", "a `wd` copied", markdown=True) == "a `wd` copied"


def test_points_writes_a_gap_in_signed_percentage_points_and_never_minus_zero():
    assert points(0.004) == "+0.40"
    assert points(-0.0123) == "-1.23"
    assert points(-0.00001) == "+0.00"
    assert points(0) == "+0.00"
    assert points(-0.0123, signed=False) == "1.23" and points(0.0456, places=1) == "+4.6"


@pytest.mark.parametrize("holds", [True, torch.tensor(True), np.bool_(True)])
@pytest.mark.parametrize("progress", ["0", "1"])
def test_a_reading_that_holds_passes_quietly_in_any_run(monkeypatch, recwarn, holds, progress):
    monkeypatch.setenv("LESSON5_PROGRESS", progress)
    text_reads("the loss as falling", holds)
    assert not recwarn.list


@pytest.mark.parametrize("holds", [False, torch.tensor(False), np.bool_(False)])
def test_a_reading_that_fails_stops_the_build_and_names_the_reading(monkeypatch, holds):
    monkeypatch.setenv("LESSON5_PROGRESS", "0")
    with pytest.raises(AssertionError, match="reads the loss as falling, and this run does not"):
        text_reads("the loss as falling", holds)


@pytest.mark.parametrize("progress", [None, "1"])
def test_a_reading_that_fails_in_a_persons_run_warns_at_their_cell_and_goes_on(monkeypatch, progress):
    # A person on another machine, or one who changed a cell for an exercise, reads on.
    if progress is None:
        monkeypatch.delenv("LESSON5_PROGRESS", raising=False)
    else:
        monkeypatch.setenv("LESSON5_PROGRESS", progress)
    with pytest.warns(ReadingWarning, match="reads the loss as falling, and this run does not.*goes on") as caught:
        text_reads("the loss as falling", torch.tensor(False))
    assert caught[0].filename == __file__


def test_a_reading_that_fails_again_warns_again(monkeypatch):
    # Python's default filter shows a warning once per line: a rerun cell would stay silent.
    monkeypatch.setenv("LESSON5_PROGRESS", "1")
    with warnings.catch_warnings(record=True) as caught:
        for _ in range(2):
            text_reads("the loss as falling", False)
    assert [w.category for w in caught] == [ReadingWarning, ReadingWarning]
