"""Command-line values the benchmarks share, each refused with a sentence rather than a traceback
from deep inside a timing loop (`--reps 0` once ended in "no median for empty data")."""

import argparse


def description(doc):
    """A script's first paragraph, for `--help`: its first line alone can end mid-sentence."""
    return doc.split("\n\n")[0]


def count(text):
    """A whole number of 1 or more: repetitions, rounds, batch sizes, thread counts."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too few: give 1 or more")
    return value


def threads_or_default(text):
    """A thread count, or 0 for torch's own default (all the cores it finds)."""
    if text.strip() == "0":
        return 0
    try:
        return count(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give a number of threads, 1 or more, or 0 for torch's default") from None


def torch_device(text):
    """'cpu', or 'cuda' where this torch has a GPU to run on."""
    import torch  # here, not above: bench_mkl_branch's parent process has no use for torch

    if text not in ("cpu", "cuda"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a device this benchmark runs on: give cpu or cuda")
    if text == "cuda" and not torch.cuda.is_available():
        raise argparse.ArgumentTypeError(
            "cuda: this torch sees no GPU (torch.cuda.is_available() is False); run on a machine with "
            "one and torch's CUDA build, or leave --device out to use the CPU")
    return torch.device(text)


def add_torch_options(parser, counted, default, help):
    """The options of a benchmark that times torch calls in rounds: `--<counted>` per round
    (`default` of them; `help` says what they are), `--rounds`, `--threads` and `--device`."""
    parser.add_argument(f"--{counted}", type=count, default=default, help=help)
    parser.add_argument("--rounds", type=count, default=7, help="rounds; the median is reported")
    parser.add_argument("--threads", type=threads_or_default, default=1,
                        help="torch intra-op threads (0: torch's default)")
    parser.add_argument("--device", type=torch_device, default=None,
                        help="cpu or cuda (default: CUDA when present, else CPU)")


def torch_setup(args):
    """Applies `--threads` and gives the device `--device` names, else CUDA where present."""
    import torch  # here, as in torch_device

    from lesson5.learner import default_device

    if args.threads:
        torch.set_num_threads(args.threads)
    return args.device or default_device()
