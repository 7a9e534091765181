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


# ---------------------------------------------------------------------------------------------------- fit options

def _start():
    return [np.asarray(w).copy() for w in model().get_weights()]


def _fit(start, lr=0.1, **kw):
    m = model(start)
    m.compile(optimizer=tf.train.sgd(lr), loss="categoricalCrossentropy", metrics=["accuracy"])
    h = run(m.fit(X, Y, verbose=0, **kw))
    return m, h


def _max_rel(ws, vs):
    return max(float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-6)) for a, b in zip(ws, vs))


def test_validation_data_logs_the_validation_metrics_after_each_epoch():
    start = _start()
    vx, vy = X[:10] * 0.5, Y[:10]
    m, h = _fit(start, epochs=2, batch_size=8, shuffle=False, validation_data=(vx, vy))
    assert set(h.history) == {"loss", "acc", "val_loss", "val_acc"}
    loss, acc = m.evaluate(vx, vy)
    np.testing.assert_allclose(h.history["val_loss"][-1], loss, rtol=1e-6)
    np.testing.assert_allclose(h.history["val_acc"][-1], acc, rtol=1e-6)
    # validation data does not train: the weights are those of the same fit without it
    m2, h2 = _fit(start, epochs=2, batch_size=8, shuffle=False)
    assert _max_rel(m.get_weights(), m2.get_weights()) == 0
    np.testing.assert_allclose(h.history["loss"], h2.history["loss"])


def test_class_weight_weights_each_sample_loss():
    start = _start()
    ones, _ = _fit(start, epochs=1, batch_size=8, shuffle=False, class_weight={0: 1, 1: 1, 2: 1})
    plain, hp = _fit(start, epochs=1, batch_size=8, shuffle=False)
    assert _max_rel(ones.get_weights(), plain.get_weights()) == 0
    # weight 2 on every class doubles the loss and its gradient: SGD at lr = SGD at 2 lr without weights
    twos, h2 = _fit(start, epochs=1, batch_size=8, shuffle=False, class_weight={0: 2, 1: 2, 2: 2})
    fast, hf = _fit(start, lr=0.2, epochs=1, batch_size=8, shuffle=False)
    assert _max_rel(twos.get_weights(), fast.get_weights()) < 1e-5
    np.testing.assert_allclose(h2.history["loss"][0], 2 * hf.history["loss"][0], rtol=1e-5)
    # uneven weights change the result
    uneven, _ = _fit(start, epochs=1, batch_size=8, shuffle=False, class_weight={0: 1, 1: 5, 2: 0.2})
    assert _max_rel(uneven.get_weights(), plain.get_weights()) > 1e-3


def test_initial_epoch_runs_the_remaining_epochs():
    start = _start()
    seen = []
    m, h = _fit(start, epochs=4, initial_epoch=2, batch_size=8, shuffle=False,
                callbacks=[{"on_epoch_begin": lambda e, logs: seen.append(e)}])
    assert h.epoch == [2, 3] and seen == [2, 3] and len(h.history["loss"]) == 2
    two, _ = _fit(start, epochs=2, batch_size=8, shuffle=False)  # the same 2 epochs of training
    assert _max_rel(m.get_weights(), two.get_weights()) == 0
    with_nothing_left, h0 = _fit(start, epochs=2, initial_epoch=2, batch_size=8)
    assert h0.epoch == [] and _max_rel(with_nothing_left.get_weights(), start) == 0


def test_shuffle_reorders_the_samples_each_epoch():
    start = _start()
    np.random.seed(4)
    shuffled, hs = _fit(start, epochs=3, batch_size=8, shuffle=True)
    ordered, ho = _fit(start, epochs=3, batch_size=8, shuffle=False)
    assert _max_rel(shuffled.get_weights(), ordered.get_weights()) > 1e-4
    assert not np.allclose(hs.history["loss"], ho.history["loss"])
    np.random.seed(4)
    again, ha = _fit(start, epochs=3, batch_size=8, shuffle=True)  # numpy's global random state drives it
    assert _max_rel(again.get_weights(), shuffled.get_weights()) == 0
    # one batch per epoch: shuffling the order inside the batch leaves the mean gradient (to rounding)
    full_s, _ = _fit(start, epochs=3, batch_size=40, shuffle=True)
    full_o, _ = _fit(start, epochs=3, batch_size=40, shuffle=False)
    assert _max_rel(full_s.get_weights(), full_o.get_weights()) < 1e-5


def test_precision_and_recall_count_exact_zeros_and_ones():
    from tfjs.training import metrics as M

    y_true = np.array([[1, 0], [1, 1], [0, 0], [1, 0]], np.float32)
    y_pred = np.array([[1, 1], [0, 1], [0, 1], [1, 0.6]], np.float32)  # 0.6 is neither a 1 nor a 0
    # tp = 3 ([0,0], [1,1], [3,0]); fp = 2 ([0,1], [2,1]); fn = 1 ([1,0])
    np.testing.assert_allclose(M.precision(y_true, y_pred), 3 / 5, rtol=1e-6)
    np.testing.assert_allclose(M.recall(y_true, y_pred), 3 / 4, rtol=1e-6)
    zeros = np.zeros((2, 2), np.float32)
    assert float(M.precision(zeros, zeros)) == 0 and float(M.recall(zeros, zeros)) == 0  # 0 / 0 is 0
    assert M.get("precision") is M.precision and M.get("recall") is M.recall
    m = model()
    m.compile(optimizer="sgd", loss="meanSquaredError", metrics=["precision", "recall"])
    assert m.metrics_names == ["loss", "precision", "recall"]
    loss, p, r = m.evaluate(X, np.round(Y))
    pred = np.asarray(m.predict(X))
    tp = np.sum((Y == 1) & (pred == 1))
    assert p == (tp / np.sum(pred == 1) if np.sum(pred == 1) else 0.0)
    assert r == (tp / (tp + np.sum((Y == 1) & (pred == 0))) if tp + np.sum((Y == 1) & (pred == 0)) else 0.0)
