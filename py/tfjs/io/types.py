"""Model artifacts and the results of saving them: TF.js's types, with snake_case names.

``weight_specs`` entries keep TF.js's own keys (``name``, ``shape``, ``dtype``, ``group``,
``quantization``): they are written to model.json and storage as they are.

``weight_data`` is either one buffer (``bytes``, ``bytearray``, ``memoryview``) or a list of shard buffers
whose concatenation, in order, holds the weights back to back. Code that reads weights walks the shards
(see :mod:`tfjs.io.weights`); nothing needs to join them into one buffer.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol, Union, runtime_checkable

Buffer = Union[bytes, bytearray, memoryview]
WeightData = Union[Buffer, list]

MODEL_TOPOLOGY_TYPE_JSON = "JSON"


@dataclass
class ModelArtifacts:
    model_topology: dict | bytes | None = None
    weight_specs: list[dict] | None = None
    weight_data: WeightData | None = None
    format: str | None = None
    generated_by: str | None = None
    converted_by: str | None = None
    signature: dict | None = None
    user_defined_metadata: dict | None = None
    model_initializer: dict | None = None
    initializer_signature: dict | None = None
    training_config: dict | None = None

    def replace(self, **changes: Any) -> "ModelArtifacts":
        return dataclasses.replace(self, **changes)


@dataclass
class ModelArtifactsInfo:
    date_saved: _dt.datetime
    model_topology_type: str = MODEL_TOPOLOGY_TYPE_JSON
    model_topology_bytes: int | None = None
    weight_specs_bytes: int | None = None
    weight_data_bytes: int | None = None


@dataclass
class SaveResult:
    model_artifacts_info: ModelArtifactsInfo
    responses: list | None = None
    errors: list | None = None


@runtime_checkable
class LoadHandler(Protocol):
    async def load(self) -> ModelArtifacts: ...


@runtime_checkable
class SaveHandler(Protocol):
    async def save(self, artifacts: ModelArtifacts) -> SaveResult: ...


ProgressCallback = Callable[[float], Any]
SaveFunction = Callable[[ModelArtifacts], Union[SaveResult, Awaitable[SaveResult]]]


@dataclass
class LoadOptions:
    """Options TF.js's loaders take (``LoadOptions``), in snake_case."""

    request_init: dict | None = None
    on_progress: ProgressCallback | None = None
    fetch_func: Callable | None = None
    strict: bool = True
    weight_path_prefix: str | None = None
    from_tfhub: bool = False
    weight_url_converter: Callable[[str], Any] | None = None
    # Bounds (tfjs.io.limits): None means the documented default.
    max_model_json_bytes: int | None = None
    max_string_weight_bytes: int | None = None
    connect_timeout: float | None = None
    idle_timeout: float | None = None
    total_timeout: float | None = None
    extra: dict = field(default_factory=dict)
