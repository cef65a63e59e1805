"""Times what the pinned MKL code path costs: the chapters' heaviest fits under MKL_CBWR=COMPATIBLE
(scripts/env.sh) against the AVX2 branch and MKL's own choice (AUTO).

scripts/env.sh pins MKL to its COMPATIBLE branch because it is the one branch MKL runs alike on
Intel and AMD processors (MKL's documentation: other branches are for Intel processors only, and
elsewhere fall back to AUTO), so that the stored outputs match on a learner's machine. Matrix
products are most of the work in two kinds of fit: book/06_collab.ipynb's embedding network
(two 50-wide embeddings, a 100-unit hidden layer, 2,048-rating batches, 5 epochs) and
book/07_transfer.ipynb's small convolutional body, trained from scratch on 100 images in
batches of 10 (PyTorch's own convolutions, as the chapters train, which multiply matrices in
MKL). Each branch runs in a process of its own, since MKL reads the setting once; the branches
alternate, so background load hits each alike. Synthetic data of the chapters' shapes: no
dataset is needed. Reports the median wall and CPU seconds of each fit, their ratio to
COMPATIBLE, and whether each branch ends with the same loss to the last bit.

Run: python benchmarks/bench_mkl_branch.py [--repeats 3] [--branches COMPATIBLE AVX2 AUTO]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from functools import partial

from alternate import in_turn
from options import count, description

FITS = ("06 embedding network", "07 CNN from scratch")


def network_fit():
    """06's EmbeddingNN fit on ratings of its shape: 80,000 ratings of 943 users and 1,682 movies."""
    import torch
    import torch.nn.functional as F

    from lesson5.collab import EmbeddingNN
    from lesson5.learner import Learner
    from lesson5.loaders import DataLoaders
    from lesson5.optim import FASTAI_BETAS, Adam
    from lesson5.schedule import OneCycle
    from lesson5.weight_decay import WeightDecay

    g = torch.Generator().manual_seed(0)

    def ratings(n):
        codes = torch.stack([torch.randint(0, 943, (n,), generator=g),
                             torch.randint(0, 1682, (n,), generator=g)], dim=1)
        return codes, torch.randint(1, 6, (n,), generator=g).float()

    dls = DataLoaders.from_tensors(*ratings(80_000), *ratings(20_000), bs=2048)
    model = EmbeddingNN([943, 1682], [50, 50], hidden=(100,), y_range=(0, 5.5))
    learn = Learner(model, dls, F.mse_loss, opt_func=partial(Adam, betas=FASTAI_BETAS),
                    cbs=[WeightDecay(2e-4, mode="l2")], progress=False, device="cpu")
    return learn, lambda: learn.fit(5, cbs=[OneCycle(2e-2)])


def cnn_fit():
    """07's body and head trained from scratch as its 100-label runs are: 4 epochs of 10 batches."""
    import torch
    import torch.nn.functional as F

    from lesson5.cnn import create_model, simple_body
    from lesson5.learner import Learner
    from lesson5.loaders import DataLoaders
    from lesson5.optim import Adam
    from lesson5.schedule import OneCycle

    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(100, 1, 28, 28, generator=g), torch.randint(0, 5, (100,), generator=g)
    dls = DataLoaders.from_tensors(x, y, x[:50], y[:50], bs=10)
    learn = Learner(create_model(simple_body((16, 32, 64)), n_out=5), dls, F.cross_entropy,
                    opt_func=Adam, progress=False, device="cpu")
    return learn, lambda: learn.fit(4, cbs=[OneCycle(1e-2)])


def child():
    """Runs each fit once in this process, under the MKL_CBWR it was started with; prints JSON."""
    import torch

    from lesson5 import seed_everything

    out = {"mkl": torch.backends.mkl.is_available()}
    for name, make in zip(FITS, (network_fit, cnn_fit)):
        seed_everything()
        learn, fit = make()
        wall, cpu = time.perf_counter(), time.process_time()
        fit()
        out[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                     "loss": float(learn.recorder.table.valid_loss.iloc[-1]).hex()}
    print(json.dumps(out))


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--repeats", type=count, default=3, help="processes per branch")
    parser.add_argument("--branches", nargs="+", default=["COMPATIBLE", "AVX2", "AUTO"],
                        help="MKL_CBWR values; the first is the baseline")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child()
    runs = {branch: [] for branch in args.branches}
    for branch, _ in in_turn(dict.fromkeys(args.branches), args.repeats):
        env = {**os.environ, "MKL_CBWR": branch}
        done = subprocess.run([sys.executable, __file__, "--child"], env=env,
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"bench_mkl_branch: the fits under MKL_CBWR={branch} failed (exit status "
                     f"{done.returncode}); the end of their output:\n{done.stderr[-2000:]}")
        runs[branch].append(json.loads(done.stdout.splitlines()[-1]))
    base = args.branches[0]
    if not runs[base][0]["mkl"]:
        print("This torch has no MKL (an ARM build, say): MKL_CBWR changes nothing here, and the "
              "rows differ by noise alone.")
    print(f"{'fit':22} {'MKL_CBWR':11} {'wall s':>7} {'CPU s':>7} {'CPU ratio':>9}  same loss as {base}")
    for name in FITS:
        base_cpu = statistics.median(run[name]["cpu"] for run in runs[base])
        for branch in args.branches:
            wall = statistics.median(run[name]["wall"] for run in runs[branch])
            cpu = statistics.median(run[name]["cpu"] for run in runs[branch])
            same = {run[name]["loss"] for run in runs[branch]} == {r[name]["loss"] for r in runs[base]}
            print(f"{name:22} {branch:11} {wall:7.2f} {cpu:7.2f} {cpu / base_cpu:9.2f}  {same}")


if __name__ == "__main__":
    main()
