"""Times the MLP's hand-written backward pass (lesson5.layers) against autograd's.

The network is the chapter's: Affine(784, 100) → ReLU → Affine(100, 10) → MSE, on random
MNIST-sized batches. Both sides run the same forward computation (x @ w + b, clamp, mean of
squares); only the backward is timed: `Sequential.backward(MSE.backward())` against
`loss.backward()`. Blocks of iterations alternate between the two so background load on a
shared machine hits both alike; wall and process CPU time are both reported (one torch
thread by default, where CPU time is the work done).
Run: python benchmarks/bench_backward.py [--reps 15] [--iters 200] [--bs 64]
Target: hand-written / autograd ≤ 1.2. See benchmarks/README.md.
"""

import argparse
import statistics
import time

import torch
from alternate import in_turn
from options import count, description

from lesson5 import layers


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--reps", type=count, default=15, help="blocks timed for each side")
    parser.add_argument("--iters", type=count, default=200, help="backward passes per block")
    parser.add_argument("--bs", type=count, nargs="+", default=[64, 512], help="batch sizes, one row each")
    parser.add_argument("--threads", type=count, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"MLP 784-100-10 + MSE, backward only, {args.reps} blocks of {args.iters} passes, "
          f"torch threads={torch.get_num_threads()}")
    print(f"{'bs':>5}{'clock':>7}{'autograd µs':>13}{'by hand µs':>12}{'by hand/autograd':>18}")
    for bs in args.bs:
        bench(bs, args.reps, args.iters)
    print("target: by hand/autograd ≤ 1.2")


def bench(bs, reps, iters):
    g = torch.Generator().manual_seed(0)
    model = layers.Sequential(layers.Affine(784, 100, generator=g), layers.ReLU(), layers.Affine(100, 10, generator=g))
    mse = layers.MSE()
    params = [p.clone().requires_grad_() for p in model.parameters()]
    x = torch.rand(bs, 784, generator=g)
    y = torch.rand(bs, 10, generator=g)

    def by_hand():
        mse.forward(model.forward(x), y)
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        model.backward(mse.backward())
        return time.perf_counter() - start_wall, time.process_time() - start_cpu

    def autograd():
        for p in params:
            p.grad = None
        w1, b1, w2, b2 = params
        loss = (torch.addmm(b2, torch.addmm(b1, x, w1).clamp_min(0), w2) - y).pow(2).mean()
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        loss.backward()
        return time.perf_counter() - start_wall, time.process_time() - start_cpu

    sides = {"autograd": autograd, "by hand": by_hand}
    for fn in sides.values():  # warm-up
        for _ in range(20):
            fn()
    wall = {name: [] for name in sides}
    cpu = {name: [] for name in sides}
    for name, fn in in_turn(sides, reps):
        w = c = 0.0
        for _ in range(iters):
            dw, dc = fn()
            w, c = w + dw, c + dc
        wall[name].append(w / iters)
        cpu[name].append(c / iters)
    for clock, times in (("wall", wall), ("cpu", cpu)):
        auto, hand = (statistics.median(times[k]) * 1e6 for k in ("autograd", "by hand"))
        print(f"{bs:>5}{clock:>7}{auto:>13.1f}{hand:>12.1f}{hand / auto:>18.3f}")


if __name__ == "__main__":
    main()
