import importlib.util
import pathlib

import numpy as np
import pytest
import torch

import fitscope

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "torch_digits.py"


def test_run_log_takes_tensors_including_ones_that_require_grad(store):
    weight = torch.tensor(2.0, requires_grad=True)
    loss = (weight * 3.0) ** 2  # a 0-d tensor in the autograd graph
    run = fitscope.init(store=store)
    run.log({"loss": loss, "accuracy": torch.tensor(0.75, dtype=torch.float64)})
    run.log({"loss": torch.tensor([1.5]).sum()})
    run.finish()
    history = store.get_run(run.id).history("loss")
    assert history.values.tolist() == [36.0, 1.5]
    assert store.get_run(run.id).history("accuracy").values.tolist() == [0.75]


def test_metrics_take_tensors_as_numpy_arrays():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 3, generator=gen, requires_grad=True)
    probs = torch.softmax(logits, dim=1)
    labels = torch.randint(0, 3, (50,), generator=gen)
    expected = fitscope.evaluate(labels.numpy(), probs.detach().numpy())
    assert fitscope.evaluate(labels, probs) == pytest.approx(expected)
    ev = fitscope.Evaluator(["log_loss", "accuracy"], from_logits=True)
    ev.update(labels[:20], logits[:20]).update(labels[20:], logits[20:])
    assert ev.compute() == pytest.approx(expected)
    # bfloat16 has no numpy dtype: it is widened to float32 (0.25 and 0.75 are exact in both).
    half = torch.tensor([0.25, 0.75], dtype=torch.bfloat16)
    assert fitscope.evaluate(torch.tensor([0, 1]), half) == fitscope.evaluate([0, 1], [0.25, 0.75])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_metrics_take_gpu_tensors():
    labels = torch.tensor([0, 1, 1], device="cuda")
    probs = torch.tensor([0.2, 0.7, 0.4], device="cuda")
    assert fitscope.evaluate(labels, probs) == fitscope.evaluate(
        labels.cpu().numpy(), probs.cpu().numpy()
    )


def test_digits_example_tracks_loss_and_accuracy_per_epoch(tmp_path):
    spec = importlib.util.spec_from_file_location("torch_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db = tmp_path / "runs.db"
    run_id = module.main(["--epochs", "3", "--store", str(db)])
    record = fitscope.Store(db).get_run(run_id)
    assert record.status == "finished"
    assert set(record.series()) == {
        (split, metric) for split in ("train", "val") for metric in ("log_loss", "accuracy")
    }
    for split in ("train", "val"):
        assert record.history("accuracy", split).steps.tolist() == [0, 1, 2]
    # The stored predictions reproduce the last epoch's validation numbers.
    (snapshot,) = record.predictions("val")
    again = fitscope.evaluate(snapshot.y_true, snapshot.y_pred)
    assert again["accuracy"] == pytest.approx(record.history("accuracy", "val").values[-1])
    assert again["log_loss"] == pytest.approx(
        record.history("log_loss", "val").values[-1], rel=1e-5
    )
    assert np.all(np.diff(record.history("log_loss", "train").values) < 0)
