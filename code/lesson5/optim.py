"""SGD with momentum, RMSprop, Adam and AdamW written from scratch.

Introduced in book/04_optimizers.ipynb (Accelerated SGD). Each class subclasses
`torch.optim.Optimizer`, takes the constructor arguments and defaults of the torch class of
the same name, keeps its state under the same keys (so state dicts move between the two),
and takes the same steps, number for number.

Every update is written with `torch._foreach_*` operations: one call updates the whole list
of parameters of a group, instead of one Python-level call per tensor. The formula of each
step is in the docstring of its class; the code follows it line by line.

Torch's implementation switches (`foreach`, `fused`, `capturable`, `differentiable`) are not
arguments here: they choose how torch computes the step, not which step it takes.
"""

import numbers

import torch
from torch.optim import Optimizer

#: Adam's (beta1, beta2) in fastai, the library the lesson used: fastai v1 trained with
#: ``partial(torch.optim.Adam, betas=(0.9, 0.99))``. Torch's default beta2 is 0.999;
#: book/06_collab.ipynb measures the difference. Under `lesson5.schedule.OneCycle` beta1 follows
#: the schedule's momentum, so there only beta2 comes from here.
FASTAI_BETAS = (0.9, 0.99)


def is_count(value):
    """Whether `value` counts something, 1 or more: a whole number (a NumPy integer too), not a
    bool, which Python counts as one. The Learner's epochs, a loader's batch size and the LR
    finder's batches are checked with it, each with a message of its own."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and bool(value >= 1)


def check_hyper(name, value, low=0.0, high=None):
    """Refuses a hyper-parameter outside [low, high) (>= low without `high`), naming it: the
    optimizers check theirs with it, and the Learner, `OneCycle` and `lr_range` the rates they
    are given."""
    # Written so that NaN, which fails every comparison, is refused too (torch.optim refuses it).
    if not value >= low or (high is not None and not value < high):
        bound = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}, got {value}")


def _closure_loss(closure):
    if closure is None:
        return None
    with torch.enable_grad():
        return closure()


def _params_with_grads(group):
    """The parameters of `group` that received a gradient; frozen ones (grad None) are skipped."""
    params = [p for p in group["params"] if p.grad is not None]
    for p in params:
        if p.grad.is_sparse:
            raise RuntimeError("these optimizers need dense gradients; use torch.optim.SparseAdam")
    return params, [p.grad for p in params]


def _groups_with_grads(optimizer):
    """(group, params, grads) for each parameter group in which some parameter has a gradient."""
    for group in optimizer.param_groups:
        params, grads = _params_with_grads(group)
        if params:
            yield group, params, grads


def _effective_grads(group, params, grads):
    """g = ±grad + weight_decay·p (L2 penalty folded into the gradient), as a new list."""
    if group["maximize"]:
        grads = torch._foreach_neg(grads)
    if group["weight_decay"] != 0:
        grads = torch._foreach_add(grads, params, alpha=group["weight_decay"])
    return grads


def _state_with(state, p, keys):
    """`state` with a step counter and, for each of `keys` it lacks, zeros shaped like `p`."""
    if "step" not in state:
        state["step"] = torch.tensor(0.0)
    for key in keys:
        if key not in state:
            state[key] = torch.zeros_like(p, memory_format=torch.preserve_format)
    return state


def _groups_with_state(optimizer):
    """(group, params, grads, states, steps) for each group with gradients, where each
    parameter's state holds a step counter, already advanced to this step, and zeros for the
    keys of `optimizer._state_keys(group)` it lacks; `steps` are the counters as numbers."""
    for group, params, grads in _groups_with_grads(optimizer):
        keys = optimizer._state_keys(group)
        states = [_state_with(optimizer.state[p], p, keys) for p in params]
        counters = [state["step"] for state in states]
        # A 0-d float tensor per parameter, as in torch, so state dicts match.
        torch._foreach_add_(counters, 1.0)
        yield group, params, grads, states, [c.item() for c in counters]


class _Optimizer(Optimizer):
    """`torch.optim.Optimizer` without its hook into torch's compiler.

    Torch wraps `add_param_group`, `zero_grad`, `state_dict` and `load_state_dict` so that its
    compiler (TorchDynamo) skips them, and the wrapper imports that compiler on its first
    call: about 2 s, once per kernel, before the first step of a chapter that never compiles
    anything. These call the methods unwrapped; what they do is unchanged.
    """

    def add_param_group(self, param_group):
        return _unwrapped(Optimizer.add_param_group)(self, param_group)

    def zero_grad(self, set_to_none=True):
        return _unwrapped(Optimizer.zero_grad)(self, set_to_none)

    def state_dict(self):
        return _unwrapped(Optimizer.state_dict)(self)

    def load_state_dict(self, state_dict):
        return _unwrapped(Optimizer.load_state_dict)(self, state_dict)


def _unwrapped(method):
    # functools.wraps keeps the original as __wrapped__; a torch without the wrapper has none.
    return getattr(method, "__wrapped__", method)


class SGD(_Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    With g = grad + weight_decay·p (negated first when `maximize`):

        buf = g                                  at the first step
        buf = momentum·buf + (1 - dampening)·g   afterwards
        d   = g + momentum·buf  if nesterov  else  buf      (d = g when momentum is 0)
        p   = p - lr·d
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False):
        check_hyper("lr", lr)
        check_hyper("momentum", momentum)
        check_hyper("weight_decay", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening = 0")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group, params, grads in _groups_with_grads(self):
            grads = _effective_grads(group, params, grads)
            momentum = group["momentum"]
            if momentum != 0:
                grads = self._momentum(group, params, grads)
            torch._foreach_add_(params, grads, alpha=-group["lr"])
        return loss

    def _momentum(self, group, params, grads):
        momentum, dampening = group["momentum"], group["dampening"]
        states = [self.state[p] for p in params]
        # Parameters that already have a buffer are updated in one call; the others start one.
        has_buffer = [i for i, s in enumerate(states) if "momentum_buffer" in s]
        if has_buffer:
            bufs = [states[i]["momentum_buffer"] for i in has_buffer]
            torch._foreach_mul_(bufs, momentum)
            torch._foreach_add_(bufs, [grads[i] for i in has_buffer], alpha=1 - dampening)
        # The first buffer is the gradient itself, undamped: torch's convention.
        for i, s in enumerate(states):
            if "momentum_buffer" not in s:
                s["momentum_buffer"] = grads[i].detach().clone()
        bufs = [s["momentum_buffer"] for s in states]
        if group["nesterov"]:
            return torch._foreach_add(grads, bufs, alpha=momentum)
        return bufs


class RMSprop(_Optimizer):
    """RMSProp (Tieleman and Hinton, 2012): divide the step by a running RMS of the gradient.

    With g = grad + weight_decay·p (negated first when `maximize`):

        v   = alpha·v + (1 - alpha)·g²
        m   = alpha·m + (1 - alpha)·g                 (only when centered)
        den = sqrt(v - m²) + eps  if centered  else  sqrt(v) + eps
        buf = momentum·buf + g / den;  p = p - lr·buf   when momentum > 0
        p   = p - lr·g / den                           otherwise
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 maximize=False):
        check_hyper("lr", lr)
        check_hyper("eps", eps)
        check_hyper("alpha", alpha)
        check_hyper("momentum", momentum)
        check_hyper("weight_decay", weight_decay)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    @staticmethod
    def _state_keys(group):
        # Keys appear when first needed: a schedule may switch momentum on mid-training.
        keys = ["square_avg"]
        keys += ["momentum_buffer"] if group["momentum"] > 0 else []
        keys += ["grad_avg"] if group["centered"] else []
        return keys

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group, params, grads, states, _ in _groups_with_state(self):
            grads = _effective_grads(group, params, grads)
            alpha, lr = group["alpha"], group["lr"]
            square_avgs = [s["square_avg"] for s in states]
            torch._foreach_mul_(square_avgs, alpha)
            torch._foreach_addcmul_(square_avgs, grads, grads, value=1 - alpha)
            if group["centered"]:
                grad_avgs = [s["grad_avg"] for s in states]
                torch._foreach_lerp_(grad_avgs, grads, 1 - alpha)
                den = torch._foreach_addcmul(square_avgs, grad_avgs, grad_avgs, value=-1)
                torch._foreach_sqrt_(den)
            else:
                den = torch._foreach_sqrt(square_avgs)
            torch._foreach_add_(den, group["eps"])
            if group["momentum"] > 0:
                bufs = [s["momentum_buffer"] for s in states]
                torch._foreach_mul_(bufs, group["momentum"])
                torch._foreach_addcdiv_(bufs, grads, den)
                torch._foreach_add_(params, bufs, alpha=-lr)
            else:
                torch._foreach_addcdiv_(params, grads, den, value=-lr)
        return loss


class Adam(_Optimizer):
    """Adam (Kingma and Ba, 2015): momentum on the gradient, RMSProp on its scale, bias-corrected.

    At step t, with g = grad (negated when `maximize`), plus weight_decay·p unless decoupled:

        p   = p·(1 - lr·weight_decay)                 (only with decoupled_weight_decay: AdamW)
        m   = beta1·m + (1 - beta1)·g
        v   = beta2·v + (1 - beta2)·g²
        vm  = max(vm, v) if amsgrad else v
        p   = p - lr/(1 - beta1^t) · m / (sqrt(vm)/sqrt(1 - beta2^t) + eps)

    The last line is book/04_optimizers.ipynb's p = p - lr·m̂/(sqrt(v̂) + eps), with
    m̂ = m/(1 - beta1^t) and v̂ = v/(1 - beta2^t): each correction is applied where torch
    applies it, to the step size and to sqrt(v), so that the steps match torch's bit for bit.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        check_hyper("lr", lr)
        check_hyper("eps", eps)
        check_hyper("betas[0]", betas[0], 0.0, 1.0)
        check_hyper("betas[1]", betas[1], 0.0, 1.0)
        check_hyper("weight_decay", weight_decay)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    @staticmethod
    def _state_keys(group):
        return ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if group["amsgrad"] else [])

    @torch.no_grad()
    def step(self, closure=None):
        loss = _closure_loss(closure)
        for group, params, grads, states, steps in _groups_with_state(self):
            lr, wd = group["lr"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            if group["maximize"]:
                grads = torch._foreach_neg(grads)
            if wd != 0:
                if group["decoupled_weight_decay"]:
                    torch._foreach_mul_(params, 1 - lr * wd)
                else:
                    grads = torch._foreach_add(grads, params, alpha=wd)
            exp_avgs = [s["exp_avg"] for s in states]
            exp_avg_sqs = [s["exp_avg_sq"] for s in states]
            torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
            # lerp is m + (1 - beta1)·(g - m), that is beta1·m + (1 - beta1)·g,
            # as torch writes it: the same rounding as torch.optim.Adam. So is v's
            # update below.
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
            if group["amsgrad"]:
                exp_avg_sqs = [s["max_exp_avg_sq"] for s in states]
                torch._foreach_maximum_(exp_avg_sqs, [s["exp_avg_sq"] for s in states])
            # m̂/(sqrt(v̂) + eps), with v's correction applied to its root and m's
            # to the step size.
            den = torch._foreach_sqrt(exp_avg_sqs)
            torch._foreach_div_(den, [(1 - beta2**t) ** 0.5 for t in steps])
            torch._foreach_add_(den, group["eps"])
            step_sizes = [-lr / (1 - beta1**t) for t in steps]
            torch._foreach_addcdiv_(params, exp_avgs, den, step_sizes)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov and Hutter, 2019).

    The decay shrinks the weights directly, p = p·(1 - lr·weight_decay), instead of being
    added to the gradient, where Adam's division by sqrt(v) would rescale it per weight.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         maximize=maximize, decoupled_weight_decay=True)


def largest_difference(a, b):
    """The largest |x - y| over matching entries of `a` and `b`: two models (their parameters,
    in order) or two sequences of tensors of the same shapes. 0 means the same numbers.

    How book/04_optimizers.ipynb checks a step written from scratch against torch's, and how
    book/05_weight_decay.ipynb tells two forms of weight decay apart after training.
    """
    a, b = (list(x.parameters()) if isinstance(x, torch.nn.Module) else list(x) for x in (a, b))
    if not a and not b:
        raise ValueError("largest_difference needs at least one tensor on each side, got none")
    shapes = [tuple(x.shape) for x in a], [tuple(y.shape) for y in b]
    if shapes[0] != shapes[1]:
        raise ValueError(f"largest_difference needs tensors of the same shapes on both sides, got {shapes[0]} "
                         f"and {shapes[1]}")
    with torch.no_grad():
        return max((x - y).abs().max().item() for x, y in zip(a, b))
