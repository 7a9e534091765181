"""Initializers (only used to give new weights values): TF.js's classes and their configs.

An initializer is kept as its serialized form ``{"class_name", "config"}`` so that a loaded config is
written back unchanged; :func:`apply` makes values from it with numpy's random generator.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UnsupportedError
from ..naming import to_camel_case, to_snake_case

_rng = np.random.default_rng()

# Identifier -> serialized config, as TF.js serializes its string shorthands.
_VS = "VarianceScaling"
SHORTHANDS = {
    "zeros": {"class_name": "Zeros", "config": {}},
    "ones": {"class_name": "Ones", "config": {}},
    "glorot_normal": {"class_name": _VS, "config": {"scale": 1, "mode": "fan_avg", "distribution": "normal",
                                                      "seed": None}},
    "glorot_uniform": {"class_name": _VS, "config": {"scale": 1, "mode": "fan_avg", "distribution": "uniform",
                                                       "seed": None}},
    "he_normal": {"class_name": _VS, "config": {"scale": 2, "mode": "fan_in", "distribution": "normal",
                                                  "seed": None}},
    "he_uniform": {"class_name": _VS, "config": {"scale": 2, "mode": "fan_in", "distribution": "uniform",
                                                   "seed": None}},
    "lecun_normal": {"class_name": _VS, "config": {"scale": 1, "mode": "fan_in", "distribution": "normal",
                                                     "seed": None}},
    "lecun_uniform": {"class_name": _VS, "config": {"scale": 1, "mode": "fan_in", "distribution": "uniform",
                                                      "seed": None}},
    "random_uniform": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
    "random_normal": {"class_name": "RandomNormal", "config": {"mean": 0, "stddev": 0.05, "seed": None}},
    "truncated_normal": {"class_name": "TruncatedNormal", "config": {"mean": 0, "stddev": 0.05, "seed": None}},
    "orthogonal": {"class_name": "Orthogonal", "config": {"gain": 1, "seed": None}},
    "identity": {"class_name": "Identity", "config": {"gain": 1}},
}
_ALIASES = {"GlorotNormal": ("fan_avg", "normal", 1), "GlorotUniform": ("fan_avg", "uniform", 1),
            "HeNormal": ("fan_in", "normal", 2), "HeUniform": ("fan_in", "uniform", 2),
            "LeCunNormal": ("fan_in", "normal", 1), "LeCunUniform": ("fan_in", "uniform", 1),
            "LecunNormal": ("fan_in", "normal", 1), "LecunUniform": ("fan_in", "uniform", 1)}
KNOWN = {"Zeros", "Ones", "Constant", "RandomUniform", "RandomNormal", "TruncatedNormal", "Identity",
         "VarianceScaling", "Orthogonal", *_ALIASES}


def normalize(identifier):
    """A serialized initializer ({'class_name', 'config'}) for a string, dict or None."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        key = to_snake_case(to_camel_case(identifier))
        if key in SHORTHANDS:
            return {"class_name": SHORTHANDS[key]["class_name"], "config": dict(SHORTHANDS[key]["config"])}
        if identifier in KNOWN:
            return {"class_name": identifier, "config": {}}
        raise UnsupportedError(f"Unknown initializer: {identifier}")
    if isinstance(identifier, dict) and "class_name" in identifier:
        return identifier
    if isinstance(identifier, Initializer):
        return identifier.serialize()
    raise UnsupportedError(f"Unknown initializer: {identifier!r}")


def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    if len(shape) in (3, 4, 5):
        receptive = math.prod(shape[:-2])
        return shape[-2] * receptive, shape[-1] * receptive
    size = math.prod(shape) if shape else 1
    return int(math.sqrt(size)), int(math.sqrt(size))


def _truncated(shape, mean, stddev):
    out = _rng.normal(mean, stddev, size=shape)
    bad = np.abs(out - mean) > 2 * stddev
    while bad.any():
        out[bad] = _rng.normal(mean, stddev, size=int(bad.sum()))
        bad = np.abs(out - mean) > 2 * stddev
    return out


def apply(init, shape, dtype="float32") -> np.ndarray:
    """Values for a new weight of the given shape."""
    shape = tuple(int(d) for d in shape)
    if init is None:
        return np.zeros(shape, dtype)
    cls, cfg = init["class_name"], init.get("config") or {}
    if cls in _ALIASES:
        mode, dist, scale = _ALIASES[cls]
        cls, cfg = _VS, {"mode": mode, "distribution": dist, "scale": scale}
    if cls == "Zeros":
        out = np.zeros(shape)
    elif cls == "Ones":
        out = np.ones(shape)
    elif cls == "Constant":
        out = np.full(shape, cfg.get("value", 0))
    elif cls == "RandomUniform":
        out = _rng.uniform(cfg.get("minval", -0.05), cfg.get("maxval", 0.05), size=shape)
    elif cls == "RandomNormal":
        out = _rng.normal(cfg.get("mean", 0), cfg.get("stddev", 0.05), size=shape)
    elif cls == "TruncatedNormal":
        out = _truncated(shape, cfg.get("mean", 0), cfg.get("stddev", 0.05))
    elif cls == "Identity":
        if len(shape) != 2 or shape[0] != shape[1]:
            raise UnsupportedError("Identity matrix initializer can only be used for 2D square matrices.")
        out = np.eye(shape[0]) * cfg.get("gain", 1)
    elif cls == "Orthogonal":
        rows, cols = (math.prod(shape[:-1]), shape[-1]) if len(shape) >= 2 else (1, max(math.prod(shape), 1))
        a = _rng.normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        q = q if rows >= cols else q.T
        out = (q[:rows, :cols] * cfg.get("gain", 1)).reshape(shape)
    elif cls == _VS:
        fan_in, fan_out = _fans(shape)
        mode = to_snake_case(cfg.get("mode", "fan_in"))
        n = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2)
        scale = cfg.get("scale", 1.0) / max(1.0, n)
        dist = to_snake_case(cfg.get("distribution", "normal"))
        if dist == "uniform":
            limit = math.sqrt(3 * scale)
            out = _rng.uniform(-limit, limit, size=shape)
        elif dist in ("normal", "truncated_normal"):
            out = _truncated(shape, 0, math.sqrt(scale))
        else:
            out = _rng.normal(0, math.sqrt(scale), size=shape)
    else:
        raise UnsupportedError(f"Unknown initializer: {cls}")
    return np.asarray(out, dtype=dtype)


# ---------------------------------------------------------------------------------- tf.initializers
class Initializer:
    """An initializer object, as ``tf.initializers.*`` returns: ``apply(shape)`` gives values, and a layer
    given one keeps its serialized form (``serialize()``), as TF.js writes it (the Glorot / He / LeCun helpers
    serialize as VarianceScaling)."""

    def __init__(self, class_name: str, config: dict | None = None):
        self.class_name, self.config = class_name, dict(config or {})

    def get_class_name(self) -> str:
        return self.class_name

    def get_config(self) -> dict:
        return dict(self.config)

    def serialize(self) -> dict:
        return {"class_name": self.class_name, "config": self.get_config()}

    def apply(self, shape, dtype: str = "float32") -> np.ndarray:
        return apply(self.serialize(), shape, dtype)

    __call__ = apply

    def __repr__(self) -> str:
        return f"{self.class_name}({self.config})"


def _vs(scale, mode, distribution, seed):
    return Initializer(_VS, {"scale": scale, "mode": mode, "distribution": distribution, "seed": seed})


def zeros() -> Initializer:
    return Initializer("Zeros")


def ones() -> Initializer:
    return Initializer("Ones")


def constant(value: float) -> Initializer:
    return Initializer("Constant", {"value": value})


def random_uniform(minval: float = -0.05, maxval: float = 0.05, seed: int | None = None) -> Initializer:
    return Initializer("RandomUniform", {"minval": minval, "maxval": maxval, "seed": seed})


def random_normal(mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> Initializer:
    return Initializer("RandomNormal", {"mean": mean, "stddev": stddev, "seed": seed})


def truncated_normal(mean: float = 0.0, stddev: float = 0.05, seed: int | None = None) -> Initializer:
    return Initializer("TruncatedNormal", {"mean": mean, "stddev": stddev, "seed": seed})


def identity(gain: float = 1.0) -> Initializer:
    return Initializer("Identity", {"gain": gain})


def variance_scaling(scale: float = 1.0, mode: str = "fan_in", distribution: str = "normal",
                     seed: int | None = None) -> Initializer:
    if scale <= 0:
        raise ValueError(f"scale must be a positive float. Got: {scale}")
    return _vs(scale, to_snake_case(mode), to_snake_case(distribution), seed)


def glorot_uniform(seed: int | None = None) -> Initializer:
    return _vs(1, "fan_avg", "uniform", seed)


def glorot_normal(seed: int | None = None) -> Initializer:
    return _vs(1, "fan_avg", "normal", seed)


def he_normal(seed: int | None = None) -> Initializer:
    return _vs(2, "fan_in", "normal", seed)


def he_uniform(seed: int | None = None) -> Initializer:
    return _vs(2, "fan_in", "uniform", seed)


def le_cun_normal(seed: int | None = None) -> Initializer:
    return _vs(1, "fan_in", "normal", seed)


def le_cun_uniform(seed: int | None = None) -> Initializer:
    return _vs(1, "fan_in", "uniform", seed)


def orthogonal(gain: float = 1.0, seed: int | None = None) -> Initializer:
    return Initializer("Orthogonal", {"gain": gain, "seed": seed})


FACTORIES = ["zeros", "ones", "constant", "random_uniform", "random_normal", "truncated_normal", "identity",
             "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "le_cun_normal",
             "le_cun_uniform", "orthogonal"]
