"""The base of objects TF.js serializes as ``{class_name, config}`` and applies to a value: constraints and
regularizers."""

from __future__ import annotations


class Serializable:
    """``apply(x)`` (also ``obj(x)``) in subclasses; ``get_config()`` their own arguments."""

    class_name = "Serializable"

    def apply(self, x):
        raise NotImplementedError

    def __call__(self, x):
        return self.apply(x)

    def get_class_name(self) -> str:
        return self.class_name

    def get_config(self) -> dict:
        return {}

    def serialize(self) -> dict:
        return {"class_name": self.class_name, "config": self.get_config()}

    def __repr__(self) -> str:
        return f"{self.class_name}({self.get_config()})"
