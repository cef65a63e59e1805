"""Times one scoring pass of chapter 07's model: PyTorch's own convolutions against oneDNN's.

The model is the chapter's: `create_model(simple_body((16, 32, 64)), n_out=5)`, in eval mode,
scoring the 500 MNIST test images each of the chapter's fits is scored on, in one batch, with
one torch thread. "plain" runs with oneDNN off, as the chapters train; "scoring_kernels" runs
inside `lesson5.seed.scoring_kernels`, as the Learner scores. The two alternate, so background
load hits both alike; each pass is timed by wall clock and by this process's CPU time. The
outputs are compared too: the largest difference, and whether every image's top class agrees.
Run: python benchmarks/bench_scoring.py [--reps 30] [--images 500]
See benchmarks/README.md.
"""

import argparse
import statistics

import torch
from alternate import alternate
from options import count, description

from lesson5 import seed_everything
from lesson5.cnn import create_model, simple_body
from lesson5.datasets import load_mnist_10k
from lesson5.seed import scoring_kernels


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--reps", type=count, default=30, help="passes timed for each side")
    parser.add_argument("--images", type=count, default=500, help="validation images scored in one batch")
    args = parser.parse_args()
    seed_everything(0)
    x = load_mnist_10k().x_valid[: args.images].view(-1, 1, 28, 28)
    model = create_model(simple_body((16, 32, 64)), n_out=5).eval()

    @torch.no_grad()
    def plain():
        return model(x)

    @torch.no_grad()
    def fast():
        with scoring_kernels():
            return model(x)

    sides = {"plain": plain, "scoring_kernels": fast}
    outputs = {name: fn() for name, fn in sides.items()}  # warm-up, and the outputs compared
    wall, cpu = alternate(sides, args.reps)

    print(f"chapter 07's model scoring {len(x)} images in one batch, {args.reps} reps, "
          f"torch threads={torch.get_num_threads()}")
    print(f"{'clock':<6}{'plain median ms':>17}{'scoring_kernels median ms':>27}{'plain/scoring_kernels':>23}")
    for clock, times in (("wall", wall), ("cpu", cpu)):
        slow, quick = (statistics.median(times[k]) * 1e3 for k in sides)
        print(f"{clock:<6}{slow:>17.2f}{quick:>27.2f}{slow / quick:>23.1f}")
    a, b = outputs.values()
    print(f"largest output difference {(a - b).abs().max().item():.2e}; "
          f"top class agrees on {(a.argmax(1) == b.argmax(1)).sum().item()} of {len(x)} images")


if __name__ == "__main__":
    main()
