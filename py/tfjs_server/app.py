"""The ASGI app behind ``build.py serve``: the static app from dist/ plus the API under /api/."""

from __future__ import annotations

import contextlib
import mimetypes
import re
import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .store import ModelStore, http_error

# Browsers compile WebAssembly while it streams in only when it is served with this type.
mimetypes.add_type("application/wasm", ".wasm")
MAX_CONNECTIONS = 256
KEEP_ALIVE_S = 5
# Files whose name changes whenever their bytes do (build.py names them by a digest of their contents, Pyodide's
# package files by name, version and build): a browser may keep them for a year without asking again.
IMMUTABLE = re.compile(r"^(?:(?:app|pyc|wasm)/[\w.-]+-[0-9a-f]{16}\.(?:zip|wasm)"
                       r"|pyodide/[\w.]+-\d[\w.]*-[\w.]+-[\w.]+-[\w.]+\.whl)$")
IMMUTABLE_CACHE = "public, max-age=31536000, immutable"


class AppFiles(StaticFiles):
    """dist/ as static files (ETag, Last-Modified, conditional requests), and ``Cache-Control: immutable`` on
    the content-named files, so that a second visit does not even revalidate them."""

    def file_response(self, full_path, stat_result, scope, status_code=200):
        response = super().file_response(full_path, stat_result, scope, status_code)
        if IMMUTABLE.match(Path(full_path).relative_to(self.directory).as_posix()):
            response.headers["Cache-Control"] = IMMUTABLE_CACHE
        return response


def create_app(dist: Path, store: ModelStore | None = None) -> Starlette:
    """The app: the model store's API under /api/ (when a store is given), the static app from dist/."""
    dist = Path(dist)
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist} holds no built app (index.html missing): run `python3 build.py build`")
    routes = store.routes() if store is not None else []
    routes.append(Mount("/", app=AppFiles(directory=dist.resolve(), html=True), name="app"))

    @contextlib.asynccontextmanager
    async def lifespan(app):
        if store is not None:
            await store.recover()  # what a crash left behind goes before the first request
        yield

    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error}, lifespan=lifespan)
    app.state.store = store
    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def server_config(app, max_connections: int = MAX_CONNECTIONS):
    """uvicorn's settings for the store: a cap on connections, short keep-alive, header and body timeouts."""
    import uvicorn

    from .limits import GuardedH11

    return uvicorn.Config(app, log_level="warning", http=GuardedH11, limit_concurrency=max_connections,
                          timeout_keep_alive=KEEP_ALIVE_S, backlog=max_connections)


def open_store(store: str | Path, token: str | None = None, endpoint_url: str | None = None,
               region: str | None = None, **options) -> ModelStore:
    """The store a ``--store`` value names: a folder, or s3://bucket/prefix (endpoint and credentials from the
    standard AWS environment variables or configuration, unless given)."""
    from .backends import backend_for

    return ModelStore(backend_for(store, endpoint_url=endpoint_url, region=region), token=token, **options)


def serve(dist: Path, host: str = "127.0.0.1", port: int = 8000, store_dir: Path | str | None = None,
          token: str | None = None, endpoint_url: str | None = None, region: str | None = None,
          **store_options) -> None:
    """Serve the app and the model store until interrupted, printing the URL and the store's token first."""
    import uvicorn

    store = open_store(store_dir or dist.parent / "model-store", token=token, endpoint_url=endpoint_url,
                       region=region, **store_options)
    app = create_app(dist, store)
    sock = bind_socket(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{sock.getsockname()[1]}/"
    print(f"Serving {dist} at {url}  (Ctrl+C to stop)", flush=True)
    print(f"Model store: {url}api/models (in {store.root}); writes need "
          f"'Authorization: Bearer {store.token}'", flush=True)
    uvicorn.Server(server_config(app)).run(sockets=[sock])
