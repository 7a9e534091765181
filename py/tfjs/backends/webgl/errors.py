"""The webgl backend's two exceptions."""

from __future__ import annotations

from ...errors import TfjsError


class WebGLError(TfjsError):
    """The WebGL backend cannot go on (no context, context lost, missing float render targets)."""


class NotOnGPU(Exception):
    """A webgl kernel declines these inputs (a limit found on the way, such as a texture past the context's
    maximum size); the op runs on the cpu kernel instead. Conditions known up front are the registry's
    ``supports`` predicates instead."""
