"""Config keeps numbers as numbers and refuses what JSON cannot hold, at the call; the JSON
export is strict JSON and appears whole or not at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import fitscope
from fitscope.errors import InvalidTypeError


def strict_json(text: str) -> Any:
    def refuse(token: str) -> None:
        raise AssertionError(f"not strict JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_numpy_config_values_are_stored_as_numbers(store: fitscope.Store) -> None:
    config = {
        "batch": np.int64(32),
        "lr": np.float32(0.5),
        "layers": np.array([64, 32]),
        "shape": (3, 4),
        "flag": np.bool_(True),
        "nested": {"momentum": np.float64(0.9)},
    }
    with fitscope.init(store=store, config=config) as run:
        run.log({"loss": 1.0})
        run.update_config({"epochs": np.int32(10)})
    record = store.get_run(run.id)
    assert record.config == {
        "batch": 32,
        "lr": 0.5,
        "layers": [64, 32],
        "shape": [3, 4],
        "flag": True,
        "nested": {"momentum": 0.9},
        "epochs": 10,
    }
    assert type(record.config["batch"]) is int
    # Config filters find them as the numbers they are.
    found = store.runs(config={"batch": 32, "nested.momentum": 0.9, "epochs": 10})
    assert [r.id for r in found] == [run.id]


def _circular() -> dict[str, Any]:
    config: dict[str, Any] = {"a": {}}
    config["a"]["back"] = config
    return config


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ({("a", "b"): 1}, r"config keys must be strings .* Got the key \('a', 'b'\) \(tuple\)"),
        (_circular(), r"config\['a'\]\['back'\] must be a JSON value. Got a container that"),
        ({"opt": {"fn": object()}}, r"config\['opt'\]\['fn'\] must be a JSON value"),
        ({"ids": {1, 2}}, r"config\['ids'\] must be a JSON value .* sorted\(value\)"),
    ],
)
def test_non_json_config_is_refused_naming_the_key_path(
    store: fitscope.Store, config: dict[str, Any], needle: str
) -> None:
    before = len(store.runs())
    with pytest.raises(InvalidTypeError, match=needle):
        fitscope.init(store=store, config=config)
    assert len(store.runs()) == before  # no run was started
    run = fitscope.init(store=store)
    with pytest.raises(InvalidTypeError, match=needle):
        run.update_config(config)
    run.finish()
    assert store.get_run(run.id).config == {}


def test_json_export_is_strict_with_nan_in_config_and_values(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    url = str(tmp_path / "runs.db")
    config = {"lr": float("nan"), "clip": float("inf"), "nested": [float("-inf"), 1]}
    with fitscope.init(store=url, config=config) as run:
        run.log({"loss": float("nan")})
        run.log({"loss": float("inf")})
        run.log({"loss": 0.5})
    out = tmp_path / "run.json"
    result = cli("runs", "export", run.id, "--format", "json", "-o", str(out), "--store", url)
    assert result.returncode == 0, result.stderr
    document = strict_json(out.read_text())
    assert document["config"] == {"lr": "NaN", "clip": "Infinity", "nested": ["-Infinity", 1]}
    assert [p["value"] for p in document["points"]] == ["NaN", "Infinity", 0.5]
    stdout = cli("runs", "export", run.id, "--format", "json", "--store", url)
    assert strict_json(stdout.stdout) == document
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's


def test_export_on_a_full_disk_leaves_the_old_file_whole(
    small_disk: Path, fill_disk: Callable[[Path], Path], tmp_path: Path, cli: Callable[..., Any]
) -> None:
    url = str(tmp_path / "runs.db")
    with fitscope.init(store=url) as run:
        for i in range(100_000):
            run.log({"loss": 1.0 / (i + 1)})
    out = small_disk / "run.json"
    out.write_text('{"old": true}\n')
    fill_disk(small_disk)
    result = cli("runs", "export", run.id, "--format", "json", "-o", str(out), "--store", url)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: --output must be a file that can be written.")
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert out.read_text() == '{"old": true}\n'
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "run.json"]
