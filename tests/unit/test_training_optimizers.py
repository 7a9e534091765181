"""Optimizer state follows its variable: a missing gradient never shifts slots onto another variable, restored
state binds to the right variables (CPython)."""

from __future__ import annotations

import numpy as np
import pytest

import tfjs as tf
from tfjs import ops


class Var:
    def __init__(self, name, value):
        self.name, self.value, self.trainable = name, np.asarray(value, np.float32), True


RNG = np.random.default_rng(11)


def _vars():
    return [Var("a", RNG.standard_normal(3)), Var("b", RNG.standard_normal(3)), Var("c", RNG.standard_normal(3))]


def _loss(vs, use):
    def f():
        total = None
        for v, w in zip(vs, (1.0, 2.0, 3.0)):
            if v.name in use:
                t = ops.sum(ops.mul(w, ops.square(v.value)))
                total = t if total is None else ops.add(total, t)
        return total
    return f


@pytest.mark.parametrize("make", [lambda: tf.train.adam(0.1), lambda: tf.train.momentum(0.1, 0.9),
                                  lambda: tf.train.adagrad(0.1), lambda: tf.train.rmsprop(0.1, 0.9, 0.5)])
def test_a_variable_without_gradient_keeps_its_own_slots(make):
    vs = _vars()
    start = {v.name: v.value.copy() for v in vs}
    opt = make()
    schedule = [{"a", "b", "c"}, {"a", "c"}, {"a", "b", "c"}]  # b has no gradient in step 2
    for use in schedule:
        opt.minimize(_loss(vs, use), var_list=vs)
    # the reference: each variable with an optimizer of its own, stepped only when it had a gradient; the
    # optimizers' per-call state (Adam's beta powers) advances per call, so step the reference per call too
    for k, v in enumerate(vs):
        ref = Var(v.name, start[v.name])
        ropt = make()
        for use in schedule:
            if v.name in use:
                weight = (1.0, 2.0, 3.0)[k]
                ropt.minimize(lambda: ops.sum(ops.mul(weight, ops.square(ref.value))), var_list=[ref])
            elif hasattr(ropt, "acc_beta1"):
                ropt._after_step()  # the shared per-call state moves on in the model's optimizer too
        np.testing.assert_allclose(v.value, ref.value, rtol=1e-6, atol=1e-7, err_msg=v.name)
    assert not np.allclose(vs[1].value, start["b"])
    names = [n for n, _ in opt.get_weights()]
    assert names[0] == "iter" and all(n.split("/")[0] in "abc" for n in names[1:])


def test_slots_are_matched_by_name_not_position():
    vs = _vars()
    opt = tf.train.momentum(0.1, 0.9)
    opt.apply_gradients([(vs[0], np.ones(3, np.float32)), (vs[1], np.full(3, 2, np.float32))])
    # the same variables in another order, one missing: each keeps its own accumulator
    opt.apply_gradients([(vs[1], np.full(3, 2, np.float32))])
    w = dict(opt.get_weights())
    np.testing.assert_allclose(w["a/momentum"], np.ones(3))
    np.testing.assert_allclose(w["b/momentum"], np.full(3, 2 * 0.9 + 2))


def test_duplicate_variable_and_wrong_gradient_shape_raise():
    v = Var("a", np.zeros(3))
    opt = tf.train.sgd(0.1)
    with pytest.raises(ValueError, match="more than once"):
        opt.apply_gradients([(v, np.ones(3)), (v, np.ones(3))])
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([(v, np.ones(4))])


def test_restored_slots_bind_by_position_when_names_differ_then_by_name():
    # TF.js writes slots under the variables' unique names ('kernel_12/m'); ours are named differently
    a, b = Var("d/kernel", RNG.standard_normal((2, 3))), Var("d/bias", RNG.standard_normal(3))
    opt = tf.train.adam(0.05)
    g = [(a, np.ones((2, 3), np.float32)), (b, np.full(3, 0.5, np.float32))]
    opt.apply_gradients(g)
    saved = [("iter", w) if n == "iter" else (n.replace("d/kernel", "d/kernel_12").replace("d/bias", "d/bias_13"), w)
             for n, w in opt.get_weights()]
    a2, b2 = Var("d/kernel", a.value.copy()), Var("d/bias", b.value.copy())
    opt2 = tf.train.adam(0.05)
    opt2.set_weights(saved)
    opt.apply_gradients(g)
    opt2.apply_gradients([(a2, g[0][1]), (b2, g[1][1])])
    np.testing.assert_allclose(a2.value, a.value, rtol=1e-6)
    np.testing.assert_allclose(b2.value, b.value, rtol=1e-6)
    assert [n for n, _ in opt2.get_weights()] == [n for n, _ in opt.get_weights()]
    # a restored state whose shapes do not fit the variables (by position) is an error, not a silent mix-up
    opt3 = tf.train.adam(0.05)
    opt3.set_weights(saved)
    with pytest.raises(ValueError, match="shape"):
        opt3.apply_gradients([(Var("x", np.zeros(3)), np.ones(3)), (Var("y", np.zeros((2, 3))), np.ones((2, 3)))])


# ---------------------------------------------------------------------------------------------------- device tensors

class DeviceTensor:
    """A stand-in for a backend's device-resident tensor (the webgl backend's GPUTensor): not a numpy array,
    marked __tfjs_tensor__, read back with np.asarray."""

    __tfjs_tensor__ = True

    def __init__(self, value):
        self._v = np.asarray(value, np.float32)
        self._v.flags.writeable = False
        self.shape, self.dtype, self.ndim, self.size = self._v.shape, self._v.dtype, self._v.ndim, self._v.size

    def __array__(self, dtype=None, copy=None):
        return self._v if dtype is None else self._v.astype(dtype)

    def __float__(self):
        return float(self._v)

    def reshape(self, *shape):
        return DeviceTensor(self._v.reshape(*shape))


def _device_backend():
    from tfjs import backends

    cpu = backends.find_backend("cpu")
    dev = backends.Backend("fakedevice")

    def wrap(kernel):
        def run(*args, **kwargs):
            host = lambda a: [host(v) for v in a] if isinstance(a, list) else (  # noqa: E731
                np.asarray(a) if isinstance(a, DeviceTensor) else a)
            out = kernel(*[host(a) for a in args], **kwargs)
            dev_out = lambda o: DeviceTensor(o) if isinstance(o, np.ndarray) and o.dtype == np.float32 else o  # noqa
            if isinstance(out, (list, tuple)):
                return type(out)(dev_out(o) for o in out)
            return dev_out(out)
        return run

    for name, k in cpu.kernels.items():
        dev.register_kernel(name, wrap(k))
    return dev


@pytest.fixture
def device_backend():
    from tfjs import backends

    backends.register_backend("fakedevice", _device_backend, priority=-100)
    try:
        yield "fakedevice"
    finally:
        backends.set_backend("cpu")
        backends.remove_backend("fakedevice")


def test_gradients_flow_through_device_tensors(device_backend):
    x, w = RNG.standard_normal((4, 3)).astype(np.float32), RNG.standard_normal((3, 2)).astype(np.float32)
    f = lambda a, b: ops.sum(ops.square(ops.tanh(ops.matmul(a, b))))  # noqa: E731
    want = tf.grads(f)([x, w])
    tf.set_backend(device_backend)
    y = ops.tanh(ops.matmul(x, w))
    assert isinstance(y, DeviceTensor)  # the backend really hands back device tensors
    got = tf.grads(f)([x, w])
    for g, e in zip(got, want):
        assert isinstance(g, np.ndarray)
        np.testing.assert_allclose(g, e, rtol=1e-6)


def test_fit_on_a_device_backend_matches_cpu(device_backend):
    from harness import run_async  # asyncio.run() fails once a Playwright test ran in this process

    rng = np.random.default_rng(5)
    x = rng.standard_normal((16, 6, 6, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 16)]

    def build():
        return tf.sequential(layers=[
            tf.layers.conv2d(filters=3, kernel_size=3, input_shape=[6, 6, 2], activation="relu", padding="same"),
            tf.layers.max_pooling2d(pool_size=2), tf.layers.flatten(),
            tf.layers.dense(units=3, activation="softmax")])

    start = [np.asarray(v).copy() for v in build().get_weights()]
    out = {}
    for backend in ("cpu", device_backend):
        tf.set_backend(backend)
        m = build()
        m.set_weights(start)
        m.compile(optimizer=tf.train.adam(0.02), loss="categoricalCrossentropy")
        h = run_async(m.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0))
        out[backend] = ([np.asarray(v) for v in m.get_weights()], h.history["loss"])
        tf.set_backend("cpu")
    for a, b, s in zip(out[device_backend][0], out["cpu"][0], start):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
        assert np.max(np.abs(a - s)) > 1e-3  # every weight moved
    np.testing.assert_allclose(out[device_backend][1], out["cpu"][1], rtol=1e-6)
