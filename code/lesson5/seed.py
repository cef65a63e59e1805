"""One call that makes a chapter repeatable, and a test of which machines repeat it.

Every chapter calls `seed_everything()` first (book/01_data.ipynb explains why).
`arithmetic_fingerprint()` tells whether this machine's arithmetic is the arithmetic that
stored the chapters' outputs (book/reference_machine.json, scripts/reference_machine.py).
"""

import hashlib
import random

import numpy as np
import torch


def seed_everything(seed=42, threads=1):
    """Makes a re-run print the same numbers, on this machine and on another one.

    Seeds Python's, NumPy's and PyTorch's generators. Fixes PyTorch's number of threads
    (one: the chapters' tensors are small, so a second thread buys little, and a sum split
    over a different number of threads adds its terms in a different order). Switches off
    oneDNN, which would otherwise run the convolutions with kernels and blocking chosen for
    the CPU at hand. scripts/setup.sh pins MKL's and ATen's code paths. Together these give
    the same bits on one machine every time, and on most CPUs the same printed numbers, but
    not all: long training runs can amplify a last-bit difference between two CPU models
    into a printed one (see `arithmetic_fingerprint`).
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = False
    return seed


def arithmetic_fingerprint():
    """A short hex digest of computations whose last bits vary between CPU models.

    Machines with the same fingerprint should print the same numbers in every chapter (nbval
    checks every cell there); on others the cells tagged `machine-dependent` may differ in
    their last digits. Measured: an AMD EPYC and an Intel Xeon, both with the pinned code
    paths, differed in 13 cells, every one printing the result of a training run, so the
    digest covers what differed there: Adam on a small network (book/02_from_scratch.ipynb), an
    optimizer's path on a curved valley in float64 (book/04_optimizers.ipynb) and a few steps
    of a small convolutional network at the batch sizes of book/07_transfer.ipynb. It runs
    in about a second, on one thread, and leaves the generators, the thread count and
    oneDNN's switch as it found them.
    """
    from torch import nn

    from .cnn import create_model, simple_body
    from .explorer import BETAS, LR_FACTORS, SURFACES, descend
    from .optim import Adam

    digest = hashlib.sha256()

    def add(t):
        digest.update(t.detach().contiguous().numpy().tobytes())

    threads, onednn = torch.get_num_threads(), torch.backends.mkldnn.enabled
    states = random.getstate(), np.random.get_state(), torch.get_rng_state()
    try:
        seed_everything(0)
        x = torch.linspace(-2, 2, 200)[:, None]
        y = torch.sin(3 * x) + 0.3 * x**2
        net = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
        opt = torch.optim.Adam(net.parameters(), lr=0.03)
        for _ in range(300):
            loss = nn.functional.mse_loss(net(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        add(loss)

        valley = SURFACES[1]
        add(descend(valley.f, list(valley.start), "RMSProp", [(valley.lrs["RMSProp"] * LR_FACTORS[4], BETAS[4])],
                    valley.steps))

        seed_everything(0)
        cnn = create_model(simple_body((8, 16)), 5)
        opt = Adam(cnn.parameters(), lr=1e-2)
        for bs in (32, 10, 32, 10):
            images, labels = torch.randn(bs, 1, 28, 28), torch.randint(0, 5, (bs,))
            nn.functional.cross_entropy(cnn(images), labels).backward()
            opt.step()
            opt.zero_grad()
        for p in cnn.parameters():
            add(p)
    finally:
        torch.set_num_threads(threads)
        torch.backends.mkldnn.enabled = onednn
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])
    return digest.hexdigest()[:16]
