"""Training: a gradient tape over the op layer, gradient functions per op, optimizers (``tf.train``), losses,
metrics, callbacks and the compile/fit/evaluate engine of layers models."""

from . import callbacks, core_losses, gradients, losses, metrics, optimizers
from .optimizers import train
from .tape import GradientError, grad, grads, recording, value_and_grad, value_and_grads, variable_grads

__all__ = ["gradients", "grad", "grads", "value_and_grad", "value_and_grads", "variable_grads", "recording",
           "GradientError", "train", "losses", "core_losses", "metrics", "optimizers", "callbacks"]
