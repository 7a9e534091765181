"""The op mappers of graph models, one module per TF.js op category (TFJS_FORMAT.md 8.2).

Importing this package registers every mapper with :mod:`tfjs.graph.registry`.
"""

from . import (arithmetic, basic_math, control, convolution, creation, dynamic, evaluation, graph,  # noqa: F401
               hash_table, image, logical, matrices, normalization, ragged, reduction, slice_join, sparse, spectral,
               string, transformation)
