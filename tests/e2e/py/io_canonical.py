# Run in the page: the Python side of the canonical form of decoded weights (see js/io_fixtures.js).
import numpy as np

import tfjs as tf


def canonical(artifacts):
    out = {}
    for name, arr in tf.io.decode_weights(artifacts.weight_data, artifacts.weight_specs).items():
        spec = next(s for s in artifacts.weight_specs if s["name"] == name)
        flat = arr.reshape(-1)
        if spec["dtype"] == "string":
            values = [list(v) for v in flat]
        elif spec["dtype"] == "complex64":
            values = [[float(v.real), float(v.imag)] for v in flat]
        elif spec["dtype"] == "bool":
            values = [int(v) for v in flat]
        else:
            values = [float(v) if spec["dtype"] == "float32" else int(v) for v in flat]
        out[name] = [spec["dtype"], list(arr.shape), values]
    return out
