import math
import random

import pytest
import torch

from lesson5.autograd import Value, topological_order

# Each entry builds one node from a list of earlier nodes. Value and torch.Tensor share these
# operator and method names, so one builder drives both and the two results can be compared.
# Arguments that log, / and ** would reject are made safe first (x*x + 1 > 0).
OPS = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1),
    # Negative divisors and bases: a / b is b ** -1 underneath, a negative base's case.
    lambda a, b: a / (-(b * b) - 1),
    lambda a, b: (-(a * a) - 1) ** -2,
    lambda a, b: 2.5 - a,
    lambda a, b: 3.0 / (a * a + 1),
    lambda a, b: (a * a + 1).log(),
    lambda a, b: (a * 0.5).exp(),
    lambda a, b: a.relu(),
    lambda a, b: a.tanh(),
    lambda a, b: a**3,
    lambda a, b: (a * a + 1) ** -0.5,
    lambda a, b: -a,
]


def random_program(rng, n_inputs, n_ops):
    """A random expression: a list of (op, i, j) reading earlier nodes, summed at the end."""
    return [(rng.randrange(len(OPS)), rng.randrange(n_inputs + k), rng.randrange(n_inputs + k)) for k in range(n_ops)]


def run(program, inputs):
    nodes = list(inputs)
    for op, i, j in program:
        nodes.append(OPS[op](nodes[i], nodes[j]))
    # Summing several late nodes makes some earlier nodes reach the output along several paths.
    return sum(nodes[-4:][1:], nodes[-4])


@pytest.mark.parametrize("seed", range(40))
def test_random_expressions_match_torch(seed):
    rng = random.Random(seed)
    n_inputs = rng.randint(1, 4)
    program = random_program(rng, n_inputs, rng.randint(4, 25))
    numbers = [rng.uniform(-2, 2) for _ in range(n_inputs)]

    values = [Value(x) for x in numbers]
    out = run(program, values)
    out.backward()

    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in numbers]
    expected = run(program, tensors)
    expected.backward()

    assert out.data == pytest.approx(expected.item(), rel=1e-9, abs=1e-12)
    for v, t in zip(values, tensors):
        # torch leaves .grad as None for an input the expression never reads; ours stays 0.
        expected_grad = 0.0 if t.grad is None else t.grad.item()
        assert v.grad == pytest.approx(expected_grad, rel=1e-9, abs=1e-12)


def test_value_used_twice_receives_both_contributions():
    x = Value(3.0)
    y = x * x + x  # dy/dx = 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_diamond_graph_in_topological_order():
    x = Value(2.0)
    a, b = x * 3.0, x.exp()
    out = a * b
    order = topological_order(out)
    assert order[-1] is out
    position = {id(v): k for k, v in enumerate(order)}
    for v in order:
        assert all(position[id(p)] < position[id(v)] for p in v.parents)
    assert sum(v is x for v in order) == 1
    out.backward()
    assert x.grad == pytest.approx(3 * math.exp(2) + 6 * math.exp(2))


def test_backward_twice_accumulates_in_leaves_only_like_torch():
    x = Value(1.5)
    loss = (x * x) * 3.0
    loss.backward()
    loss.backward()
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    t_loss = (t * t) * 3.0
    t_loss.backward(retain_graph=True)
    t_loss.backward()
    assert x.grad == pytest.approx(t.grad.item()) == pytest.approx(2 * 6 * 1.5)
    # A leaf that is the expression itself accumulates too: d(leaf)/d(leaf) = 1 per call.
    leaf, t_leaf = Value(2.0), torch.tensor(2.0, requires_grad=True)
    for _ in range(2):
        leaf.backward()
        t_leaf.backward()
    assert leaf.grad == t_leaf.grad.item() == 2.0


def test_long_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    total = x
    for _ in range(5000):
        total = total + x
    total.backward()
    assert x.grad == 5001.0


def test_small_network_gradients_match_torch():
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(6)]
    ys = [rng.uniform(-1, 1) for _ in range(6)]
    w1 = [[rng.gauss(0, 1) for _ in range(4)] for _ in range(3)]
    w2 = [rng.gauss(0, 1) for _ in range(4)]

    W1, W2 = [[Value(w) for w in row] for row in w1], [Value(w) for w in w2]
    loss = Value(0.0)
    for x, y in zip(xs, ys):
        hidden = [sum((x[i] * W1[i][j] for i in range(3)), Value(0.0)).relu() for j in range(4)]
        pred = sum((h * w for h, w in zip(hidden, W2)), Value(0.0))
        loss = loss + (pred - y) ** 2
    loss = loss / len(xs)
    loss.backward()

    tw1 = torch.tensor(w1, dtype=torch.float64, requires_grad=True)
    tw2 = torch.tensor(w2, dtype=torch.float64, requires_grad=True)
    tx, ty = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    t_loss = ((torch.relu(tx @ tw1) @ tw2 - ty) ** 2).mean()
    t_loss.backward()
    assert loss.data == pytest.approx(t_loss.item())
    assert [w.grad for row in W1 for w in row] == pytest.approx(tw1.grad.flatten().tolist())
    assert [w.grad for w in W2] == pytest.approx(tw2.grad.tolist())


def test_bad_inputs_say_what_to_do():
    with pytest.raises(ValueError, match="positive"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="plain number"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="takes a number"):
        Value(Value(1.0))


def test_powers_without_a_real_value_or_gradient_say_why():
    with pytest.raises(ValueError, match="not a real number"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="no finite gradient"):
        Value(0.0) ** 0.5
    assert (Value(-2.0) ** 2).data == 4.0
    assert (Value(0.0) ** 2).data == 0.0
    with pytest.raises(ValueError, match="no finite value or gradient"):
        Value(0.0) ** -1
    for exponent in (0, 0.0):
        x = Value(0.0)
        y = x**exponent
        y.backward()
        assert y.data == 1.0 and x.grad == 0.0


def test_dividing_by_a_negative_number():
    x, y = Value(1.0), Value(-2.0)
    out = x / y
    out.backward()
    # d(x/y)/dx = 1/y, d(x/y)/dy = -x/y^2
    assert (out.data, x.grad, y.grad) == (-0.5, -0.5, -0.25)


def test_relu_passes_no_gradient_at_zero():
    # As torch does: the derivative of max(x, 0) at the kink is taken as 0.
    x = Value(0.0)
    x.relu().backward()
    t = torch.zeros((), requires_grad=True)
    torch.relu(t).backward()
    assert x.grad == t.grad.item() == 0.0
