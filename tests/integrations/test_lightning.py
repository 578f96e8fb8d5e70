import lightning.pytorch as pl
import numpy as np
import pytest
import torch

import fitscope
from fitscope.integrations.lightning import FitscopeLogger


class Classifier(pl.LightningModule):
    def __init__(self, lr: float = 0.1, fail_at_epoch: int = -1):
        super().__init__()
        self.save_hyperparameters()
        self.net = torch.nn.Linear(4, 2)

    def training_step(self, batch, _):
        x, y = batch
        if self.current_epoch == self.hparams.fail_at_epoch:
            raise RuntimeError("boom")
        loss = torch.nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, _):
        x, y = batch
        out = self.net(x)
        self.log("val_loss", torch.nn.functional.cross_entropy(out, y))
        self.log("val_acc", (out.argmax(1) == y).float().mean())

    def test_step(self, batch, _):
        x, y = batch
        self.log("test_acc", (self.net(x).argmax(1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


class Recorder(pl.Callback):
    """What Lightning itself reports at each epoch's end."""

    def __init__(self):
        self.val_loss, self.train_loss = [], []

    def on_validation_epoch_end(self, trainer, module):
        if not trainer.sanity_checking:
            self.val_loss.append(float(trainer.callback_metrics["val_loss"]))

    def on_train_epoch_end(self, trainer, module):
        self.train_loss.append(float(trainer.callback_metrics["train_loss_epoch"]))


def _loader():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(128, 4, generator=gen)
    data = torch.utils.data.TensorDataset(x, (x[:, 0] > 0).long())
    return torch.utils.data.DataLoader(data, batch_size=32)


def _trainer(logger, tmp_path, callbacks=()):
    return pl.Trainer(
        max_epochs=3,
        logger=logger,
        callbacks=list(callbacks),
        log_every_n_steps=2,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
        num_sanity_val_steps=0,
    )


def test_logger_records_what_lightning_reports(store, tmp_path):
    torch.manual_seed(0)
    logger = FitscopeLogger(project="pl", store=store)
    recorder = Recorder()
    _trainer(logger, tmp_path, [recorder]).fit(Classifier(lr=0.2), _loader(), _loader())
    record = store.get_run(logger.experiment.id)
    assert record.status == "finished" and record.project == "pl"
    assert record.config == {"lr": 0.2, "fail_at_epoch": -1}
    assert set(record.series()) == {
        ("train", "loss"),
        ("train_step", "loss"),
        ("val", "loss"),
        ("val", "accuracy"),
    }
    np.testing.assert_allclose(record.history("loss", "val").values, recorder.val_loss, rtol=1e-6)
    np.testing.assert_allclose(
        record.history("loss", "train").values, recorder.train_loss, rtol=1e-6
    )
    assert record.history("loss", "val").steps.tolist() == [0, 1, 2]
    # 4 batches an epoch, logged every 2nd step: global steps 1, 3, ..., 11.
    assert record.history("loss", "train_step").steps.tolist() == [1, 3, 5, 7, 9, 11]


def test_failed_training_marks_the_run_failed(store, tmp_path):
    logger = FitscopeLogger(store=store)
    with pytest.raises(RuntimeError, match="boom"):
        _trainer(logger, tmp_path).fit(Classifier(fail_at_epoch=1), _loader(), _loader())
    assert store.get_run(logger.experiment.id).status == "failed"


def test_a_given_run_holds_fit_and_test(store, tmp_path):
    with fitscope.init(store=store, config={"lr": 0.1, "fail_at_epoch": -1}) as run:
        trainer = _trainer(FitscopeLogger(run), tmp_path)
        trainer.fit(Classifier(), _loader(), _loader())
        (result,) = trainer.test(Classifier(), _loader(), verbose=False)
    record = store.get_run(run.id)
    assert record.history("accuracy", "test").values.tolist() == pytest.approx([result["test_acc"]])


def test_fit_then_test_with_the_logger_own_run_is_one_run(store, tmp_path):
    logger = FitscopeLogger(project="pl", store=store)
    trainer = _trainer(logger, tmp_path)
    trainer.fit(Classifier(), _loader(), _loader())
    (result,) = trainer.test(Classifier(), _loader(), verbose=False)
    (record,) = store.runs(project="pl")
    assert record.status == "finished"
    assert ("val", "loss") in record.series()
    assert record.history("accuracy", "test").values.tolist() == pytest.approx([result["test_acc"]])


def test_hyperparameters_sent_after_the_run_started_reach_its_config(store, tmp_path):
    with fitscope.init(store=store, config={"lr": 0.1}) as run:
        _trainer(FitscopeLogger(run), tmp_path).fit(Classifier(lr=0.3), _loader(), _loader())
    assert store.get_run(run.id).config == {"lr": 0.3, "fail_at_epoch": -1}
