"""tfjs.layers: Keras-compatible layers, TF.js's names in snake_case.

    import tfjs as tf
    model = tf.sequential(layers=[tf.layers.dense(units=4, activation="relu", input_shape=[3]),
                                  tf.layers.dense(units=1)])

A custom layer is a subclass of :class:`Layer` registered under its class name::

    class Double(tf.layers.Layer):
        def call(self, inputs, **kwargs):
            return inputs * 2

    tf.layers.register("Double", Double)      # or custom_objects={"Double": Double} on load
"""

from __future__ import annotations

from . import (advanced_activations, attention, conv, conv_recurrent, core, merge, misc, normalization, pooling,
               preprocessing, recurrent, reshaping, transformer,
               wrappers)
from .base import Layer, LayerVariable, Node, SymbolicTensor
from .functional import Functional
from .input_layer import InputLayer, input
from .model import LayersModel
from .params import REQUIRED, P
from .recurrent import RNNCell
from .sequential import Sequential
from .serialization import deserialize_layer, get_class, register, registered_classes

_MODULES = [core, conv, pooling, normalization, merge, advanced_activations, reshaping, misc, recurrent, wrappers,
            preprocessing, conv_recurrent, attention, transformer]
_NOT_REGISTERED = {"RNNCell"}  # the cells' base class: exported, but not a class TF.js registers

for _module in _MODULES:
    for _name, _obj in list(vars(_module).items()):
        if isinstance(_obj, type) and issubclass(_obj, Layer) and not _name.startswith("_") and \
                _obj.__module__ == _module.__name__:
            if _name not in _NOT_REGISTERED:
                register(_obj.get_class_name(), _obj)
            globals()[_name] = _obj
register("InputLayer", InputLayer)
register("Model", LayersModel)
register("Sequential", Sequential)


def _factory(class_name: str, doc_name: str):
    def make(config: dict | None = None, **kwargs):
        if config is not None:
            kwargs = {**config, **kwargs}
        return get_class(class_name)(**kwargs)

    make.__name__ = doc_name
    make.__doc__ = f"A new {class_name} layer (``tf.layers.{doc_name}``); arguments as TF.js's, in snake_case."
    return make


FACTORIES = {
    "dense": "Dense", "activation": "Activation", "flatten": "Flatten", "reshape": "Reshape",
    "dropout": "Dropout", "spatial_dropout1d": "SpatialDropout1D", "repeat_vector": "RepeatVector",
    "permute": "Permute", "masking": "Masking",
    "conv1d": "Conv1D", "conv2d": "Conv2D", "conv3d": "Conv3D", "conv2d_transpose": "Conv2DTranspose",
    "conv3d_transpose": "Conv3DTranspose", "depthwise_conv2d": "DepthwiseConv2D",
    "separable_conv2d": "SeparableConv2D",
    "max_pooling1d": "MaxPooling1D", "max_pooling2d": "MaxPooling2D", "max_pooling3d": "MaxPooling3D",
    "max_pool1d": "MaxPooling1D", "max_pool2d": "MaxPooling2D",
    "average_pooling1d": "AveragePooling1D", "average_pooling2d": "AveragePooling2D",
    "average_pooling3d": "AveragePooling3D", "avg_pool1d": "AveragePooling1D", "avg_pool2d": "AveragePooling2D",
    "avg_pool3d": "AveragePooling3D", "avg_pooling1d": "AveragePooling1D", "avg_pooling2d": "AveragePooling2D",
    "global_average_pooling1d": "GlobalAveragePooling1D", "global_average_pooling2d": "GlobalAveragePooling2D",
    "global_max_pooling1d": "GlobalMaxPooling1D", "global_max_pooling2d": "GlobalMaxPooling2D",
    "global_max_pool1d": "GlobalMaxPooling1D", "global_max_pool2d": "GlobalMaxPooling2D",
    "batch_normalization": "BatchNormalization", "layer_normalization": "LayerNormalization",
    "zero_padding2d": "ZeroPadding2D", "cropping2d": "Cropping2D", "up_sampling2d": "UpSampling2D",
    "add": "Add", "subtract": "Subtract", "multiply": "Multiply", "average": "Average", "maximum": "Maximum",
    "minimum": "Minimum", "concatenate": "Concatenate", "dot": "Dot",
    "re_lu": "ReLU", "relu": "ReLU", "leaky_re_lu": "LeakyReLU", "leaky_relu": "LeakyReLU", "prelu": "PReLU",
    "elu": "ELU", "thresholded_re_lu": "ThresholdedReLU", "softmax": "Softmax",
    "embedding": "Embedding", "gaussian_noise": "GaussianNoise", "gaussian_dropout": "GaussianDropout",
    "alpha_dropout": "AlphaDropout", "rescaling": "Rescaling", "resizing": "Resizing", "center_crop": "CenterCrop",
    "simple_rnn": "SimpleRNN", "gru": "GRU", "lstm": "LSTM", "simple_rnn_cell": "SimpleRNNCell",
    "gru_cell": "GRUCell", "lstm_cell": "LSTMCell", "rnn": "RNN", "stacked_rnn_cells": "StackedRNNCells",
    "bidirectional": "Bidirectional", "time_distributed": "TimeDistributed", "input_layer": "InputLayer",
    "avg_pooling3d": "AveragePooling3D", "conv_lstm2d": "ConvLSTM2D", "conv_lstm2d_cell": "ConvLSTM2DCell",
    "category_encoding": "CategoryEncoding", "random_width": "RandomWidth", "random_height": "RandomHeight",
    "einsum_dense": "EinsumDense", "multi_head_attention": "MultiHeadAttention",
    "cached_multi_head_attention": "CachedMultiHeadAttention", "position_embedding": "PositionEmbedding",
    "transformer_decoder": "TransformerDecoder",
}

for _fname, _cls in FACTORIES.items():
    globals()[_fname] = _factory(_cls, _fname)

__all__ = ["Layer", "RNNCell", "LayerVariable", "SymbolicTensor", "Node", "InputLayer", "Functional", "LayersModel",
           "Sequential", "P", "REQUIRED", "register", "registered_classes", "get_class", "deserialize_layer",
           "input", *FACTORIES]
