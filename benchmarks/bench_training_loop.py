"""Times one epoch of the MNIST MLP: lesson5's Learner against a bare PyTorch loop.

Both train the same model (mlp(784, 100, 10), same initial weights) on MNIST-10k with
the same batch size and torch.optim.SGD, and both do what an epoch of the Learner does:
shuffled training batches (forward, loss, backward, step, zero_grad, loss recorded), then
the validation set (loss and accuracy). The two run alternately, so background load on a
shared machine hits both alike. Each epoch is timed twice: wall clock, and the CPU time of
this process, which other programs on a busy machine disturb far less (with one torch
thread, the default here, CPU time is the work done). Read the ratio of the medians.
Run: python benchmarks/bench_training_loop.py [--reps 15] [--bs 64] [--threads 1]
Target: Learner / bare ≤ 1.10. See benchmarks/README.md.
"""

import argparse
import contextlib
import io
import statistics

import torch
import torch.nn.functional as F
from alternate import alternate
from options import count, description

from lesson5.datasets import load_mnist_10k
from lesson5.learner import Learner, accuracy
from lesson5.loaders import DataLoaders
from lesson5.modules import mlp


def bare_epoch(model, opt, x_train, y_train, x_valid, y_valid, bs):
    model.train()
    losses = []
    order = torch.randperm(len(x_train))
    for i in range(0, len(x_train), bs):
        idx = order[i : i + bs]
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        loss.backward()
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    model.eval()
    valid_loss = correct = 0.0
    with torch.no_grad():
        for i in range(0, len(x_valid), 2 * bs):
            preds = model(x_valid[i : i + 2 * bs])
            yb = y_valid[i : i + 2 * bs]
            valid_loss += F.cross_entropy(preds, yb).item() * len(yb)
            correct += (preds.argmax(1) == yb).sum().item()
    return sum(losses) / len(losses), valid_loss / len(x_valid), correct / len(x_valid)


def main():
    parser = argparse.ArgumentParser(description=description(__doc__))
    parser.add_argument("--reps", type=count, default=15, help="epochs timed for each loop")
    parser.add_argument("--bs", type=count, default=64, help="training batch size (validation: twice that)")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD learning rate, both loops")
    parser.add_argument("--threads", type=count, default=1, help="torch intra-op threads")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = load_mnist_10k()
    torch.manual_seed(0)
    bare_model = mlp(784, 100, 10)
    learn_model = mlp(784, 100, 10)
    learn_model.load_state_dict(bare_model.state_dict())
    bare_opt = torch.optim.SGD(bare_model.parameters(), lr=args.lr)
    dls = DataLoaders.from_tensors(data.x_train, data.y_train, data.x_valid, data.y_valid, bs=args.bs)
    learn = Learner(learn_model, dls, F.cross_entropy, lr=args.lr, opt_func=torch.optim.SGD,
                    metrics=[accuracy], device="cpu")

    def run_bare():
        bare_epoch(bare_model, bare_opt, data.x_train, data.y_train, data.x_valid, data.y_valid, args.bs)

    def run_learner():
        # The Learner prints its epoch table when not in a notebook; that cost stays in.
        with contextlib.redirect_stdout(io.StringIO()):
            learn.fit(1)

    # Warm-up: first-call allocations and lazy imports.
    run_bare()
    run_learner()
    wall, cpu = alternate({"bare": run_bare, "learner": run_learner}, args.reps)

    print(f"MNIST-10k MLP epoch, bs={args.bs}, {len(data.x_train)} train + {len(data.x_valid)} valid images, "
          f"{args.reps} reps, torch threads={torch.get_num_threads()}")
    print(f"{'clock':<6}{'bare median s':>15}{'learner median s':>18}{'learner/bare':>14}")
    for clock, times in (("wall", wall), ("cpu", cpu)):
        bare, learner = (statistics.median(times[k]) for k in ("bare", "learner"))
        print(f"{clock:<6}{bare:>15.4f}{learner:>18.4f}{learner / bare:>14.3f}")
    print("target: learner/bare ≤ 1.10")

if __name__ == "__main__":
    main()
