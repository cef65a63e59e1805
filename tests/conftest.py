import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    # The tests' tensors are tiny: extra threads only add contention on a shared CPU, and
    # one thread is what the chapters use, so results match theirs.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
