"""Reverse-mode automatic differentiation on single numbers: what `loss.backward()` does.

Introduced in book/02_from_scratch.ipynb (A neural net from scratch). Each `Value` holds a
number and, when an operation made it, the values it came from and the derivative of the
operation with respect to each of them, computed on the way forward. `backward()` puts
every value of the expression in topological order (each after all the values it was made
from), then walks that order in reverse, applying the chain rule: each input's `grad` gets
`local derivative × grad of the output` added to it. Adding, not assigning, is what makes a
value used twice receive both contributions.

Like PyTorch, gradients accumulate in the values an expression starts from (the leaves, such
as parameters) across calls to `backward()`, so a training loop resets them between steps;
the gradients of intermediate values are recomputed from zero at every call.
"""

import math


class Value:
    """A number that remembers how it was computed, for `backward()`."""

    def __init__(self, data, parents=(), local_grads=()):
        if isinstance(data, Value):
            raise TypeError("Value(data) takes a number; the argument is a Value already")
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)
        self.local_grads = tuple(local_grads)

    def __repr__(self):
        return f"Value(data={self.data:.4g}, grad={self.grad:.4g})"

    def __add__(self, other):
        other = _as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = _as_value(other)
        local_grads = (other.data, self.data)
        return Value(self.data * other.data, (self, other), local_grads)

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** exponent needs a plain number as exponent; for x ** y use (y * x.log()).exp()")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(f"{self.data} ** {exponent} is not a real number: a fractional power needs a base >= 0")
        if exponent == 0:
            # x ** 0 is 1 whatever x, so its gradient is 0, even at 0 where the formula divides by 0.
            return Value(1.0, (self,), (0.0,))
        if self.data == 0 and exponent < 1:
            what = "value or gradient" if exponent < 0 else "gradient"
            raise ValueError(f"0 ** {exponent} has no finite {what}: keep the base away from 0 (add a small eps)")
        return Value(self.data**exponent, (self,), (exponent * self.data ** (exponent - 1),))

    def exp(self):
        out = math.exp(self.data)
        return Value(out, (self,), (out,))

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {self.data}")
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def relu(self):
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),))

    def tanh(self):
        out = math.tanh(self.data)
        return Value(out, (self,), (1 - out**2,))

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-_as_value(other))

    def __truediv__(self, other):
        return self * _as_value(other) ** -1

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __rsub__(self, other):
        return _as_value(other) - self

    def __rtruediv__(self, other):
        return _as_value(other) / self

    def backward(self):
        """Sets `grad` of every value this one depends on to ∂self/∂value
        (added, for leaves)."""
        order = topological_order(self)
        for value in order:
            if value.parents:
                value.grad = 0.0
        self.grad += 1.0
        for value in reversed(order):
            for parent, local in zip(value.parents, value.local_grads):
                parent.grad += local * value.grad


def _as_value(x):
    return x if isinstance(x, Value) else Value(x)


def topological_order(root):
    """Every value `root` depends on, itself last, each one after all of its
    parents.

    Depth-first with an explicit stack rather than recursion, so a long chain
    of operations (a sum over thousands of terms) does not hit Python's
    recursion limit.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        value, parents_done = stack.pop()
        if parents_done:
            order.append(value)
        elif id(value) not in seen:
            seen.add(id(value))
            stack.append((value, True))
            stack.extend((parent, False) for parent in value.parents
                         if id(parent) not in seen)
    return order
