"""The ASGI app behind ``build.py serve``: the static app from dist/ plus the API under /api/."""

from __future__ import annotations

import mimetypes
import socket
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

# Browsers compile WebAssembly while it streams in only when it is served with this type.
mimetypes.add_type("application/wasm", ".wasm")


def create_app(dist: Path) -> Starlette:
    dist = Path(dist)
    if not (dist / "index.html").exists():
        raise FileNotFoundError(f"{dist} holds no built app (index.html missing): run `python3 build.py build`")
    routes = [Mount("/", app=StaticFiles(directory=dist, html=True), name="app")]
    return Starlette(routes=routes)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0 picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def serve(dist: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app until interrupted, printing its URL first."""
    import uvicorn

    app = create_app(dist)
    sock = bind_socket(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Serving {dist} at http://{shown_host}:{sock.getsockname()[1]}/  (Ctrl+C to stop)", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
