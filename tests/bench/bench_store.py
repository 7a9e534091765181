"""The model store's throughput and memory: upload and download of a 100 MB and a 500 MB model, on the local
backend and on S3 (SeaweedFS on 127.0.0.1), each in a fresh store process whose peak RSS is reported.

No TF.js counterpart: the server is ours alone. The client streams from and to a file, so its own memory
does not enter the figures."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import time
import urllib.parse

from bench.runner import Row

SIZES_MB = [100, 500]
CHUNK = 1 << 20


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_weights(path: str, nbytes: int) -> None:
    block = os.urandom(CHUNK)
    with open(path, "wb") as f:
        for _ in range(nbytes // CHUNK):
            f.write(block)


def upload_file(url: str, token: str, model_json: bytes, weights: str) -> float:
    """PUT a multipart upload whose weight part streams from a file; returns seconds."""
    boundary = "bench-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"model.json\"; filename=\"model.json\"\r\n"
            f"Content-Type: application/json\r\n\r\n").encode() + model_json + (
        f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"model.weights.bin\"; "
        f"filename=\"model.weights.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    size = len(head) + os.path.getsize(weights) + len(tail)
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    t0 = time.perf_counter()
    conn.putrequest("PUT", parts.path)
    conn.putheader("Authorization", f"Bearer {token}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(size))
    conn.endheaders()
    conn.send(head)
    with open(weights, "rb") as f:
        while chunk := f.read(CHUNK):
            conn.send(chunk)
    conn.send(tail)
    response = conn.getresponse()
    body = response.read()
    seconds = time.perf_counter() - t0
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"upload failed: {response.status} {body[:300]!r}")
    return seconds


def download(url: str) -> tuple[float, int]:
    """GET model.json, then the weights it names (streamed, counted); (seconds, weight bytes)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", parts.path + "/model.json")
    model_json = json.loads(conn.getresponse().read())
    conn.request("GET", parts.path + "/" + model_json["weightsManifest"][0]["paths"][0])
    response = conn.getresponse()
    got = 0
    while chunk := response.read(CHUNK):
        got += len(chunk)
    seconds = time.perf_counter() - t0
    conn.close()
    return seconds, got


def store_throughput(ctx) -> list[Row]:
    from seaweed import SeaweedS3
    from store_helpers import StoreProcess

    rows = []
    with tempfile.TemporaryDirectory(prefix="tfjs-bench-store-") as tmp, SeaweedS3() as s3:
        for mb in SIZES_MB:
            weights = os.path.join(tmp, f"w{mb}.bin")
            write_weights(weights, mb * CHUNK)
            model_json = json.dumps({
                "modelTopology": {"class_name": "Sequential", "config": {"name": "bench", "layers": []}},
                "format": "layers-model",
                "weightsManifest": [{"paths": ["./model.weights.bin"],
                                     "weights": [{"name": "w", "shape": [mb * CHUNK // 4], "dtype": "float32"}]}],
            }).encode()
            for kind, spec, env in [("local", os.path.join(tmp, f"store{mb}"), {}),
                                    ("S3", f"s3://{s3.bucket}/bench{mb}", s3.env())]:
                with StoreProcess(spec, env) as server:
                    url = f"{server.url}api/models/bench"
                    up = upload_file(url, server.token, model_json, weights)
                    down, got = download(url)
                    if got != mb * CHUNK:
                        raise RuntimeError(f"downloaded {got} bytes of {mb * CHUNK}")
                    rss = peak_rss_mb(server.pid)
                rows += [Row(f"store upload {mb} MB ({kind})", mb / up, unit="MB/s", note="no TF.js counterpart"),
                         Row(f"store download {mb} MB ({kind})", mb / down, unit="MB/s", note="model.json + weights"),
                         Row(f"store peak RSS, {mb} MB model ({kind})", rss, unit="MB",
                             note="server process, upload then download")]
            os.remove(weights)
    return rows


BENCHMARKS = [store_throughput]
