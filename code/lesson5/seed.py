"""One call that makes a chapter repeatable, and the passes that train nothing.

Every chapter calls `seed_everything()` first (book/01_data.ipynb explains why). A scoring
pass (`scoring`, `scoring_kernels`) may use faster kernels than training, since its outputs
feed no later step: the Learner scores so, and so does book/05_weight_decay.ipynb's
`Checkpoints`.
"""

import random
from contextlib import contextmanager

import numpy as np
import torch


def seed_everything(seed=42, threads=1):
    """Makes a re-run print the same numbers on this machine, and almost all of them on another.

    Seeds Python's, NumPy's and PyTorch's generators. Fixes PyTorch's number of threads
    (one: the chapters' tensors are small, so a second thread buys little, and a sum split
    over a different number of threads adds its terms in a different order). Switches off
    oneDNN, which would otherwise run the convolutions with kernels and blocking chosen for
    the CPU at hand (the Learner turns it back on while it scores: `scoring_kernels`). With
    MKL's and ATen's code paths pinned (scripts/env.sh, and the kernel spec scripts/kernel.py
    writes), a re-run gives the same bits on one machine. On another CPU model most printed
    numbers stay the same, but a long training run can turn a last-bit difference into a
    printed one (seen between an AMD EPYC and an Intel Xeon: scripts/reference_machine.py).
    On a GPU it makes cuDNN's convolutions deterministic; a few other CUDA kernels (the
    backward pass of max pooling among them) still add in varying order.
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = False
    # On a GPU, cuDNN would otherwise pick its convolution algorithms by timing them, and some
    # add in a different order from run to run.
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    return seed


@contextmanager
def scoring_kernels():
    """Runs the block with oneDNN on, then restores the setting: for passes that train nothing.

    The Learner scores with it (validation epochs, `get_preds`); book/07_transfer.ipynb scores
    each of its hundreds of fits so. seed_everything() turns oneDNN off because training turns
    a last-bit difference into a printed one, step after step; a scoring pass's outputs feed
    no later step, so such a difference can change a printed score only where it is itself
    printed to the last bit, or where two classes' outputs tie. And oneDNN's convolutions
    score a batch of images several times faster than PyTorch's own
    (benchmarks/bench_scoring.py).
    """
    was = torch.backends.mkldnn.enabled
    torch.backends.mkldnn.enabled = True
    try:
        yield
    finally:
        torch.backends.mkldnn.enabled = was


@contextmanager
def scoring(model):
    """Runs the block as a pass that trains nothing: `model` in eval mode, no gradients, and
    `scoring_kernels`. Afterwards, even after an error, the model is back in the mode it was in.

    Yields the device the model's weights are on (a GPU after training there; the CPU for a
    model without weights), where the pass's inputs must go. `Learner.get_preds`,
    `lesson5.similarity.activations` and `lesson5.receptive_field.top_patches` score through
    it (book/07_transfer.ipynb), and so does book/05_weight_decay.ipynb's `Checkpoints`.
    """
    weight = next(model.parameters(), None)
    device = torch.device("cpu") if weight is None else weight.device
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad(), scoring_kernels():
            yield device
    finally:
        model.train(was_training)
