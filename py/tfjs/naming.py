"""Names as TF.js gives them: snake/camel case rules, unique layer names, weight name scopes."""

from __future__ import annotations

import contextlib
import re

_uids: dict[str, int] = {}
_scope: list[str] = []


def to_snake_case(name: str) -> str:
    """TF.js's ``toSnakeCase``: 'hardSigmoid' -> 'hard_sigmoid', 'Conv2D' -> 'conv2d', '_x' -> 'private_x'."""
    intermediate = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    insecure = re.sub(r"([a-z])([A-Z])", r"\1_\2", intermediate).lower()
    return insecure if not insecure.startswith("_") else "private" + insecure


def to_camel_case(identifier: str) -> str:
    """TF.js's ``toCamelCase``: 'hard_sigmoid' -> 'hardSigmoid'."""
    if len(identifier) <= 1 or "_" not in identifier:
        return identifier
    return re.sub(r"_+(\w|$)", lambda m: m.group(1).upper(), identifier)


def get_uid(prefix: str = "") -> str:
    """prefix + a per-prefix counter starting at 1 (TF.js's ``getUid``)."""
    _uids[prefix] = _uids.get(prefix, 0) + 1
    return f"{prefix}{_uids[prefix]}"


def default_layer_name(class_name: str) -> str:
    """'dense_Dense1', 'conv2d_Conv2D3', ... as TF.js names layers."""
    return f"{to_snake_case(class_name)}_{get_uid(class_name)}"


@contextlib.contextmanager
def name_scope(name: str):
    _scope.append(name)
    try:
        yield
    finally:
        _scope.pop()


def scoped_name(name: str) -> str:
    """The weight name under the current scopes: '<layer name>/<weight name>'."""
    return "/".join(_scope + [name])
