"""The package's errors: one base class and a few meaningful kinds.

Each message names what is wrong (the URL, the shard, the layer, the op) and, where sizes or values
disagree, the expected and the actual value.
"""


class TfjsError(Exception):
    """Base class of every error this package raises on purpose."""


class FormatError(TfjsError, ValueError):
    """Model artifacts that do not follow the TF.js format (model.json, weight specs, weight bytes)."""


class StorageError(TfjsError):
    """A storage medium refused an operation or holds no such model (localStorage, IndexedDB, files)."""


class NetworkError(TfjsError):
    """An HTTP request failed or answered with something other than what was asked for.

    ``url`` is the request's URL, ``status`` the HTTP status when a response came (else None), ``limit`` the
    limit that ran out when the request timed out (``"connect"``, ``"idle"`` or ``"total"``; else None).
    """

    def __init__(self, message: str, url: str | None = None, status: int | None = None,
                 limit: str | None = None):
        super().__init__(message)
        self.url = url
        self.status = status
        self.limit = limit


class UnsupportedError(TfjsError, NotImplementedError):
    """A layer, op, dtype or feature this package does not (yet) implement."""


class BrowserOnlyError(TfjsError, RuntimeError):
    """A browser-only feature (localStorage, IndexedDB, downloads, ...) was used outside a browser."""


class InvalidArgumentError(TfjsError, ValueError):
    """An argument out of what an API accepts (a channel count, a tensor's rank or values, a source type)."""
