"""On a machine with a CUDA GPU, the package trains there by itself and hands results back on
the CPU, where the chapters' pandas and matplotlib read them. Skipped elsewhere: the course
never requires a GPU (every other test runs on whichever device `default_device` picks)."""

import pytest
import torch
import torch.nn.functional as F

from lesson5.cnn import create_model, simple_body
from lesson5.collab import DotProductBias
from lesson5.learner import Learner, default_device
from lesson5.loaders import DataLoader, DataLoaders
from lesson5.pretrain import select_classes
from lesson5.seed import scoring
from lesson5.similarity import activations, label_agreement, nearest
from lesson5.transfer import saved_activation_bytes
from lesson5.weights import load_weights, save_weights

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU here")


def test_the_learner_trains_on_the_gpu_and_returns_predictions_on_the_cpu():
    g = torch.Generator().manual_seed(0)
    x = torch.stack([torch.randint(0, 20, (256,), generator=g),
                     torch.randint(0, 30, (256,), generator=g)], dim=1)
    y = torch.rand(256, generator=g) * 5
    learn = Learner(DotProductBias(20, 30, n_factors=4, y_range=(0, 5.5)),
                    DataLoaders.from_tensors(x, y, x, y, bs=64), F.mse_loss, progress=False)
    assert default_device().type == "cuda" and learn.device.type == "cuda"
    learn.fit(2)
    assert all(p.device.type == "cuda" for p in learn.model.parameters())
    preds, targets = learn.get_preds(DataLoader(x, y, bs=64))
    assert preds.device.type == "cpu" and targets.device.type == "cpu"
    assert torch.isfinite(preds).all() and preds.shape == y.shape


def test_scoring_a_gpu_body_yields_its_device_and_activations_come_back_on_the_cpu():
    body = simple_body((4, 8)).cuda()
    with scoring(body) as device:
        assert device.type == "cuda"
    x = torch.randn(7, 1, 28, 28)
    acts = activations(body, x, bs=3)
    assert acts.device.type == "cpu" and acts.shape == (7, 8 * 7 * 7)
    with torch.no_grad():
        assert torch.allclose(acts, body.eval()(x.cuda()).flatten(1).cpu(), atol=1e-5)


def test_weights_saved_from_the_gpu_load_into_a_model_on_either_device(tmp_path):
    torch.manual_seed(0)
    gpu_model = create_model(simple_body((4, 8)), n_out=3).cuda()
    path = tmp_path / "body.pt"
    save_weights(gpu_model, path)
    for device in ("cpu", "cuda"):
        torch.manual_seed(1)
        other = create_model(simple_body((4, 8)), n_out=3).to(device)
        load_weights(other, path)
        for theirs, ours in zip(gpu_model.state_dict().values(), other.state_dict().values()):
            assert ours.device.type == device
            assert torch.equal(theirs.cpu(), ours.cpu())


def test_data_already_on_the_gpu_is_scored_and_selected_there():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(40, 28, 28, generator=g), torch.arange(40) % 4
    picked_x, picked_y = select_classes(x.cuda(), y.cuda(), [3, 1])
    assert picked_y.device.type == "cuda"
    assert picked_y.cpu().tolist() == [1 if label == 1 else 0 for label in y.tolist() if label in (1, 3)]
    learn = Learner(create_model(simple_body((4, 8)), n_out=2),
                    DataLoaders.from_tensors(picked_x, picked_y, bs=5), F.cross_entropy, progress=False)
    # Batches of 4 ([1, 0, 1, 0]): a batch's targets reversed would not read the same.
    preds, targets = learn.get_preds(DataLoader(picked_x, picked_y, bs=4))
    assert preds.device.type == "cpu" and targets.device.type == "cpu"
    assert torch.equal(targets, picked_y.cpu())


def test_saved_activation_bytes_of_a_gpu_model_takes_a_batch_from_the_cpu():
    model = create_model(simple_body((4, 8)), n_out=3).cuda().train()
    x = torch.randn(6, 1, 28, 28)
    assert saved_activation_bytes(model, x) == saved_activation_bytes(model, x.cuda()) > 0


def test_neighbours_found_in_a_gpu_base_index_labels_on_the_cpu():
    base = torch.tensor([[0.0, 0], [1, 0], [5, 5]]).cuda()
    found = nearest(torch.tensor([[0.9, 0.1]]), base, k=2)
    assert found.device.type == "cpu" and found.tolist() == [[1, 0]]
    assert label_agreement(found, torch.tensor([0, 1, 1]), torch.tensor([1])) == 0.5
