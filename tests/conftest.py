import importlib.util

import pytest
import torch

from scripts.toc import ROOT


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    # The tests' tensors are tiny: extra threads only add contention on a shared CPU, and
    # one thread is what the chapters use, so results match theirs.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def root_conftest():
    """The repository root's conftest.py (nbval's set-up) as a module of its own, so that its
    hooks and helpers can be called directly."""
    spec = importlib.util.spec_from_file_location("root_conftest", ROOT / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
