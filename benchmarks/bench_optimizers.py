"""Optimizer step time: lesson5.optim against torch.optim, side by side in one run.

Backs the closing note of book/04_optimizers.ipynb. The model has about 1M parameters in
200 tensors (100 linear layers of 100×100 plus biases), so per-tensor overhead shows.
Gradients are fixed random tensors; only `opt.step()` is timed. The optimizers are timed in
interleaved rounds and the median per step is reported, so background load hits both sides.

    python benchmarks/bench_optimizers.py [--steps 50] [--rounds 7] [--threads 1] [--device cpu]

`--threads` defaults to 1: on a shared 2-core machine two threads per process make the
timings swing by a factor of ten (measured), which hides the comparison; `--threads 0`
keeps torch's default.

Prints one row per configuration: our time, torch's default implementation (on CPU: one
tensor at a time), torch's foreach implementation, and the ratios.
"""

import argparse
import statistics
import time

import torch
from alternate import in_turn
from options import add_torch_options, description, torch_setup

from lesson5 import optim

CONFIGS = [
    ("SGD", dict(lr=0.01)),
    ("SGD", dict(lr=0.01, momentum=0.9, weight_decay=1e-4)),
    ("RMSprop", dict(lr=1e-3)),
    ("RMSprop", dict(lr=1e-3, momentum=0.9, centered=True)),
    ("Adam", dict(lr=1e-3)),
    ("AdamW", dict(lr=1e-3, weight_decay=1e-2)),
]


def make_params(device, n_layers=100, width=100, seed=0):
    gen = torch.Generator().manual_seed(seed)
    params = []
    for _ in range(n_layers):
        for shape in [(width, width), (width,)]:
            p = torch.randn(shape, generator=gen).to(device).requires_grad_()
            p.grad = torch.randn(shape, generator=gen).to(device) * 1e-2
            params.append(p)
    return params


def time_steps(opt, steps, device):
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps


def bench(name, kwargs, device, steps, rounds):
    makers = {
        "ours": lambda p: getattr(optim, name)(p, **kwargs),
        "torch": lambda p: getattr(torch.optim, name)(p, **kwargs),
        "torch foreach": lambda p: getattr(torch.optim, name)(p, foreach=True, **kwargs),
    }
    opts = {k: make(make_params(device)) for k, make in makers.items()}
    for opt in opts.values():  # warm-up: state allocation happens at the first step
        time_steps(opt, 2, device)
    times = {k: [] for k in opts}
    for k, opt in in_turn(opts, rounds):
        times[k].append(time_steps(opt, steps, device))
    return {k: statistics.median(v) for k, v in times.items()}


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    add_torch_options(parser, "steps", 50, "steps timed per round")
    args = parser.parse_args()
    device = torch_setup(args)
    n = sum(p.numel() for p in make_params(device))
    print(f"device {device}, {n:,} parameters in 200 tensors, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; median ms per step over {args.rounds} rounds of {args.steps}")
    print(f"{'optimizer':<48}{'ours':>8}{'torch':>8}{'foreach':>9}{'ours/torch':>12}{'ours/foreach':>14}")
    for name, kwargs in CONFIGS:
        t = bench(name, kwargs, device, args.steps, args.rounds)
        label = name + "(" + ", ".join(f"{k}={v}" for k, v in kwargs.items()) + ")"
        print(f"{label:<48}{t['ours'] * 1e3:>8.2f}{t['torch'] * 1e3:>8.2f}{t['torch foreach'] * 1e3:>9.2f}"
              f"{t['ours'] / t['torch']:>12.2f}{t['ours'] / t['torch foreach']:>14.2f}")


if __name__ == "__main__":
    main()
