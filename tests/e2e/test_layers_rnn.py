"""Recurrent cells and the generic RNN layer against the real TF.js 4.22 in the page, both directions.

TF.js builds ``tf.layers.rnn`` around ``simpleRNNCell``/``gruCell``/``lstmCell``, lists of cells and
``stackedRNNCells``, and functional models that pass initial states as extra inputs; the same three checks as
test_layers_tfjs.py run on each (predictions within 1e-4, the topology written back as TF.js wrote it - as JSON
text, key order included - with the same weight names and bytes, and TF.js loading what we saved).
"""

from __future__ import annotations

import pytest

from harness import add_reference_tfjs
from test_layers_tfjs import TOL, run_cases

pytestmark = pytest.mark.e2e

S = "return tf.sequential({layers: [%s]});"
RNN_CASES = {
    "rnn_lstm_cell": (S % "tf.layers.rnn({cell: tf.layers.lstmCell({units: 4}), inputShape: [5, 3], "
                      "returnSequences: true})", [[[2, 5, 3]]]),
    "rnn_simple_cell_backwards": (S % "tf.layers.rnn({cell: tf.layers.simpleRNNCell({units: 3, activation: "
                                  "'relu'}), inputShape: [6, 2], goBackwards: true})", [[[3, 6, 2]]]),
    "rnn_gru_cell_state": ("const i = tf.input({shape: [5, 3]}); const outs = tf.layers.rnn({cell: "
                           "tf.layers.gruCell({units: 4, recurrentActivation: 'sigmoid'}), returnState: true, "
                           "returnSequences: true}).apply(i); return tf.model({inputs: i, outputs: outs});",
                           [[[2, 5, 3]]]),
    "rnn_cell_list_state": ("const i = tf.input({shape: [5, 3]}); const outs = tf.layers.rnn({cell: ["
                            "tf.layers.lstmCell({units: 4}), tf.layers.gruCell({units: 3}), "
                            "tf.layers.simpleRNNCell({units: 2})], returnState: true}).apply(i); "
                            "return tf.model({inputs: i, outputs: outs});", [[[2, 5, 3]]]),
    "rnn_stacked_cells": (S % "tf.layers.rnn({cell: tf.layers.stackedRNNCells({cells: [tf.layers.simpleRNNCell("
                          "{units: 3}), tf.layers.lstmCell({units: 2, unitForgetBias: true})]}), inputShape: "
                          "[4, 3], returnSequences: true, goBackwards: true}), tf.layers.flatten()",
                          [[[2, 4, 3]]]),
    "rnn_masked_stack": (S % "tf.layers.masking({maskValue: 0, inputShape: [6, 3]}), tf.layers.rnn({cell: ["
                         "tf.layers.gruCell({units: 3}), tf.layers.lstmCell({units: 2})], returnSequences: true})",
                         [[[2, 6, 3], "masked"]]),
    "lstm_initial_state": ("const x = tf.input({shape: [5, 3]}), h = tf.input({shape: [4]}), c = tf.input({"
                           "shape: [4]}); const y = tf.layers.lstm({units: 4, returnSequences: true}).apply(x, {"
                           "initialState: [h, c]}); return tf.model({inputs: [x, h, c], outputs: y});",
                           [[[2, 5, 3]], [[2, 4]], [[2, 4]]]),
    "gru_initial_state_from_encoder": ("const x = tf.input({shape: [5, 3]}), z = tf.input({shape: [6, 2]}); "
                                       "const [enc, state] = tf.layers.gru({units: 4, returnState: true}).apply(z);"
                                       " const y = tf.layers.rnn({cell: tf.layers.gruCell({units: 4})}).apply(x, "
                                       "{initialState: state}); return tf.model({inputs: [x, z], outputs: [y, enc]});",
                                       [[[2, 5, 3]], [[2, 6, 2]]]),
    "stacked_initial_state": ("const x = tf.input({shape: [4, 3]}), a = tf.input({shape: [2]}), b = tf.input({"
                              "shape: [2]}), s = tf.input({shape: [3]}); const outs = tf.layers.rnn({cell: ["
                              "tf.layers.simpleRNNCell({units: 3}), tf.layers.lstmCell({units: 2})], returnState: "
                              "true}).apply(x, {initialState: [a, b, s]}); return tf.model({inputs: [x, a, b, s], "
                              "outputs: outs});", [[[2, 4, 3]], [[2, 2]], [[2, 2]], [[2, 3]]]),
}


@pytest.fixture(scope="module")
def results(app_page):
    add_reference_tfjs(app_page)
    return run_cases(app_page, RNN_CASES)


@pytest.mark.parametrize("case", list(RNN_CASES))
def test_tfjs_rnn_model_loads_and_predicts_the_same(results, case):
    built, report, _ = results
    assert built[case] == "ok", built[case]
    r = report[case]
    assert "error" not in r, r.get("error")
    assert all(a == b for a, b in r["shapes"]), r["shapes"]
    assert r["rel_err"] <= TOL, r


@pytest.mark.parametrize("case", list(RNN_CASES))
def test_rnn_topology_text_and_weights_written_back_as_tfjs_wrote_them(results, case):
    _, report, _ = results
    r = report[case]
    assert "error" not in r, r.get("error")
    assert r["topology_text_equal"], (r.get("topology_ours"), r.get("topology_theirs"))
    assert r["specs_equal"] and r["weights_equal"]


@pytest.mark.parametrize("case", list(RNN_CASES))
def test_tfjs_loads_the_rnn_models_we_saved(results, case):
    _, _, reverse = results
    rv = reverse[case]
    assert "error" not in rv, rv["error"]
    assert rv["rel_err"] <= TOL, rv
