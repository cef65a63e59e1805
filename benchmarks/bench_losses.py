"""Cost of the loss input checks: lesson5.losses.cross_entropy against F.cross_entropy.

Times what book/03_cross_entropy.ipynb says the checks read back: four numbers per batch.
A batch of 64 × 10 logits (the chapters' MNIST case) and one of 512 × 10, forward pass only.
The three variants are timed in interleaved rounds and the median per call is reported, so
background load hits all of them alike.

    python benchmarks/bench_losses.py [--calls 2000] [--rounds 7] [--threads 1] [--device cpu]

Prints, per batch shape, the time per call of F.cross_entropy, of ours with check=False and
of ours with the checks, and the two ratios against F.cross_entropy.
"""

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from alternate import in_turn
from options import add_torch_options, description, torch_setup

from lesson5.losses import cross_entropy


def per_call(fn, calls, device):
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return (time.perf_counter() - start) / calls


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    add_torch_options(parser, "calls", 2000, "calls timed per round")
    args = parser.parse_args()
    device = torch_setup(args)
    print(f"device {device}, {args.calls} calls per round, median of {args.rounds} rounds")
    print(f"{'batch':>10}{'F µs':>9}{'unchecked µs':>14}{'checked µs':>12}{'unchecked/F':>13}{'checked/F':>11}")
    gen = torch.Generator().manual_seed(0)
    for n in (64, 512):
        logits = torch.randn(n, 10, generator=gen).to(device)
        targets = torch.randint(0, 10, (n,), generator=gen).to(device)
        variants = {
            "torch": lambda x=logits, y=targets: F.cross_entropy(x, y),
            "unchecked": lambda x=logits, y=targets: cross_entropy(x, y, check=False),
            "checked": lambda x=logits, y=targets: cross_entropy(x, y),
        }
        for fn in variants.values():
            per_call(fn, 50, device)  # warm-up
        times = {name: [] for name in variants}
        for name, fn in in_turn(variants, args.rounds):
            times[name].append(per_call(fn, args.calls, device))
        med = {name: statistics.median(t) * 1e6 for name, t in times.items()}
        print(f"{f'{n} × 10':>10}{med['torch']:>9.1f}{med['unchecked']:>14.1f}{med['checked']:>12.1f}"
              f"{med['unchecked'] / med['torch']:>13.1f}{med['checked'] / med['torch']:>11.1f}")


if __name__ == "__main__":
    main()
