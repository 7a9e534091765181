"""compile / fit / evaluate / train_on_batch / fit_dataset, callbacks, losses and save/load with the optimizer
(CPython)."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from harness import run_async
from tfjs import io
from tfjs.training import callbacks as C
from tfjs.training import losses as L

RNG = np.random.default_rng(3)
X = RNG.standard_normal((40, 4)).astype(np.float32)
Y = np.eye(3, dtype=np.float32)[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)]


def model(seed_weights=None):
    m = tf.sequential(layers=[tf.layers.dense(units=6, activation="relu", input_shape=[4]),
                              tf.layers.dense(units=3, activation="softmax")])
    if seed_weights is not None:
        m.set_weights(seed_weights)
    return m


def run(c):
    return run_async(c)  # asyncio.run() fails once a Playwright test ran in this process


def test_fit_history_evaluate_and_callbacks():
    m = model()
    m.compile(optimizer="adam", loss="categoricalCrossentropy", metrics=["accuracy"])
    seen = {"batches": 0, "epochs": []}

    async def on_epoch_end(epoch, logs):  # coroutine hooks are awaited
        seen["epochs"].append(epoch)

    h = run(m.fit(X, Y, batch_size=8, epochs=3, validation_split=0.25, verbose=0,
                  callbacks=[{"on_batch_end": lambda b, logs: seen.__setitem__("batches", seen["batches"] + 1),
                              "on_epoch_end": on_epoch_end}]))
    assert list(h.history) == ["loss", "acc", "val_loss", "val_acc"]
    assert h.epoch == [0, 1, 2] and seen["epochs"] == [0, 1, 2]
    assert seen["batches"] == 3 * 4  # 30 training samples in batches of 8
    loss, acc = m.evaluate(X, Y)
    assert 0 <= acc <= 1 and loss > 0
    assert m.metrics_names == ["loss", "acc"]


def test_early_stopping():
    m = model()
    m.compile(optimizer=tf.train.sgd(0.0), loss="meanSquaredError")
    h = run(m.fit(X, Y, epochs=10, verbose=0, shuffle=False,
              callbacks=[C.early_stopping(monitor="loss", patience=2)]))
    assert len(h.epoch) == 3  # the same loss every epoch with lr 0 (no shuffling): stops after patience


def test_train_on_batch_and_fit_dataset():
    m = model()
    m.compile(optimizer=tf.train.sgd(0.1), loss="meanSquaredError", metrics=["mse"])
    out = run(m.train_on_batch(X[:8], Y[:8]))
    assert len(out) == 2
    batches = [{"xs": X[i:i + 10], "ys": Y[i:i + 10]} for i in range(0, 40, 10)]
    h = run(m.fit_dataset(batches, epochs=2, verbose=0))
    assert len(h.history["loss"]) == 2 and "mse" in h.history


def test_loss_names_and_values():
    yt = np.array([[0, 1, 0], [1, 0, 0]], np.float32)
    yp = np.array([[0.2, 0.7, 0.1], [0.5, 0.3, 0.2]], np.float32)
    np.testing.assert_allclose(L.get("categoricalCrossentropy")(yt, yp), -np.log([0.7, 0.5]), rtol=1e-5)
    np.testing.assert_allclose(L.get("mean_squared_error")(yt, yp), np.mean((yt - yp) ** 2, -1), rtol=1e-6)
    np.testing.assert_allclose(L.sparse_categorical_crossentropy(np.array([[1], [0]]), yp), -np.log([0.7, 0.5]),
                               rtol=1e-5)
    b = L.binary_crossentropy(np.array([[1.0], [0.0]]), np.array([[0.8], [0.3]], np.float32))
    np.testing.assert_allclose(b, [-np.log(0.8), -np.log(0.7)], rtol=1e-5)
    for name in set(L.LOSSES) - {"sparse_categorical_crossentropy"}:
        assert np.all(np.isfinite(L.get(name)(yt, yp)))
    with pytest.raises(ValueError, match="Unknown loss"):
        L.get("nope")


def test_save_with_optimizer_resumes_training():
    w0 = model().get_weights()
    a = model(w0)
    a.compile(optimizer=tf.train.adam(0.01), loss="categoricalCrossentropy", metrics=["accuracy"])
    run(a.fit(X, Y, epochs=2, batch_size=10, shuffle=False, verbose=0))
    saved = []
    run(a.save(io.with_save_handler(lambda art: saved.append(art)), include_optimizer=True))
    art = saved[0]
    assert art.training_config == {"loss": "categorical_crossentropy", "metrics": ["accuracy"],
                                   "optimizer_config": {"class_name": "Adam", "config": {
                                       "learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}}}
    opt = [s for s in art.weight_specs if s.get("group") == "optimizer"]
    assert opt[0] == {"name": "iter", "shape": [], "dtype": "int32", "group": "optimizer"}
    assert [s["name"] for s in opt[1:]][:2] == [f"{a.weights[0].name}/m", f"{a.weights[1].name}/m"]
    b = run(tf.load_layers_model(io.from_memory(art)))
    assert b.optimizer.iterations == 8 and b.optimizer.get_class_name() == "Adam"
    run(a.fit(X, Y, epochs=1, batch_size=10, shuffle=False, verbose=0))
    run(b.fit(X, Y, epochs=1, batch_size=10, shuffle=False, verbose=0))
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(wa, wb, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["sgd", "adagrad", "adadelta", "adam", "adamax", "rmsprop"])
def test_compile_with_optimizer_names(name):
    m = model()
    m.compile(optimizer=name, loss="meanSquaredError")
    before = m.evaluate(X, Y)
    run(m.fit(X, Y, epochs=3, verbose=0))
    assert m.evaluate(X, Y) < before
