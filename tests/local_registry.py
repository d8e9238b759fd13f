"""A registry on 127.0.0.1 serving one small image the test makes, so the real engine pulls
it (with its real progress events) while no public registry can be reached. The engine
treats 127.0.0.0/8 registries as insecure (plain HTTP) by default."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _layer(name: str, size: int) -> tuple[bytes, bytes]:
    """A layer of one file of ``size`` random bytes: (the tar, its gzip)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(os.urandom(size)))
    data = raw.getvalue()
    return data, gzip.compress(data, compresslevel=1)


class LocalRegistry:
    """``image`` is the reference to pull (127.0.0.1:PORT/NAME:TAG); serves until stop()."""

    def __init__(self, name: str = "flask-launcher-pull-test", tag: str = "1",
                 layer_sizes: tuple[int, ...] = (3_000_000, 2_000_000)) -> None:
        self.blobs: dict[str, bytes] = {}
        diff_ids, layers = [], []
        for number, size in enumerate(layer_sizes):
            tar, zipped = _layer(f"layer{number}.bin", size)
            diff_ids.append(_digest(tar))
            self.blobs[_digest(zipped)] = zipped
            layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                           "size": len(zipped), "digest": _digest(zipped)})
        config = json.dumps({
            "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/layer0.bin"]},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "history": [{"created_by": "test layer"} for _ in layer_sizes]}).encode()
        self.blobs[_digest(config)] = config
        self.manifest = json.dumps({
            "schemaVersion": 2, "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                       "size": len(config), "digest": _digest(config)},
            "layers": layers}).encode()
        self.layer_ids = [layer["digest"][7:19] for layer in layers]
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self._answer(body=False)

            def do_GET(self) -> None:
                self._answer(body=True)

            def _answer(self, body: bool) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/v2/":
                    return self._send(b"{}", "application/json", body)
                if path == f"/v2/{name}/manifests/{tag}" or path.endswith(
                        "/manifests/" + _digest(registry.manifest)):
                    return self._send(registry.manifest, MANIFEST_TYPE, body,
                                      _digest(registry.manifest))
                if "/blobs/" in path and path.rsplit("/", 1)[1] in registry.blobs:
                    digest = path.rsplit("/", 1)[1]
                    return self._send(registry.blobs[digest], "application/octet-stream",
                                      body, digest)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _send(self, data: bytes, kind: str, body: bool, digest: str = "") -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                if digest:
                    self.send_header("Docker-Content-Digest", digest)
                self.end_headers()
                if body:
                    self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.image = f"127.0.0.1:{self._server.server_address[1]}/{name}:{tag}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
