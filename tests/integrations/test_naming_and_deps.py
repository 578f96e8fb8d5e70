import importlib
import sys

import pytest

from fitscope.errors import MissingDependencyError
from fitscope.integrations.naming import parse_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("loss", ("train", "loss", None)),
        ("val_loss", ("val", "loss", None)),
        ("valid_acc", ("val", "accuracy", None)),
        ("validation/loss", ("val", "loss", None)),
        ("eval_accuracy", ("val", "accuracy", None)),
        ("test_acc", ("test", "accuracy", None)),
        ("train_loss_epoch", ("train", "loss", "epoch")),
        ("train_loss_step", ("train_step", "loss", "step")),
        ("train/loss", ("train", "loss", None)),
        ("Loss/train", ("train", "loss", None)),
        ("Accuracy/validation", ("val", "accuracy", None)),
        ("Loss_val", ("val", "loss", None)),
        ("epoch_loss", ("train", "loss", "epoch")),
        ("learning_rate", ("train", "learning_rate", None)),
    ],
)
def test_split_is_read_from_the_name(name, expected):
    assert tuple(parse_key(name))[:3] == expected


@pytest.mark.parametrize(
    ("module", "framework", "extra"),
    [
        ("keras", "keras", "keras"),
        ("torch", "torch", "torch"),
        ("lightning", "lightning", "lightning"),
        ("xgboost", "xgboost", "xgboost"),
        ("lightgbm", "lightgbm", "lightgbm"),
        ("sklearn", "sklearn.base", "sklearn"),
    ],
)
def test_missing_framework_names_the_extra(monkeypatch, module, framework, extra):
    # None in sys.modules makes `import framework` fail as if it were not installed.
    monkeypatch.setitem(sys.modules, framework, None)
    monkeypatch.delitem(sys.modules, f"fitscope.integrations.{module}", raising=False)
    with pytest.raises(MissingDependencyError, match=rf'pip install "fitscope\[{extra}\]"'):
        importlib.import_module(f"fitscope.integrations.{module}")
    monkeypatch.delitem(sys.modules, f"fitscope.integrations.{module}", raising=False)


def test_importing_fitscope_imports_no_framework():
    code = (
        "import sys, fitscope, fitscope.integrations, fitscope.integrations.naming;"
        "bad = [m for m in ('torch', 'keras', 'lightning', 'xgboost', 'lightgbm', 'sklearn',"
        " 'tensorboard') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    import subprocess

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
