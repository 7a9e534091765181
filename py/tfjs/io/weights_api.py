"""The rest of TF.js's ``tf.io`` weight and model.json helpers: a shard view with slicing across shard
boundaries (``CompositeArrayBuffer``), ``load_weights`` / ``weights_loader_factory`` (weights from a manifest,
only the groups asked for), ``decode_weights_stream`` (weights decoded as their bytes arrive),
``get_model_artifacts_for_json`` (and ``_sync``), ``get_model_artifacts_info_for_json``, ``get_weight_specs``,
``concatenate_array_buffers``, and the sync passthrough handlers ``from_memory_sync`` /
``with_save_handler_sync``.
"""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, Mapping, Sequence

import numpy as np

from ..errors import FormatError
from .model_json import artifacts_info
from .types import ModelArtifacts, ModelArtifactsInfo, SaveResult
from .weights import DTYPE_SIZES, _check_spec, _ShardCursor, _spec_size, as_shards, decode_weights


# ------------------------------------------------------------------------------------------ shard view
class CompositeArrayBuffer:
    """A read-only view over a list of buffers (weight shards) as one: ``byte_length`` and ``slice(start,
    end)`` across shard boundaries, copying only the bytes asked for. Bounds are clamped as TF.js clamps
    them (a negative start counts as 0; an end before the start gives no bytes)."""

    def __init__(self, buffers: Any = None):
        self.shards = as_shards(buffers)
        self._cursor = _ShardCursor(self.shards, None)

    @property
    def byte_length(self) -> int:
        return self._cursor.total

    def __len__(self) -> int:
        return self._cursor.total

    def slice(self, start: int = 0, end: int | None = None) -> bytes:
        end = self.byte_length if end is None else end
        start, end = max(0, int(start)), min(self.byte_length, int(end))
        if end <= start:
            return b""
        return bytes(self._cursor.read(start, end - start))

    @staticmethod
    def join(buffers: Any) -> bytes:
        """All the buffers as one."""
        return CompositeArrayBuffer(buffers).slice()


def concatenate_array_buffers(buffers: Any) -> bytes:
    """One buffer from several (TF.js keeps it, deprecated, for ``CompositeArrayBuffer.join``)."""
    return CompositeArrayBuffer.join(buffers)


# ------------------------------------------------------------------------------------------ manifests
def get_weight_specs(weights_manifest: Sequence[Mapping]) -> list[dict]:
    """Every group's weight entries, in manifest order."""
    specs: list[dict] = []
    for group in weights_manifest or []:
        specs.extend(group.get("weights", []))
    return specs


def _join_url(prefix: str, path: str) -> str:
    return prefix + ("" if prefix.endswith("/") else "/") + path


FetchWeights = Callable[[list[str]], Any]


def weights_loader_factory(fetch_weights: FetchWeights) -> Callable[..., Awaitable[dict[str, np.ndarray]]]:
    """A loader ``await loader(manifest, file_path_prefix='', weight_names=None)`` -> ``{name: array}``:
    ``fetch_weights(urls)`` (plain or async) returns each URL's bytes; only the groups holding the weights
    asked for are fetched (``weight_names`` None: all). A name not in the manifest is an error listing it and
    the manifest's names, as TF.js words it."""

    async def load(manifest: Sequence[Mapping], file_path_prefix: str = "",
                   weight_names: Sequence[str] | None = None) -> dict[str, np.ndarray]:
        wanted = None if weight_names is None else list(weight_names)
        all_names = [w.get("name") for group in manifest for w in group.get("weights", [])]
        if wanted is not None:
            missing = [n for n in wanted if n not in all_names]
            if missing:
                raise FormatError(f"Could not find weights in manifest with names: {', '.join(missing)}. \n"
                                  f"Manifest JSON has weights with names: {', '.join(map(str, all_names))}.")
        groups = [i for i, group in enumerate(manifest)
                  if wanted is None or any(w.get("name") in wanted for w in group.get("weights", []))]
        urls = [_join_url(file_path_prefix, p) for i in groups for p in manifest[i].get("paths", [])]
        buffers = fetch_weights(urls)
        if inspect.isawaitable(buffers):
            buffers = await buffers
        buffers = list(buffers)
        if len(buffers) != len(urls):
            raise FormatError(f"fetch_weights returned {len(buffers)} buffers for {len(urls)} weight files")
        out: dict[str, np.ndarray] = {}
        start = 0
        for i in groups:
            paths = manifest[i].get("paths", [])
            shards, names = buffers[start:start + len(paths)], urls[start:start + len(paths)]
            start += len(paths)
            decoded = decode_weights(shards, manifest[i].get("weights", []), names)
            out.update({k: v for k, v in decoded.items() if wanted is None or k in wanted})
        return out

    return load


async def load_weights(manifest: Sequence[Mapping], file_path_prefix: str = "",
                       weight_names: Sequence[str] | None = None, request_init: dict | None = None,
                       fetch_func: Callable | None = None) -> dict[str, np.ndarray]:
    """Fetch (http(s)://, or relative URLs in the page) and decode the weights of a manifest."""
    from .http import HTTPRequest

    specs_of = {_join_url(file_path_prefix, p): group.get("weights", []) for group in manifest
                for p in group.get("paths", [])}

    async def fetch_all(urls: list[str]) -> list[bytes]:
        if not urls:
            return []
        groups = {id(specs_of[u]): specs_of[u] for u in urls}  # the groups these files hold, in order
        specs = [spec for group in groups.values() for spec in group]
        request = HTTPRequest(urls[0], request_init=request_init, fetch_func=fetch_func)
        return await request.load_weight_files(urls, specs)

    return await weights_loader_factory(fetch_all)(manifest, file_path_prefix, weight_names)


# ------------------------------------------------------------------------------------------ streams
async def _chunks(stream: Any):
    if hasattr(stream, "__aiter__"):
        async for chunk in stream:
            yield chunk
    else:
        for chunk in stream:
            yield chunk


class _Pending:
    """Bytes received and not yet decoded, as a list of chunks (joined only for the weight being read)."""

    def __init__(self):
        self.chunks: list[memoryview] = []
        self.size = 0

    def add(self, chunk: Any) -> None:
        for view in as_shards(chunk):
            if view.nbytes:
                self.chunks.append(view)
                self.size += view.nbytes

    def peek(self, offset: int, nbytes: int) -> memoryview:
        return _ShardCursor(self.chunks, None).read(offset, nbytes)

    def take(self, nbytes: int) -> memoryview:
        """The first ``nbytes`` (a copy of just them), dropped from the pending chunks."""
        view = memoryview(bytes(self.peek(0, nbytes)))
        left = nbytes
        while left:
            first = self.chunks[0]
            if first.nbytes <= left:
                left -= first.nbytes
                self.chunks.pop(0)
            else:
                self.chunks[0] = first[left:]
                left = 0
        self.size -= nbytes
        return view


def _needed(pending: _Pending, spec: Mapping) -> int | None:
    """Bytes the weight takes, or None while its string lengths have not all arrived."""
    dtype, qdtype = _check_spec(spec)
    count = _spec_size(spec)
    if dtype != "string":
        return count * DTYPE_SIZES[qdtype or dtype]
    pos = 0
    for _ in range(count):
        if pos + 4 > pending.size:
            return None
        pos += 4 + int.from_bytes(pending.peek(pos, 4), "little")
    return pos


async def decode_weights_stream(stream: Any, specs: Sequence[Mapping]) -> dict[str, np.ndarray]:
    """Decode weights from a stream of byte chunks (an async or plain iterable, e.g. a response body), each
    weight as soon as its bytes have arrived; too few or too many bytes is an error naming the weight."""
    pending = _Pending()
    out: dict[str, np.ndarray] = {}
    offset = 0
    chunks = _chunks(stream)
    ended = False
    for spec in specs:
        while True:
            need = _needed(pending, spec)
            if need is not None and need <= pending.size:
                break
            try:
                pending.add(await chunks.__anext__())
            except StopAsyncIteration:
                ended = True
                have = offset + pending.size
                want = f"{offset + need} bytes" if need is not None else "more bytes for its string lengths"
                raise FormatError(f"Weight stream ended early: weight '{spec.get('name')}' ({spec.get('dtype')} "
                                  f"{list(spec.get('shape', []))}) needs {want}, the stream held {have}") from None
        out[spec["name"]] = decode_weights([pending.take(need)], [spec])[spec["name"]]
        offset += need
    if not ended:
        async for chunk in chunks:
            pending.add(chunk)
    if pending.size:
        raise FormatError(f"Weight stream is too long: the {len(specs)} weights take {offset} bytes, the stream "
                          f"held {offset + pending.size}")
    return out


# ------------------------------------------------------------------------------------------ model.json
def get_model_artifacts_for_json_sync(model_json: Mapping, weight_specs: list | None = None,
                                      weight_data: Any = None) -> ModelArtifacts:
    """Artifacts from a parsed model.json and its (already loaded) weight specs and data."""
    if not isinstance(model_json, Mapping):
        raise FormatError(f"model.json content should be an object, got {type(model_json).__name__}")
    artifacts = ModelArtifacts(model_topology=model_json.get("modelTopology"), format=model_json.get("format"),
                               generated_by=model_json.get("generatedBy"), converted_by=model_json.get("convertedBy"),
                               training_config=model_json.get("trainingConfig"))
    if model_json.get("weightsManifest") is not None:
        if not weight_specs:
            raise FormatError("modelJSON has weightsManifest but weightSpecs is null")
        if weight_data is None:
            raise FormatError("modelJSON has weightsManifest but weightData is null")
        artifacts.weight_specs, artifacts.weight_data = weight_specs, weight_data
    for key, attr in (("signature", "signature"), ("userDefinedMetadata", "user_defined_metadata"),
                      ("modelInitializer", "model_initializer"), ("initializerSignature", "initializer_signature")):
        if model_json.get(key) is not None:
            setattr(artifacts, attr, model_json[key])
    return artifacts


async def get_model_artifacts_for_json(model_json: Mapping, load_weights_fn: Callable[[list], Any]
                                       ) -> ModelArtifacts:
    """Artifacts from a parsed model.json; ``load_weights_fn(weights_manifest)`` (plain or async) returns
    ``(weight_specs, weight_data)``."""
    specs = data = None
    if isinstance(model_json, Mapping) and model_json.get("weightsManifest") is not None:
        loaded = load_weights_fn(model_json["weightsManifest"])
        if inspect.isawaitable(loaded):
            loaded = await loaded
        specs, data = loaded
    return get_model_artifacts_for_json_sync(model_json, specs, data)


def get_model_artifacts_info_for_json(artifacts: ModelArtifacts) -> ModelArtifactsInfo:
    """The sizes TF.js reports for artifacts with a JSON topology (date now)."""
    if isinstance(artifacts.model_topology, (bytes, bytearray, memoryview)):
        raise FormatError("Expected JSON model topology, received ArrayBuffer.")
    return artifacts_info(artifacts)


# ------------------------------------------------------------------------------------------ sync passthrough
class PassthroughLoaderSync:
    """``load()`` returns the artifacts at once (no await)."""

    def __init__(self, artifacts: ModelArtifacts):
        self.artifacts = artifacts

    def load(self) -> ModelArtifacts:
        return self.artifacts


class PassthroughSaverSync:
    """``save(artifacts)`` calls the function and returns its SaveResult at once."""

    def __init__(self, save_function: Callable[[ModelArtifacts], SaveResult | None]):
        self.save_function = save_function

    def save(self, artifacts: ModelArtifacts) -> SaveResult:
        result = self.save_function(artifacts)
        if inspect.isawaitable(result):
            raise TypeError("with_save_handler_sync takes a plain function; use with_save_handler for a coroutine")
        return result if result is not None else SaveResult(model_artifacts_info=artifacts_info(artifacts))


def from_memory_sync(model_artifacts: ModelArtifacts | Mapping, weight_specs: list | None = None,
                     weight_data: Any = None, training_config: dict | None = None) -> PassthroughLoaderSync:
    """A sync load handler for artifacts in memory: a ModelArtifacts, a camelCase dict of its fields, or (TF.js's
    legacy form) a topology with optional weight specs, data and training config."""
    if isinstance(model_artifacts, ModelArtifacts):
        return PassthroughLoaderSync(model_artifacts)
    if isinstance(model_artifacts, Mapping) and weight_specs is None and weight_data is None \
            and training_config is None and ("modelTopology" in model_artifacts or "weightSpecs" in model_artifacts):
        from .model_json import from_camel_dict

        return PassthroughLoaderSync(from_camel_dict(dict(model_artifacts)))
    return PassthroughLoaderSync(ModelArtifacts(model_topology=model_artifacts, weight_specs=weight_specs,
                                                weight_data=weight_data, training_config=training_config))


def with_save_handler_sync(save_function: Callable[[ModelArtifacts], SaveResult | None]) -> PassthroughSaverSync:
    return PassthroughSaverSync(save_function)


__all__ = ["CompositeArrayBuffer", "concatenate_array_buffers", "get_weight_specs", "weights_loader_factory",
           "load_weights", "decode_weights_stream", "get_model_artifacts_for_json",
           "get_model_artifacts_for_json_sync", "get_model_artifacts_info_for_json", "from_memory_sync",
           "with_save_handler_sync", "PassthroughLoaderSync", "PassthroughSaverSync"]
