"""The one place where TF.js's camelCase keys meet this package's snake_case names.

model.json files, localStorage metadata and IndexedDB records all use TF.js's keys; everything in Python
uses :class:`~tfjs.io.types.ModelArtifacts`. The functions here convert between the two, keep TF.js's key
order, and compute :class:`~tfjs.io.types.ModelArtifactsInfo` the way TF.js does.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..errors import FormatError, UnsupportedError
from . import jsjson
from .types import MODEL_TOPOLOGY_TYPE_JSON, ModelArtifacts, ModelArtifactsInfo, WeightData
from .weights import check_weight_spec, weight_data_byte_length

# (snake_case field, camelCase key) for the metadata carried beside topology and weights.
ALWAYS_WRITTEN = [("format", "format"), ("generated_by", "generatedBy"), ("converted_by", "convertedBy")]
WRITTEN_IF_SET = [("signature", "signature"), ("user_defined_metadata", "userDefinedMetadata"),
                  ("model_initializer", "modelInitializer"), ("initializer_signature", "initializerSignature"),
                  ("training_config", "trainingConfig")]
METADATA_KEYS = ALWAYS_WRITTEN + WRITTEN_IF_SET
ARTIFACT_KEYS = [("model_topology", "modelTopology"), ("weight_specs", "weightSpecs"),
                 ("weight_data", "weightData")] + METADATA_KEYS


def to_camel_dict(artifacts: ModelArtifacts, keep_none: bool = False) -> dict[str, Any]:
    """The artifacts as TF.js's ``ModelArtifacts`` object (camelCase keys); None fields left out."""
    out = {}
    for attr, key in ARTIFACT_KEYS:
        value = getattr(artifacts, attr)
        if value is not None or keep_none:
            out[key] = value
    return out


def from_camel_dict(obj: dict[str, Any]) -> ModelArtifacts:
    """TF.js's ``ModelArtifacts`` object (camelCase keys) as :class:`ModelArtifacts`."""
    return ModelArtifacts(**{attr: obj.get(key) for attr, key in ARTIFACT_KEYS})


def metadata_dict(artifacts: ModelArtifacts) -> dict[str, Any]:
    """The metadata part (format, generatedBy, ... trainingConfig), as localStorage's model_metadata."""
    out = {}
    for attr, key in METADATA_KEYS:
        value = getattr(artifacts, attr)
        if value is not None:
            out[key] = value
    return out


def model_json_for_artifacts(artifacts: ModelArtifacts, weights_manifest: list[dict]) -> dict[str, Any]:
    """model.json content for the artifacts, with TF.js's key order (``getModelJSONForModelArtifacts``)."""
    if isinstance(artifacts.model_topology, (bytes, bytearray, memoryview)):
        raise FormatError("Saving a model topology in binary format (GraphDef bytes) is not supported: "
                          "model.json holds JSON topology only.")
    out: dict[str, Any] = {"modelTopology": artifacts.model_topology}
    for attr, key in ALWAYS_WRITTEN:
        value = getattr(artifacts, attr)
        if value is not None or key == "convertedBy":
            out[key] = value
    out["weightsManifest"] = weights_manifest
    for attr, key in WRITTEN_IF_SET:
        value = getattr(artifacts, attr)
        if value is not None:
            out[key] = value
    return out


def weight_specs_of_manifest(manifest: list[dict]) -> list[dict]:
    """All groups' weight entries, in manifest order (TF.js's ``getWeightSpecs``)."""
    specs: list[dict] = []
    for group in manifest:
        specs.extend(group.get("weights", []))
    return specs


def artifacts_from_model_json(model_json: Any, weight_data: WeightData | None = None,
                              source: str = "model.json") -> ModelArtifacts:
    """ModelArtifacts from a parsed model.json and the weight bytes its manifest points at."""
    if not isinstance(model_json, dict):
        raise FormatError(f"{source}: expected a JSON object (model.json), got {type(model_json).__name__}")
    manifest = model_json.get("weightsManifest")
    if model_json.get("modelTopology") is None and manifest is None:
        raise FormatError(f"{source} contains neither model topology or manifest for weights.")
    artifacts = ModelArtifacts(model_topology=model_json.get("modelTopology"))
    for attr, key in METADATA_KEYS:
        setattr(artifacts, attr, model_json.get(key))
    if manifest is not None:
        check_manifest(manifest, source)
        artifacts.weight_specs = weight_specs_of_manifest(manifest)
        artifacts.weight_data = weight_data
    return artifacts


def check_manifest(manifest: Any, source: str) -> None:
    """Check the manifest's structure and every weight spec in it; errors name the group, the entry and the field."""
    if not isinstance(manifest, list):
        raise FormatError(f"{source}: weightsManifest must be a list of groups, got {type(manifest).__name__}")
    for i, group in enumerate(manifest):
        if not isinstance(group, dict) or not isinstance(group.get("paths"), list) \
                or not isinstance(group.get("weights"), list):
            raise FormatError(f"{source}: weightsManifest[{i}] must be an object with lists 'paths' and "
                              f"'weights'")
        for j, path in enumerate(group["paths"]):
            if not isinstance(path, str) or not path:
                raise FormatError(f"{source}: weightsManifest[{i}].paths[{j}] must be a non-empty string, got "
                                  f"{path!r:.80}")
        for j, spec in enumerate(group["weights"]):
            check_weight_spec(spec, f"{source}: weightsManifest[{i}].weights[{j}]")


def artifacts_info(artifacts: ModelArtifacts, date_saved: _dt.datetime | None = None) -> ModelArtifactsInfo:
    """ModelArtifactsInfo as TF.js computes it (``getModelArtifactsInfoForJSON``)."""
    if isinstance(artifacts.model_topology, (bytes, bytearray, memoryview)):
        raise FormatError("Expected JSON model topology, received ArrayBuffer.")
    return ModelArtifactsInfo(
        date_saved=date_saved or _dt.datetime.now(_dt.timezone.utc),
        model_topology_type=MODEL_TOPOLOGY_TYPE_JSON,
        model_topology_bytes=jsjson.byte_length(artifacts.model_topology),
        weight_specs_bytes=jsjson.byte_length(artifacts.weight_specs),
        weight_data_bytes=weight_data_byte_length(artifacts.weight_data),
    )


def browser_save_info(artifacts: ModelArtifacts) -> ModelArtifactsInfo:
    """The info that localStorage and IndexedDB saves store: TF.js refuses a binary topology there (with the same
    message in both, as TF.js words it) and dates the save to the millisecond, as a JS ``Date`` holds it."""
    if isinstance(artifacts.model_topology, (bytes, bytearray, memoryview)):
        raise UnsupportedError("BrowserLocalStorage.save() does not support saving model topology in binary "
                               "formats yet.")
    now = _dt.datetime.now(_dt.timezone.utc)
    return artifacts_info(artifacts, date_saved=now.replace(microsecond=now.microsecond // 1000 * 1000))


def camel_fields(artifacts: ModelArtifacts, keys: list[tuple[str, str]], convert=None) -> dict[str, Any]:
    """The named artifact fields under their camelCase keys, unset ones dropped, as TF.js writes them;
    ``convertedBy: null`` is kept when the artifacts carry model metadata (a model's save, as tfjs-layers sets
    it). ``convert(key, value)`` may change a value on the way."""
    has_metadata = artifacts.format is not None or artifacts.generated_by is not None
    out: dict[str, Any] = {}
    for attr, key in keys:
        value = getattr(artifacts, attr)
        if convert is not None and value is not None:
            value = convert(key, value)
        if value is not None or (key == "convertedBy" and has_metadata):
            out[key] = value
    return out


def iso_date(date: _dt.datetime) -> str:
    """A date as JavaScript's ``Date.prototype.toISOString`` writes it (UTC, milliseconds, Z)."""
    date = date.astimezone(_dt.timezone.utc)
    return date.strftime("%Y-%m-%dT%H:%M:%S.") + f"{date.microsecond // 1000:03d}Z"


def parse_iso_date(text: str) -> _dt.datetime:
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def info_to_camel(info: ModelArtifactsInfo, date_as_string: bool = True) -> dict[str, Any]:
    """ModelArtifactsInfo as TF.js's object (localStorage's info key stores it with an ISO date)."""
    out: dict[str, Any] = {"dateSaved": iso_date(info.date_saved) if date_as_string else info.date_saved,
                           "modelTopologyType": info.model_topology_type}
    for attr, key in [("model_topology_bytes", "modelTopologyBytes"), ("weight_specs_bytes", "weightSpecsBytes"),
                      ("weight_data_bytes", "weightDataBytes")]:
        value = getattr(info, attr)
        if value is not None:
            out[key] = value
    return out


def info_from_camel(obj: dict[str, Any]) -> ModelArtifactsInfo:
    date = obj.get("dateSaved")
    if isinstance(date, str):
        date = parse_iso_date(date)
    return ModelArtifactsInfo(date_saved=date, model_topology_type=obj.get("modelTopologyType", "JSON"),
                              model_topology_bytes=obj.get("modelTopologyBytes"),
                              weight_specs_bytes=obj.get("weightSpecsBytes"),
                              weight_data_bytes=obj.get("weightDataBytes"))
