import pytest
import torch

from lesson5.averages import MovingAverage, ewma


def test_raw_average_follows_the_recurrence_from_zero():
    values = [3.0, -1.0, 4.0, 1.5]
    avg, expected = 0.0, []
    for x in values:
        avg = 0.9 * avg + 0.1 * x
        expected.append(avg)
    assert ewma(values, 0.9, debias=False) == pytest.approx(expected)


def test_correction_divides_by_the_weights_sum():
    values = [3.0, -1.0, 4.0, 1.5]
    raw = ewma(values, 0.9, debias=False)
    fixed = ewma(values, 0.9)
    for t, (r, f) in enumerate(zip(raw, fixed), 1):
        assert f == pytest.approx(r / (1 - 0.9**t))


def test_corrected_average_of_a_constant_is_that_constant_from_the_first_step():
    # The raw one starts at a tenth of it: the pull towards zero the correction removes.
    assert ewma([5.0] * 4, 0.9) == pytest.approx([5.0] * 4)
    assert ewma([5.0] * 4, 0.9, debias=False)[0] == pytest.approx(0.5)


def test_takes_a_tensor_and_returns_floats():
    out = ewma(torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), 0.5)
    assert all(type(x) is float for x in out)
    assert out == pytest.approx([1.0, (0.25 * 1 + 0.5 * 2) / 0.75, (0.125 + 0.25 * 2 + 0.5 * 3) / 0.875])


def test_fed_one_value_at_a_time_it_is_the_closed_form_weighted_mean():
    # After t values: sum_k (1 - b) b^(t-k) x_k / (1 - b^t), a weighted mean whose weights sum to 1.
    beta, values = 0.98, [0.5 * i - 0.01 * i * i for i in range(30)]
    average = MovingAverage(beta)
    for t in range(1, len(values) + 1):
        weights = [(1 - beta) * beta ** (t - k) for k in range(1, t + 1)]
        expected = sum(w * x for w, x in zip(weights, values)) / sum(weights)
        assert average(values[t - 1]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("beta", [-0.1, 1.0, 1.5])
def test_beta_outside_zero_to_one_is_refused(beta):
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        MovingAverage(beta)
