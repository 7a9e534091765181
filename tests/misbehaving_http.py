"""An HTTP server that misbehaves on purpose, for the tests of load limits (under CPython and in the page).

The first path segment picks the behaviour (``/<mode>/model.json``, ``/<mode>/w.bin``): ``ok``, ``flood`` (bytes
until the client hangs up), ``announced`` (a 1.5 GB Content-Length), ``bigjson`` (a model.json that never ends),
``stall`` (headers, then nothing), ``trickle`` (a byte every 0.2 s), ``silent`` (never answers), ``missing``
(404). Every answer allows any origin (CORS), so a page on another port can load from it.
"""

import json
import socketserver
import threading
import time

CORS = b"Access-Control-Allow-Origin: *\r\n"
DECLARED = 232  # bytes of weights the manifest declares: float32 [58]
MODEL_JSON = json.dumps({"modelTopology": {"class_name": "Sequential"},
                         "weightsManifest": [{"paths": ["w.bin"],
                                              "weights": [{"name": "w", "shape": [58], "dtype": "float32"}]}]}).encode()
ZEROS = bytes(1 << 16)


def ok_head(fields: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + CORS + fields + b"\r\n"


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        request = b""
        while b"\r\n\r\n" not in request:
            data = self.request.recv(4096)
            if not data:
                return
            request += data
        path = request.split(b" ")[1].decode()
        mode, _, name = path.strip("/").partition("/")
        self.server.requests.append(path)
        sock = self.request
        try:
            if mode == "silent":  # accepts, never answers
                time.sleep(30)
                return
            if name == "model.json" and mode != "bigjson":
                self.send(200, MODEL_JSON)
                return
            if mode == "ok":
                self.send(200, bytes(DECLARED))
            elif mode == "flood":  # no Content-Length, bytes until the client hangs up
                sock.sendall(ok_head(b"Content-Type: application/octet-stream\r\nConnection: close\r\n"))
                while True:
                    sock.sendall(ZEROS)
                    self.server.sent += len(ZEROS)
            elif mode == "announced":  # says 1.5 GB up front
                sock.sendall(ok_head(b"Content-Length: 1500000000\r\n"))
                for _ in range(16):
                    sock.sendall(ZEROS)
            elif mode == "bigjson":  # model.json that never ends
                sock.sendall(ok_head(b"Content-Type: application/json\r\nConnection: close\r\n"))
                sock.sendall(b'{"modelTopology": {"pad": "')
                while True:
                    sock.sendall(b"x" * len(ZEROS))
                    self.server.sent += len(ZEROS)
            elif mode == "stall":  # headers, then nothing
                sock.sendall(ok_head(b"Content-Length: 232\r\n"))
                time.sleep(30)
            elif mode == "trickle":  # a byte every 0.2 s: never idle, never done
                sock.sendall(ok_head(b"Content-Length: 232\r\n"))
                for _ in range(DECLARED):
                    sock.sendall(b"\x00")
                    time.sleep(0.2)
            elif mode == "missing":
                self.send(404, b"no such file")
        except OSError:
            pass  # the client hung up: what it should do

    def send(self, status, body):
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\nConnection: close\r\n".encode()
        head += CORS + b"\r\n"
        self.request.sendall(head + body)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests, self.sent = [], 0
        self.url = f"http://127.0.0.1:{self.server_address[1]}/"

    def __enter__(self):
        threading.Thread(target=self.serve_forever, daemon=True, name="misbehaving-http").start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


