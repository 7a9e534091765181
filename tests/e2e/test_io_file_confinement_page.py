"""file:// under Pyodide (the page's in-memory file system): manifest paths stay inside the model's folder."""

import pytest

from harness import run_py

pytestmark = pytest.mark.e2e


def test_paths_out_of_the_folder_are_refused_in_the_page(app_page):
    got = run_py(app_page, """
import json, os, tfjs as tf
from tfjs.errors import FormatError
os.makedirs("/tmp/conf/m/sub", exist_ok=True)
open("/tmp/conf/secret.bin", "wb").write(bytes(8))
open("/tmp/conf/m/sub/w.bin", "wb").write(bytes(8))
results = []
for rel in ["/tmp/conf/secret.bin", "../secret.bin", "sub/../../secret.bin", "sub/w.bin"]:
    manifest = [{"paths": [rel], "weights": [{"name": "w", "shape": [2], "dtype": "float32"}]}]
    open("/tmp/conf/m/model.json", "w").write(json.dumps({"modelTopology": {}, "weightsManifest": manifest}))
    try:
        artifacts = await tf.io.load("file:///tmp/conf/m/model.json")
        results.append(["ok", len(artifacts.weight_data[0])])
    except FormatError as e:
        results.append(["FormatError", str(e)])
results
""")
    assert [r[0] for r in got] == ["FormatError", "FormatError", "FormatError", "ok"]
    assert "weight path '/tmp/conf/secret.bin' is absolute" in got[0][1]
    assert "weight path '../secret.bin' leads outside the model's folder /tmp/conf/m" in got[1][1]
    assert got[3][1] == 8
