"""The ASGI app behind ``build.py serve``: the static app from dist/ plus the API under /api/."""

from __future__ import annotations

import mimetypes
import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .store import ModelStore, http_error

# Browsers compile WebAssembly while it streams in only when it is served with this type.
mimetypes.add_type("application/wasm", ".wasm")


def create_app(dist: Path, store: ModelStore | None = None) -> Starlette:
    """The app: the model store's API under /api/ (when a store is given), the static app from dist/."""
    dist = Path(dist)
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist} holds no built app (index.html missing): run `python3 build.py build`")
    routes = store.routes() if store is not None else []
    routes.append(Mount("/", app=StaticFiles(directory=dist, html=True), name="app"))
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    app.state.store = store
    return app


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def serve(dist: Path, host: str = "127.0.0.1", port: int = 8000, store_dir: Path | None = None,
          token: str | None = None) -> None:
    """Serve the app and the model store until interrupted, printing the URL and the store's token first."""
    import uvicorn

    store = ModelStore(store_dir or dist.parent / "model-store", token=token)
    app = create_app(dist, store)
    sock = bind_socket(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{sock.getsockname()[1]}/"
    print(f"Serving {dist} at {url}  (Ctrl+C to stop)", flush=True)
    print(f"Model store: {url}api/models (files in {store.root}); writes need "
          f"'Authorization: Bearer {store.token}'", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
