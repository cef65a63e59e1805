"""Times training the chapter's dot-product model to the validation-MSE target.

book/06_collab.ipynb trains `DotProductBias` (40 factors, biases, y_range (0, 5.5)) on a
seeded random 80/20 split of MovieLens 100K with the package's Learner, Adam with fastai's
beta2 of 0.99 (beta1 follows the 1cycle momentum), 1cycle and weight decay. This script
repeats that fit (the chapter's recipe; also with the 512-rating batches it used before issue 21
made it cheaper) and, as the baseline, the lesson's recipe (5 epochs
of 64-rating batches, lr 5e-3, decoupled weight decay 0.1, the same Adam: fastai v1's), and
reports for each: the validation MSE, wall-clock and process CPU seconds (median of the
repeats), and the ratio of the two recipes' times.
Run: python benchmarks/bench_collab.py [--repeats 3] [--threads 1 2]
Target: the chapter's recipe reaches validation MSE ≤ 0.80 in ≤ 10 s on a 2-core CPU.
CPU time is the work done; wall time also counts waiting for a busy machine.
"""

import argparse
import statistics
import time
from functools import partial

import torch.nn.functional as F
from options import count, description

from lesson5 import seed_everything
from lesson5.collab import DotProductBias, collab_dls, split_ratings
from lesson5.datasets import load_movielens
from lesson5.learner import Learner
from lesson5.optim import FASTAI_BETAS, Adam
from lesson5.schedule import OneCycle
from lesson5.weight_decay import WeightDecay

RECIPES = {
    # name: (epochs, batch size, lr_max, wd, wd_mode)
    "chapter": (5, 2048, 2e-2, 2e-4, "l2"),
    # The chapter's recipe before issue 21 cut its time: four times the steps.
    "chapter-bs512": (5, 512, 1e-2, 2e-4, "l2"),
    "lesson": (5, 64, 5e-3, 0.1, "decoupled"),
}


def fit(ratings, n_users, n_movies, threads, epochs, bs, lr, wd, wd_mode):
    seed_everything(threads=threads)
    train, valid = split_ratings(ratings, valid_pct=0.2, seed=42)
    dls = collab_dls(train, valid, bs=bs)
    model = DotProductBias(n_users, n_movies, n_factors=40, y_range=(0, 5.5))
    # Only this script's own table is wanted on the terminal, not one per fit.
    learn = Learner(model, dls, F.mse_loss, opt_func=partial(Adam, betas=FASTAI_BETAS),
                    cbs=[WeightDecay(wd, mode=wd_mode)], progress=False)
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    learn.fit(epochs, cbs=[OneCycle(lr)])
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    return learn.recorder.table.valid_loss.iloc[-1], wall, cpu


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--repeats", type=count, default=3, help="fits per recipe and thread count")
    parser.add_argument("--threads", type=count, nargs="+", default=[1, 2], help="torch intra-op threads")
    parser.add_argument("--recipes", nargs="+", default=list(RECIPES), choices=list(RECIPES))
    args = parser.parse_args()
    ml = load_movielens()
    n_users, n_movies = len(ml.users), len(ml.movies)
    print(f"{'recipe':<22}{'threads':>8}{'valid MSE':>11}{'wall s':>8}{'CPU s':>8}")
    results = {}
    for threads in args.threads:
        for name in args.recipes:
            runs = [fit(ml.ratings, n_users, n_movies, threads, *RECIPES[name]) for _ in range(args.repeats)]
            mse = runs[0][0]
            wall = statistics.median(r[1] for r in runs)
            cpu = statistics.median(r[2] for r in runs)
            results[name, threads] = wall
            print(f"{name:<22}{threads:>8}{mse:>11.4f}{wall:>8.1f}{cpu:>8.1f}", flush=True)
    for threads in args.threads:
        if ("chapter", threads) in results and ("lesson", threads) in results:
            ratio = results["lesson", threads] / results["chapter", threads]
            print(f"threads={threads}: lesson recipe / chapter recipe, wall time: {ratio:.1f}x")
    print("target: chapter recipe valid MSE ≤ 0.80 in ≤ 10 s (2-core CPU)")


if __name__ == "__main__":
    main()
