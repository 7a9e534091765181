"""The transformer building blocks TF.js registers beyond its exported layers (inference), so that models using
them load and predict.

- ``PositionEmbedding(sequence_length, initializer='glorot_uniform')``: a trainable ``embeddings`` table
  [sequence_length, features]; called on [..., T, features] it returns rows ``start_index .. start_index + T``
  broadcast to the input's shape (the input's values are not used).
- ``CachedMultiHeadAttention``: MultiHeadAttention (same config, weights and formula) whose
  ``call_and_return_cache`` also takes and returns a key/value cache [batch, 2, T, heads, head_dim]: with
  ``cache_update_index`` the new keys and values are written into the cache at that step and attention runs over
  the whole cache; without it the cache is used as the keys and values.
- ``TransformerDecoder(intermediate_dim, num_heads, dropout, activation='relu', layer_norm_epsilon=1e-5,
  kernel_initializer, bias_initializer, normalize_first=False)``: self-attention (key_dim = features // num_heads)
  with a residual and layer normalization, then a two-layer feed-forward block with a residual and layer
  normalization. The masks are TF.js's: ``decoder_padding_mask`` [batch, T], ``decoder_attention_mask``
  [batch, T, T] and ``use_causal_mask`` (off unless asked for, as in TF.js). Weights, in order and named as
  Keras-NLP names them: ``self_attention/{query,key,value,attention_output}/{kernel,bias}``,
  ``self_attention_layer_norm/{gamma,beta}``, ``feedforward_intermediate_dense/{kernel,bias}``,
  ``feedforward_output_dense/{kernel,bias}``, ``feedforward_layer_norm/{gamma,beta}``. TF.js's decoder
  normalizes the feed-forward block with the self-attention layer norm's weights; here each block uses its own,
  as in Keras-NLP (the two agree while the layer norms hold their initial values). Cross-attention on an encoder
  sequence is not built by TF.js either: asking for it is an error.
"""

from __future__ import annotations

import numpy as np

from ..naming import name_scope
from .attention import MultiHeadAttention
from . import initializers
from .base import Layer, shape_str
from .common import apply_activation
from .params import REQUIRED, P


class PositionEmbedding(Layer):
    PARAMS = [P("sequence_length", REQUIRED), P("initializer", "glorot_uniform", "init")]

    def init(self):
        if self.cfg["sequence_length"] is None:
            raise ValueError(f"PositionEmbedding '{self.name}': `sequence_length` must be an integer, received None")

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", [int(self.cfg["sequence_length"]), input_shape[-1]],
                                          self.cfg["initializer"])

    def call(self, inputs, mask=None, start_index=0, **kwargs):
        shape = np.shape(inputs)
        steps, start = shape[-2], int(start_index or 0)
        table = self.embeddings.value
        if start < 0 or start + steps > table.shape[0]:
            raise ValueError(f"PositionEmbedding '{self.name}': positions {start}..{start + steps - 1} are outside "
                             f"the table of sequence_length {table.shape[0]}")
        return np.broadcast_to(table[start:start + steps], shape).astype(np.float32)


class CachedMultiHeadAttention(MultiHeadAttention):
    def call(self, inputs, mask=None, attention_mask=None, cache=None, cache_update_index=None, **kwargs):
        items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs, inputs]
        return self.call_and_return_cache(items[0], items[1], items[2] if len(items) > 2 else None,
                                          attention_mask=attention_mask, cache=cache,
                                          cache_update_index=cache_update_index)[0]

    def call_and_return_cache(self, query, value, key=None, attention_mask=None, cache=None,
                              cache_update_index=None):
        """(output, cache): the cache after this step, or None where none was given."""
        query = np.asarray(query, np.float32)
        value = np.asarray(value, np.float32)
        key = value if key is None else np.asarray(key, np.float32)
        if not self.built:
            with name_scope(self.name):
                self._ensure_built([query.shape, value.shape, key.shape])
        if cache is not None:
            cache = np.asarray(cache, np.float32)
            if cache.ndim != 5 or cache.shape[1] != 2:
                raise ValueError(f"CachedMultiHeadAttention '{self.name}': the cache must be [batch, 2, T, heads, "
                                 f"head_dim], got {shape_str(cache.shape)}")
            k, v = cache[:, 0], cache[:, 1]
            if cache_update_index is not None:
                start = int(cache_update_index)
                k_new = np.asarray(self.key_dense.call(key), np.float32)
                v_new = np.asarray(self.value_dense.call(value), np.float32)
                if start < 0 or start + k_new.shape[1] > k.shape[1]:
                    raise ValueError(f"CachedMultiHeadAttention '{self.name}': cache_update_index {start} with "
                                     f"{k_new.shape[1]} new step(s) does not fit a cache of {k.shape[1]} steps")
                k, v = k.copy(), v.copy()
                k[:, start:start + k_new.shape[1]] = k_new
                v[:, start:start + v_new.shape[1]] = v_new
                cache = np.stack([k, v], 1)
        else:
            if cache_update_index is not None:
                raise ValueError(f"CachedMultiHeadAttention '{self.name}': `cache_update_index` should not be set "
                                 f"if `cache` is None")
            k, v = self.key_dense.call(key), self.value_dense.call(value)
        return self._attend(self.query_dense.call(query), k, v, attention_mask), cache


def _layer_norm(x, gamma, beta, epsilon):
    mean = x.mean(-1, keepdims=True)
    var = np.square(x - mean).mean(-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + np.float32(epsilon)) * gamma + beta).astype(np.float32)


class TransformerDecoder(Layer):
    PARAMS = [P("intermediate_dim", REQUIRED), P("num_heads", REQUIRED), P("dropout", 0),
              P("activation", "relu", "act"), P("layer_norm_epsilon", 1e-5),
              P("kernel_initializer", "glorot_uniform", "init"), P("bias_initializer", "zeros", "init"),
              P("normalize_first", False),
              P("decoder_sequence_shape", None, "shape"), P("encoder_sequence_shape", None, "shape")]

    def build(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) and input_shape \
            and isinstance(input_shape[0], (list, tuple)) else [input_shape]
        if len(shapes) > 1 and shapes[1] is not None:
            raise ValueError(f"TransformerDecoder '{self.name}': cross-attention on an encoder sequence is not "
                             f"supported (TF.js does not build it either); call it on the decoder sequence alone")
        shape = list(shapes[0])
        if len(shape) != 3:
            raise ValueError(f"TransformerDecoder '{self.name}': the decoder sequence must be [batch, T, features], "
                             f"got {shape_str(shape)}")
        c = self.cfg
        self.cfg["decoder_sequence_shape"] = shape
        hidden = shape[-1]
        self.attention = CachedMultiHeadAttention(
            name="self_attention", num_heads=c["num_heads"], key_dim=hidden // c["num_heads"],
            dropout=c["dropout"], kernel_initializer=c["kernel_initializer"],
            bias_initializer=c["bias_initializer"])
        with name_scope("self_attention"):
            self.attention.build([shape, shape])
        self.attention.built = True
        self._trainable_weights.extend(self.attention._trainable_weights)
        self.attention_norm = self._norm("self_attention_layer_norm", hidden)
        self.intermediate = self._dense("feedforward_intermediate_dense", hidden, c["intermediate_dim"])
        self.output_dense = self._dense("feedforward_output_dense", c["intermediate_dim"], hidden)
        self.feedforward_norm = self._norm("feedforward_layer_norm", hidden)

    def _norm(self, name, size):
        return (self.add_weight(f"{name}/gamma", [size], initializers.normalize("ones")),
                self.add_weight(f"{name}/beta", [size], initializers.normalize("zeros")))

    def _dense(self, name, n_in, n_out):
        c = self.cfg
        return (self.add_weight(f"{name}/kernel", [n_in, n_out], c["kernel_initializer"]),
                self.add_weight(f"{name}/bias", [n_out], c["bias_initializer"]))

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
            return list(input_shape[0])
        return list(input_shape)

    def _self_attention_mask(self, x, padding_mask, attention_mask, use_causal_mask):
        batch, steps = x.shape[0], x.shape[1]
        mask = None
        if padding_mask is not None:
            padding_mask = np.asarray(padding_mask)
            if padding_mask.ndim != 2:
                raise ValueError(f"TransformerDecoder '{self.name}': decoder_padding_mask should be [batch, T], got "
                                 f"{shape_str(padding_mask.shape)}")
            mask = padding_mask.astype(np.int32)[:, None, :]
        if attention_mask is not None:
            attention_mask = np.asarray(attention_mask)
            if attention_mask.ndim != 3:
                raise ValueError(f"TransformerDecoder '{self.name}': decoder_attention_mask should be [batch, T, T], "
                                 f"got {shape_str(attention_mask.shape)}")
            attention_mask = attention_mask.astype(np.int32)
            mask = attention_mask if mask is None else np.minimum(mask, attention_mask)
        if use_causal_mask:
            causal = (np.arange(steps)[:, None] >= np.arange(steps)[None, :]).astype(np.int32)
            causal = np.broadcast_to(causal, (batch, steps, steps))
            mask = causal if mask is None else np.minimum(mask, causal)
        return None if mask is None else np.broadcast_to(mask, (batch, steps, steps))

    def call(self, inputs, mask=None, decoder_padding_mask=None, decoder_attention_mask=None, use_causal_mask=False,
             encoder_sequence=None, **kwargs):
        if encoder_sequence is not None:
            raise ValueError(f"TransformerDecoder '{self.name}': this layer has been built without cross attention, "
                             f"but it was called with an encoder sequence")
        x = np.asarray(inputs[0] if isinstance(inputs, (list, tuple)) else inputs, np.float32)
        c, eps = self.cfg, self.cfg["layer_norm_epsilon"]
        attn_mask = self._self_attention_mask(x, decoder_padding_mask, decoder_attention_mask, use_causal_mask)
        norm = lambda y, w: _layer_norm(y, w[0].value, w[1].value, eps)  # noqa: E731
        residual = x
        h = norm(x, self.attention_norm) if c["normalize_first"] else x
        h = np.asarray(self.attention.call_and_return_cache(h, h, attention_mask=attn_mask)[0], np.float32)
        x = h + residual
        if not c["normalize_first"]:
            x = norm(x, self.attention_norm)
        residual = x
        h = norm(x, self.feedforward_norm) if c["normalize_first"] else x
        h = apply_activation(c["activation"], np.asarray(h @ self.intermediate[0].value + self.intermediate[1].value,
                                                         np.float32))
        h = np.asarray(h, np.float32) @ self.output_dense[0].value + self.output_dense[1].value
        x = (h + residual).astype(np.float32)
        if not c["normalize_first"]:
            x = norm(x, self.feedforward_norm)
        return x
