"""compile / fit / evaluate / train_on_batch / fit_dataset for layers models (TF.js's training.ts), and the
trainingConfig and optimizer weights saved with ``include_optimizer``.

A training step runs the model with ``training=True`` under a gradient tape, takes the mean loss over the batch
(per output, summed over outputs, plus the weight regularizers' penalties), and applies the gradients of the
trainable weights with the optimizer. Metrics are computed on the same outputs. Epoch logs average the batch logs
weighted by batch size, as TF.js's BaseLogger does.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Sequence

import numpy as np

from .. import ops
from ..naming import to_camel_case, to_snake_case
from . import callbacks as C
from . import losses as L
from . import metrics as M
from . import optimizers as O
from .tape import variable_grads_list

F32 = np.float32
YIELD_EVERY_S = 0.1


# ---------------------------------------------------------------------------------------------------- compile

def _per_output(value, names: list[str], what: str) -> list:
    if isinstance(value, dict):
        for key in value:
            if key not in names:
                raise ValueError(f"Unknown entry in {what} dictionary: \"{key}\". Only expected the following keys: "
                                 f"{names}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(names):
            raise ValueError(f"When passing an Array as {what}, it should have one entry per model output. The "
                             f"model has {len(names)} output(s), but you passed {what}={list(value)}")
        return list(value)
    return [value] * len(names)


def compile_model(model, optimizer=None, loss=None, metrics=None) -> None:
    if loss is None:
        raise ValueError("compile: a loss is required")
    if optimizer is None:
        raise ValueError("compile: an optimizer is required")
    names = list(model.output_names)
    model.optimizer = O.get(optimizer)
    model.loss = loss
    model.loss_functions = [L.get(l) for l in _per_output(loss, names, "loss")]
    model.metrics = metrics
    per_output = [[] for _ in names]
    if metrics is not None:
        if isinstance(metrics, dict):
            per_output = [list(m) if isinstance(m, (list, tuple)) else ([] if m is None else [m])
                          for m in _per_output(metrics, names, "metrics")]
        else:
            ms = list(metrics) if isinstance(metrics, (list, tuple)) else [metrics]
            per_output = [list(ms) for _ in names]
    model.metric_fns = []  # (name, output index, fn)
    multi = len(names) > 1
    model.metrics_names = ["loss"] + ([f"{n}_loss" for n in names] if multi else [])
    for i, ms in enumerate(per_output):
        prefix = f"{names[i]}_" if multi else ""
        loss_fn = model.loss_functions[i]
        shape = model.outputs[i].shape
        for m in ms:
            if isinstance(m, str) and m in ("accuracy", "acc", "crossentropy", "ce"):
                acc = m in ("accuracy", "acc")
                if shape[-1] == 1 or loss_fn is L.binary_crossentropy:
                    fn = M.binary_accuracy if acc else M.binary_crossentropy
                elif loss_fn is L.sparse_categorical_crossentropy:
                    fn = M.sparse_categorical_accuracy if acc else M.sparse_categorical_crossentropy
                else:
                    fn = M.categorical_accuracy if acc else M.categorical_crossentropy
                name = prefix + ("acc" if acc else "ce")
            else:
                fn = M.get(m)
                name = prefix + (m if isinstance(m, str) else getattr(m, "__name__", "metric"))
            model.metric_fns.append((name, i, fn))
            model.metrics_names.append(name)
    model.is_compiled = True
    model.stop_training = False


def _check_compiled(model) -> None:
    if not getattr(model, "is_compiled", False) or getattr(model, "optimizer", None) is None:
        raise RuntimeError("You must compile a model before training/testing. Use LayersModel.compile(modelCompileArgs).")


def training_config(model) -> dict:
    """TF.js's getTrainingConfig: loss and metric identifiers in snake_case, the optimizer's class and config."""
    loss = model.loss
    if isinstance(loss, str):
        loss_ids: Any = to_snake_case(loss)
    elif isinstance(loss, (list, tuple)):
        loss_ids = [_identifier(l, "loss") for l in loss]
    elif isinstance(loss, dict):
        loss_ids = {k: _identifier(v, "loss") for k, v in loss.items()}
    else:
        raise ValueError("Serialization of non-string loss is not supported.")
    metrics = model.metrics
    if metrics is None:
        metric_ids: Any = {}
    elif isinstance(metrics, (str,)) or callable(metrics):
        metric_ids = [_identifier(metrics, "metric")]
    elif isinstance(metrics, (list, tuple)):
        metric_ids = [_identifier(m, "metric") for m in metrics]
    else:
        metric_ids = {k: _identifier(v, "metric") for k, v in metrics.items()}
    return {"loss": loss_ids, "metrics": metric_ids,
            "optimizer_config": {"class_name": model.optimizer.get_class_name(),
                                 "config": model.optimizer.get_config()}}


def _identifier(x, what: str) -> str:
    if isinstance(x, str):
        return to_snake_case(x)
    if callable(x):
        return to_snake_case(L.name_of(x))
    raise ValueError(f"Serialization of non-string {what} is not supported.")


def load_training_config(model, config: dict) -> None:
    """TF.js's loadTrainingConfig: compile the model from a saved trainingConfig."""
    if config.get("weighted_metrics") is not None:
        raise ValueError("Loading weight_metrics is not supported yet.")
    if config.get("loss_weights") is not None:
        raise ValueError("Loading loss_weights is not supported yet.")
    if config.get("sample_weight_mode") is not None:
        raise ValueError("Loading sample_weight_mode is not supported yet.")
    optimizer = O.deserialize(config["optimizer_config"])
    loss = config.get("loss")
    if isinstance(loss, str):
        loss = to_camel_case(loss)
    elif isinstance(loss, list):
        loss = [to_camel_case(l) for l in loss]
    elif isinstance(loss, dict):
        loss = {k: to_camel_case(v) for k, v in loss.items()}
    metrics = config.get("metrics")
    if isinstance(metrics, list):
        metrics = [to_camel_case(m) for m in metrics]
    elif isinstance(metrics, dict):
        metrics = {k: to_camel_case(v) for k, v in metrics.items()} or None
    compile_model(model, optimizer=optimizer, loss=loss, metrics=metrics)


# ---------------------------------------------------------------------------------------------------- data

def _targets(model, y) -> list[np.ndarray]:
    names = model.output_names
    if isinstance(y, dict):
        y = [y[n] for n in names]
    ys = [np.asarray(a) for a in y] if isinstance(y, (list, tuple)) else [np.asarray(y)]
    if len(ys) != len(names):
        raise ValueError(f"Error when checking model target: the model '{model.name}' expects {len(names)} "
                         f"target array(s), but got {len(ys)}")
    return [a.astype(F32) if a.dtype != F32 else a for a in ys]


def _regularization(model):
    total = None
    for layer in _all_layers(model):
        cfg = getattr(layer, "cfg", {})
        for key, reg in cfg.items():
            if not key.endswith("_regularizer") or key == "activity_regularizer" or not isinstance(reg, dict):
                continue
            if reg.get("class_name") not in ("L1L2", "L1", "L2"):
                continue
            attr = {"kernel_regularizer": "kernel", "bias_regularizer": "bias",
                    "recurrent_regularizer": "recurrent_kernel", "depthwise_regularizer": "depthwise_kernel",
                    "pointwise_regularizer": "pointwise_kernel", "embeddings_regularizer": "embeddings",
                    "gamma_regularizer": "gamma", "beta_regularizer": "beta",
                    "alpha_regularizer": "alpha"}.get(key)
            owner = getattr(layer, "cell", layer) if key == "recurrent_regularizer" else layer
            weight = getattr(owner, attr, None) if attr else None
            if weight is None and hasattr(layer, "cell"):
                weight = getattr(layer.cell, attr, None)
            if weight is None or not getattr(weight, "trainable", True):
                continue
            c = reg.get("config", {})
            l1, l2 = float(c.get("l1", 0) or 0), float(c.get("l2", 0) or 0)
            term = None
            if l1:
                term = ops.sum(ops.mul(l1, ops.abs(weight.value)))
            if l2:
                t2 = ops.sum(ops.mul(l2, ops.square(weight.value)))
                term = t2 if term is None else ops.add(term, t2)
            if term is not None:
                total = term if total is None else ops.add(total, term)
    return total


def _all_layers(model):
    for layer in model.layers:
        if hasattr(layer, "layers") and layer is not model:
            yield from _all_layers(layer)
        else:
            yield layer


def _metric_logs(model, outs, ys, out: dict) -> None:
    for name, i, fn in model.metric_fns:
        out[name] = float(np.mean(np.asarray(fn(ys[i], np.asarray(outs[i])), np.float64)))


def _sample_weights(class_weight, ys) -> np.ndarray | None:
    if class_weight is None:
        return None
    y = ys[0]
    if y.ndim >= 2 and y.shape[-1] > 1:
        classes = np.argmax(y, -1)
    else:
        classes = np.round(y.reshape(y.shape[0], -1)[:, 0]).astype(int)
    return np.asarray([class_weight.get(int(c), class_weight.get(str(int(c)), 1.0)) for c in classes], F32)


def train_step(model, xs: list, ys: list, sample_weight: np.ndarray | None = None) -> dict:
    """One optimizer step on one batch; returns the batch logs (loss, per-output losses, metrics)."""
    variables = model.trainable_weights
    n_out = len(ys)

    def loss_fn():
        outs, _ = model.run_graph(xs, None, training=True)
        total, per = None, []
        for o, y, fn in zip(outs, ys, model.loss_functions):
            l = fn(y, o)
            if sample_weight is not None:
                l = ops.mul(l, sample_weight.reshape((-1,) + (1,) * (np.ndim(l) - 1)))
            l = ops.mean(l)
            per.append(l)
            total = l if total is None else ops.add(total, l)
        reg = _regularization(model)
        if reg is not None:
            total = ops.add(total, reg)
        return total, outs, per

    (total, outs, per), grads = variable_grads_list(loss_fn, variables)
    model.optimizer.apply_gradients(list(zip(variables, grads)))
    logs = {"loss": float(total)}
    if n_out > 1:
        for name, l in zip(model.output_names, per):
            logs[f"{name}_loss"] = float(l)
    _metric_logs(model, outs, ys, logs)
    return logs


def test_batch(model, xs: list, ys: list) -> dict:
    outs, _ = model.run_graph(xs, None, training=False)
    logs, total = {}, 0.0
    per = []
    for o, y, fn in zip(outs, ys, model.loss_functions):
        l = float(np.mean(np.asarray(fn(y, o), np.float64)))
        per.append(l)
        total += l
    reg = _regularization(model)
    if reg is not None:
        total += float(reg)
    logs["loss"] = total
    if len(ys) > 1:
        for name, l in zip(model.output_names, per):
            logs[f"{name}_loss"] = l
    _metric_logs(model, outs, ys, logs)
    return logs


def _batches(n: int, batch_size: int, order: np.ndarray):
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def evaluate_arrays(model, xs: list, ys: list, batch_size: int = 32) -> dict:
    n = xs[0].shape[0]
    totals: dict[str, float] = {}
    for ids in _batches(n, batch_size, np.arange(n)):
        logs = test_batch(model, [x[ids] for x in xs], [y[ids] for y in ys])
        for k, v in logs.items():
            totals[k] = totals.get(k, 0.0) + v * len(ids)
    return {k: v / n for k, v in totals.items()}


def evaluate(model, x, y, batch_size: int = 32, verbose: int = 0, sample_weight=None, steps=None):
    """``model.evaluate``: the loss and metrics (a float, or a list of floats [loss, metrics...])."""
    _check_compiled(model)
    logs = evaluate_arrays(model, model._standardize(x), _targets(model, y), batch_size)
    values = [logs[name] for name in model.metrics_names]
    return values[0] if len(values) == 1 else values


class _Averager:
    """TF.js's BaseLogger: epoch logs are batch logs averaged with batch-size weights."""

    def __init__(self):
        self.totals: dict[str, float] = {}
        self.seen = 0

    def add(self, logs: dict, size: int) -> None:
        self.seen += size
        for k, v in logs.items():
            self.totals[k] = self.totals.get(k, 0.0) + v * size

    def result(self) -> dict:
        return {k: v / self.seen for k, v in self.totals.items()} if self.seen else {}


async def _yield(state: dict, callbacks, epoch, batch, logs) -> None:
    now = time.monotonic()
    if now - state["last"] >= YIELD_EVERY_S:
        state["last"] = now
        await callbacks.call("on_yield", epoch, batch, logs)
        await asyncio.sleep(0)


async def fit(model, x, y, batch_size: int = 32, epochs: int = 1, verbose: int = 1, callbacks=None,
              validation_split: float = 0, validation_data=None, shuffle: bool = True, class_weight=None,
              sample_weight=None, initial_epoch: int = 0, steps_per_epoch=None, validation_steps=None,
              yield_every="auto") -> C.History:
    """``model.fit`` (async, as TF.js's): trains for epochs over x/y in batches, returns a History."""
    _check_compiled(model)
    if getattr(model, "_is_training", False):
        raise RuntimeError("Cannot start training because another fit() call is ongoing.")
    xs, ys = model._standardize(x), _targets(model, y)
    n = xs[0].shape[0]
    if any(a.shape[0] != n for a in xs + ys):
        raise ValueError(f"All input and target arrays must have the same number of samples; got "
                         f"{[a.shape[0] for a in xs + ys]}")
    val = None
    if validation_data is not None:
        vx, vy = validation_data[0], validation_data[1]
        val = (model._standardize(vx), _targets(model, vy))
    elif validation_split and 0 < validation_split < 1:
        split = int(np.floor(n * (1 - validation_split)))
        val = ([a[split:] for a in xs], [a[split:] for a in ys])
        xs, ys = [a[:split] for a in xs], [a[:split] for a in ys]
        n = split
    weights = _sample_weights(class_weight, ys) if class_weight is not None else \
        (np.asarray(sample_weight, F32) if sample_weight is not None else None)
    history = C.History()
    cbs = [history] + [C.to_callback(c) for c in (callbacks or [])]
    for cb in cbs:
        cb.set_model(model)
        cb.set_params({"epochs": epochs, "initialEpoch": initial_epoch, "samples": n, "steps": None,
                       "batchSize": batch_size, "verbose": verbose, "doValidation": val is not None,
                       "metrics": list(model.metrics_names) + [f"val_{m}" for m in model.metrics_names]
                       if val is not None else list(model.metrics_names)})
    clist = C.CallbackList(cbs)
    model.stop_training = False
    model._is_training = True
    state = {"last": time.monotonic()}
    try:
        await clist.call("on_train_begin", {})
        for epoch in range(initial_epoch, epochs):
            await clist.call("on_epoch_begin", epoch, {})
            order = np.random.permutation(n) if shuffle else np.arange(n)
            avg = _Averager()
            for batch_index, ids in enumerate(_batches(n, batch_size, order)):
                await clist.call("on_batch_begin", batch_index, {"batch": batch_index, "size": len(ids)})
                logs = train_step(model, [a[ids] for a in xs], [a[ids] for a in ys],
                                  None if weights is None else weights[ids])
                avg.add(logs, len(ids))
                await clist.call("on_batch_end", batch_index, {"batch": batch_index, "size": len(ids), **logs})
                await _yield(state, clist, epoch, batch_index, logs)
                if model.stop_training:
                    break
            epoch_logs = avg.result()
            if val is not None:
                vlogs = evaluate_arrays(model, val[0], val[1], batch_size)
                epoch_logs.update({f"val_{k}": v for k, v in vlogs.items()})
            await clist.call("on_epoch_end", epoch, epoch_logs)
            await asyncio.sleep(0)
            if verbose:
                print(f"Epoch {epoch + 1} / {epochs}: " + ", ".join(f"{k}={v:.4g}" for k, v in epoch_logs.items()))
            if model.stop_training:
                break
        await clist.call("on_train_end", {})
    finally:
        model._is_training = False
    return history


async def train_on_batch(model, x, y):
    """``model.trainOnBatch``: one step; the loss (and metrics: a list) after it."""
    _check_compiled(model)
    logs = train_step(model, model._standardize(x), _targets(model, y))
    values = [logs[name] for name in model.metrics_names]
    return values[0] if len(values) == 1 else values


def _as_xy(item):
    if isinstance(item, dict) and "xs" in item:
        return item["xs"], item["ys"]
    if isinstance(item, (list, tuple)) and len(item) == 2:
        return item[0], item[1]
    raise ValueError("fit_dataset: each element of the dataset must be {'xs': ..., 'ys': ...} or an (x, y) pair")


async def fit_dataset(model, dataset, epochs: int = 1, batches_per_epoch: int | None = None, callbacks=None,
                      validation_data=None, initial_epoch: int = 0, verbose: int = 1, class_weight=None,
                      validation_batches: int | None = None) -> C.History:
    """``model.fitDataset`` over a Python iterable of batches ({'xs', 'ys'} dicts or (x, y) pairs). An iterable
    that can be iterated again (a list, or an object with __iter__ making a new iterator) restarts each epoch; a
    one-shot iterator needs batches_per_epoch."""
    _check_compiled(model)
    history = C.History()
    cbs = [history] + [C.to_callback(c) for c in (callbacks or [])]
    for cb in cbs:
        cb.set_model(model)
        cb.set_params({"epochs": epochs, "initialEpoch": initial_epoch, "batchesPerEpoch": batches_per_epoch,
                       "verbose": verbose, "metrics": list(model.metrics_names)})
    clist = C.CallbackList(cbs)
    model.stop_training = False
    state = {"last": time.monotonic()}
    iterator = None
    await clist.call("on_train_begin", {})
    for epoch in range(initial_epoch, epochs):
        await clist.call("on_epoch_begin", epoch, {})
        if batches_per_epoch is None or iterator is None:
            iterator = iter(dataset)
        avg = _Averager()
        batch_index = 0
        while batches_per_epoch is None or batch_index < batches_per_epoch:
            try:
                item = next(iterator)
            except StopIteration:
                if batches_per_epoch is not None:
                    print("Your dataset iterator ran out of data; interrupting training.")
                    model.stop_training = True
                break
            bx, by = _as_xy(item)
            xs, ys = model._standardize(bx), _targets(model, by)
            size = xs[0].shape[0]
            await clist.call("on_batch_begin", batch_index, {"batch": batch_index, "size": size})
            logs = train_step(model, xs, ys, _sample_weights(class_weight, ys))
            avg.add(logs, size)
            await clist.call("on_batch_end", batch_index, {"batch": batch_index, "size": size, **logs})
            await _yield(state, clist, epoch, batch_index, logs)
            batch_index += 1
            if model.stop_training:
                break
        epoch_logs = avg.result()
        if validation_data is not None:
            if isinstance(validation_data, (list, tuple)) and len(validation_data) == 2 and \
                    not isinstance(validation_data[0], dict):
                vx, vy = validation_data
                vlogs = evaluate_arrays(model, model._standardize(vx), _targets(model, vy))
            else:
                vavg = _Averager()
                for k, item in enumerate(validation_data):
                    if validation_batches is not None and k >= validation_batches:
                        break
                    vx, vy = _as_xy(item)
                    vxs = model._standardize(vx)
                    vavg.add(test_batch(model, vxs, _targets(model, vy)), vxs[0].shape[0])
                vlogs = vavg.result()
            epoch_logs.update({f"val_{k}": v for k, v in vlogs.items()})
        await clist.call("on_epoch_end", epoch, epoch_logs)
        await asyncio.sleep(0)
        if model.stop_training:
            break
    await clist.call("on_train_end", {})
    return history


# ---------------------------------------------------------------------------------------------------- saving

def optimizer_weights(model) -> list[tuple[str, np.ndarray]]:
    return model.optimizer.get_weights()


__all__ = ["compile_model", "fit", "evaluate", "train_on_batch", "fit_dataset", "training_config",
           "load_training_config", "train_step"]
