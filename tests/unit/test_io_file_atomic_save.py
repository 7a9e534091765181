"""file:// save as one atomic switch: a crash or an error at every step leaves the old or the new model."""

import builtins
import os

import pytest

import tfjs as tf
from harness import run_async
from io_samples import assert_weights_equal, sample_artifacts
from tfjs.errors import StorageError

STEPS = ("open", "fsync", "replace", "unlink")


class Crash(BaseException):
    """Stands for the process dying: no handler of the save's own runs after it."""


def inject(monkeypatch, at, fault):
    """Make the at-th file system call of the save (open, fsync, replace, unlink) raise ``fault``."""
    calls = []

    def wrap(module, name):
        real = getattr(module, name)

        def faulty(*args, **kwargs):
            calls.append(name)
            if len(calls) == at:
                raise fault
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, faulty)

    wrap(builtins, "open")
    for name in STEPS[1:]:
        wrap(os, name)
    os_open = os.open

    def faulty_os_open(*args, **kwargs):  # directory fsyncs open the directory first
        calls.append("os.open")
        if len(calls) == at:
            raise fault
        return os_open(*args, **kwargs)

    monkeypatch.setattr(os, "open", faulty_os_open)
    return calls


def loaded_values(directory):
    artifacts = run_async(tf.io.load(f"file://{directory}/model.json"))
    return tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs)


@pytest.mark.parametrize("fault", ["crash", "error"])
def test_every_step_leaves_the_old_or_the_new_model(tmp_path, monkeypatch, fault):
    old, old_values = sample_artifacts(seed=1)
    new, new_values = sample_artifacts(seed=2, scale=3)
    # How many file system calls a save makes over an existing model: every one of them gets its fault.
    run_async(tf.io.save(f"file://{tmp_path}/count", old))
    calls = inject(monkeypatch, 0, None)
    run_async(tf.io.save(f"file://{tmp_path}/count", new))
    monkeypatch.undo()
    assert {"open", "fsync", "replace", "unlink", "os.open"} <= set(calls) and len(calls) >= 10
    outcomes = []
    for step in range(1, len(calls) + 1):
        directory = tmp_path / f"m{step}"
        run_async(tf.io.save(f"file://{directory}", old))
        run_async(tf.io.save(f"file://{directory}", new))  # model.json now names weights.1.bin
        run_async(tf.io.save(f"file://{directory}", old))  # and weights.bin again: both names get exercised
        inject(monkeypatch, step, Crash() if fault == "crash" else OSError(5, "Input/output error"))
        try:
            run_async(tf.io.save(f"file://{directory}", new))
            outcome = "saved"
        except Crash:
            outcome = "crashed"
        except StorageError as e:
            assert f"Saving the model to {directory} failed" in str(e)
            outcome = "failed"
        monkeypatch.undo()
        values = loaded_values(directory)
        is_new = values["dense/kernel"].shape == new_values["dense/kernel"].shape
        assert_weights_equal(values, new_values if is_new else old_values)
        files = sorted(os.listdir(directory))
        if outcome == "failed":  # a failed save: the old model and no partial file
            assert not is_new or calls_after_switch(step, calls)
            if not is_new:
                assert files == ["model.json", "weights.bin"], (step, files)
        if outcome == "crashed":  # a crash may leave a staged file beside the model, never in its place
            assert all(f in ("model.json", "weights.bin", "weights.1.bin") or ".tmp-" in f for f in files)
        outcomes.append((outcome, is_new))
    kinds = {o for o, _ in outcomes}
    assert ("crashed" if fault == "crash" else "failed") in kinds
    assert (True in {n for _, n in outcomes}) and (False in {n for _, n in outcomes})
    # A later save cleans up after any of these.
    for step in range(1, len(calls) + 1):
        directory = tmp_path / f"m{step}"
        run_async(tf.io.save(f"file://{directory}", new))
        assert sorted(os.listdir(directory)) in (["model.json", "weights.1.bin"], ["model.json", "weights.bin"])
        assert_weights_equal(loaded_values(directory), new_values)


def calls_after_switch(step, calls):
    """Whether the step-th call comes after model.json was replaced (the second replace)."""
    replaces = [i + 1 for i, c in enumerate(calls) if c == "replace"]
    return step > replaces[1]


def test_a_save_leaves_one_weights_file_and_model_json(tmp_path):
    for seed in range(3):
        artifacts, values = sample_artifacts(seed=seed)
        run_async(tf.io.save(f"file://{tmp_path}", artifacts))
        files = sorted(os.listdir(tmp_path))
        assert files in (["model.json", "weights.bin"], ["model.json", "weights.1.bin"])
        assert_weights_equal(loaded_values(tmp_path), values)
