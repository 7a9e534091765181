"""Checks on an uploaded model.json before anything of it is stored: every error names the field at fault.

The checks run on the parsed JSON only; weight bytes are checked against the specs afterwards, from the
spooled files (memory-mapped, never read whole).
"""

from __future__ import annotations

import json
import math
import re

FILE_RULE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MAX_DEPTH = 100
MAX_RANK = 32
DTYPES = ("float32", "int32", "bool", "complex64", "string")
QUANTIZATION_DTYPES = ("uint8", "uint16", "float16")


class UploadError(ValueError):
    """A malformed upload; the message names the field."""


def parse_model_json(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except RecursionError:
        raise UploadError(f"model.json nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as e:
        raise UploadError(f"model.json is not valid JSON: {e}") from None
    if not isinstance(value, dict):
        raise UploadError(f"model.json must hold a JSON object, got {type(value).__name__}")
    check_depth(value)
    return value


def check_depth(value) -> None:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UploadError(f"model.json nests deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def plain_file_name(path, where: str) -> str:
    """A manifest path: './name' or 'name', where name is a plain file name."""
    if not isinstance(path, str):
        raise UploadError(f"{where} must be a string, got {json.dumps(path)[:80]}")
    name = path[2:] if path.startswith("./") else path
    if not FILE_RULE.fullmatch(name) or ".." in name:
        raise UploadError(f"{where} must be the plain name of an uploaded file ('./name' with letters, digits, "
                          f"'.', '_' or '-'), got {path!r}")
    return name


def _number(value, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UploadError(f"{where} must be a finite number, got {json.dumps(value)[:80]}")


def check_spec(spec, where: str) -> None:
    if not isinstance(spec, dict):
        raise UploadError(f"{where} must be an object, got {json.dumps(spec)[:80]}")
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise UploadError(f"{where}.name must be a non-empty string, got {json.dumps(name)[:80]}")
    shape = spec.get("shape")
    if not isinstance(shape, list) or len(shape) > MAX_RANK or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2 ** 40 for d in shape):
        raise UploadError(f"{where}.shape (weight {name!r}) must be a list of at most {MAX_RANK} non-negative "
                          f"integers, got {json.dumps(shape)[:80]}")
    if math.prod(shape) >= 2 ** 40:
        raise UploadError(f"{where}.shape (weight {name!r}) has {math.prod(shape)} elements, too many")
    dtype = spec.get("dtype")
    if dtype not in DTYPES:
        raise UploadError(f"{where}.dtype (weight {name!r}) must be one of {', '.join(DTYPES)}, "
                          f"got {json.dumps(dtype)[:80]}")
    if "group" in spec and not isinstance(spec["group"], str):
        raise UploadError(f"{where}.group (weight {name!r}) must be a string, got {json.dumps(spec['group'])[:80]}")
    if "quantization" not in spec:
        return
    quant = spec["quantization"]
    qwhere = f"{where}.quantization"
    if not isinstance(quant, dict):
        raise UploadError(f"{qwhere} (weight {name!r}) must be an object, got {json.dumps(quant)[:80]}")
    qdtype = quant.get("dtype")
    if qdtype not in QUANTIZATION_DTYPES:
        raise UploadError(f"{qwhere}.dtype (weight {name!r}) must be one of {', '.join(QUANTIZATION_DTYPES)}, "
                          f"got {json.dumps(qdtype)[:80]}")
    if dtype not in ("float32", "int32") or (qdtype == "float16" and dtype != "float32"):
        raise UploadError(f"{where}.dtype (weight {name!r}) {dtype} cannot be quantized as {qdtype}")
    if qdtype in ("uint8", "uint16"):
        for key in ("scale", "min"):
            if key not in quant:
                raise UploadError(f"{qwhere}.{key} (weight {name!r}) is missing: {qdtype} quantization needs "
                                  f"scale and min")
            _number(quant[key], f"{qwhere}.{key} (weight {name!r})")
    if "original_dtype" in quant and quant["original_dtype"] not in DTYPES:
        raise UploadError(f"{qwhere}.original_dtype (weight {name!r}) must be one of {', '.join(DTYPES)}, "
                          f"got {json.dumps(quant['original_dtype'])[:80]}")


def check_manifest(model_json: dict, uploaded: list[str]) -> tuple[list[str], list[dict]]:
    """(shard names in manifest order, weight specs); the shards must be exactly the uploaded files."""
    manifest = model_json.get("weightsManifest")
    if manifest is None:
        manifest = []
    if not isinstance(manifest, list):
        raise UploadError(f"weightsManifest must be a list, got {json.dumps(manifest)[:80]}")
    shards: list[str] = []
    specs: list[dict] = []
    for g, group in enumerate(manifest):
        where = f"weightsManifest[{g}]"
        if not isinstance(group, dict):
            raise UploadError(f"{where} must be an object, got {json.dumps(group)[:80]}")
        paths, weights = group.get("paths"), group.get("weights")
        if not isinstance(paths, list):
            raise UploadError(f"{where}.paths must be a list, got {json.dumps(paths)[:80]}")
        if not isinstance(weights, list):
            raise UploadError(f"{where}.weights must be a list, got {json.dumps(weights)[:80]}")
        for p, path in enumerate(paths):
            name = plain_file_name(path, f"{where}.paths[{p}]")
            if name in shards:
                raise UploadError(f"{where}.paths[{p}] names {name!r} a second time")
            if name not in uploaded:
                raise UploadError(f"{where}.paths[{p}] is {path!r}, but the upload has no file part {name!r} "
                                  f"(parts: {', '.join(uploaded) or 'none'})")
            shards.append(name)
        for w, spec in enumerate(weights):
            check_spec(spec, f"{where}.weights[{w}]")
            specs.append(spec)
    extra = [name for name in uploaded if name not in shards]
    if extra:
        raise UploadError(f"the upload's file parts {extra} are not in model.json's weightsManifest paths")
    return shards, specs
