"""tfjs.io: model artifacts and their storage, byte-compatible with TF.js's ``tf.io``.

Importing this package registers every URL scheme's handlers with the router.
"""

from .file_system import file_system
from .http import browser_http_request, http, is_http_scheme
# Browser media: localstorage before indexeddb, the order TF.js registers their model managers in.
from .local_storage import browser_local_storage  # noqa: I001
from .indexed_db import browser_indexed_db
from .browser_files import browser_downloads, browser_files
from .model_management import copy_model, list_models, move_model, remove_model
from .model_json import artifacts_from_model_json, artifacts_info, model_json_for_artifacts
from .passthrough import from_memory, with_save_handler
from .router import (get_load_handlers, get_save_handlers, load, register_load_router, register_save_router,
                     resolve_load_handler, resolve_save_handler, save)
from .types import LoadOptions, ModelArtifacts, ModelArtifactsInfo, SaveResult
from .weights import check_weight_data, check_weight_specs, decode_weights, encode_weights
from .weights_api import (CompositeArrayBuffer, concatenate_array_buffers, decode_weights_stream, from_memory_sync,
                          get_model_artifacts_for_json, get_model_artifacts_for_json_sync,
                          get_model_artifacts_info_for_json, get_weight_specs, load_weights, weights_loader_factory,
                          with_save_handler_sync)
from .protocols import (IOHandler, IOHandlerSync, LoadHandler, LoadHandlerSync, ModelStoreManager, SaveHandler,
                        SaveHandlerSync)

__all__ = [
    "ModelArtifacts", "ModelArtifactsInfo", "SaveResult", "LoadOptions",
    "encode_weights", "decode_weights", "check_weight_data", "check_weight_specs",
    "file_system", "http", "browser_http_request", "is_http_scheme",
    "register_save_router", "register_load_router", "get_save_handlers", "get_load_handlers",
    "resolve_save_handler", "resolve_load_handler", "save", "load",
    "from_memory", "with_save_handler",
    "artifacts_from_model_json", "artifacts_info", "model_json_for_artifacts",
    "browser_local_storage", "browser_indexed_db", "browser_downloads", "browser_files",
    "list_models", "copy_model", "move_model", "remove_model",
    "CompositeArrayBuffer", "concatenate_array_buffers", "decode_weights_stream", "from_memory_sync",
    "get_model_artifacts_for_json", "get_model_artifacts_for_json_sync", "get_model_artifacts_info_for_json",
    "get_weight_specs", "load_weights", "weights_loader_factory", "with_save_handler_sync",
    "IOHandler", "IOHandlerSync", "LoadHandler", "SaveHandler", "LoadHandlerSync", "SaveHandlerSync",
    "ModelStoreManager",
]
