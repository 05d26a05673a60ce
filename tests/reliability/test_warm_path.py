"""The warm path (issue 13) against the binaries: before a fire time appflowd opens its connection
to the endpoint (TLS done), through `HTTPS_PROXY` when set, and the StartFlow goes out on it.
A CONNECT proxy the test runs counts the tunnels; the emulator serves HTTPS with a throwaway CA.
No timed assertion: counts and order only."""
import datetime
import pathlib
import socket
import subprocess
import sys
import threading
import time

import relsupport as rs

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts" / "lib" / "bench"))
from procs import make_tls_files  # noqa: E402  (the benchmark's throwaway CA and certificate)


class ConnectProxy:
    """An HTTP CONNECT proxy on loopback: each tunnel is recorded (target, opened at)."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.tunnels: list[tuple[str, float]] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(4096)
            if not chunk:
                client.close()
                return
            head += chunk
        method, target = head.split(b"\r\n", 1)[0].split()[:2]
        if method != b"CONNECT":
            client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n")
            client.close()
            return
        host, port = target.decode().rsplit(":", 1)
        upstream = socket.create_connection(("127.0.0.1" if host == "localhost" else host, int(port)))
        self.tunnels.append((target.decode(), time.time()))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self):
        self.server.close()


def test_the_start_goes_out_on_the_connection_warmed_through_the_proxy(tmp_path):
    ca, cert, key = make_tls_files(str(tmp_path))
    emulator = rs.Emulator(tmp_path, ["warmed"], "--tls-cert", cert, "--tls-key", key)
    endpoint = f"https://localhost:{emulator.port}"
    proxy = ConnectProxy()
    slot = int(time.time()) + 8
    at = datetime.datetime.fromtimestamp(slot, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    config = tmp_path / "jobs.toml"
    rs.write_jobs(config, 'token_salt = "warm"', [("warmed", "warmed", f'at = ["{at}"]')])
    env = emulator.client_env()
    env.update(AWS_ENDPOINT_URL_APPFLOW=endpoint, AWS_CA_BUNDLE=ca, HTTPS_PROXY=f"http://127.0.0.1:{proxy.port}")
    log = tmp_path / "daemon.log"
    daemon = rs.Daemon(config, tmp_path / "state", env, log)
    try:
        tok = rs.token("warm", "warmed", "warmed", slot)
        rs.wait_for(lambda: any(r.get("clientToken") == tok for r in emulator.starts()), 40, what="the StartFlow")
        assert daemon.terminate() == 0
    finally:
        proxy.close()
    records = emulator.requests()
    start = next(r for r in records if r.get("clientToken") == tok)
    assert start["status"] == 200, start
    warm_ups = [r for r in records if r.get("method") == "HEAD" and r.get("path") == "/"]
    assert len(warm_ups) == 1, f"one warm-up for the one fire time: {warm_ups}"
    assert warm_ups[0]["time"] < start["time"], "the warm-up came first"
    assert "accessKeyId" not in warm_ups[0] or warm_ups[0]["accessKeyId"] is None, "no credentials on the warm-up"
    assert [t for t, _ in proxy.tunnels] == [f"localhost:{emulator.port}"], \
        f"one tunnel, opened for the warm-up and used by the StartFlow: {proxy.tunnels}"
    assert proxy.tunnels[0][1] < slot, "the tunnel was open before the fire time"
