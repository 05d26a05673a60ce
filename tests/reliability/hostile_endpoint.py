"""A tiny AppFlow endpoint that answers StartFlow badly on purpose. The flow name picks the
answer (see ANSWERS); every request is counted per flow name. Prints `LISTENING <port>`.
GET /counts answers the counts as JSON."""
import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HUGE = 64 * 1024 * 1024  # 8 times the client's 8 MiB limit
# A message that would retitle the terminal, clear it, and forge a log line if printed raw.
CONTROL_MESSAGE = "\x1b]0;owned\x07\x1b[2J\rforged\n2026-01-01T00:00:00Z info all good \u202e"


def answers():
    """flow name -> (status, headers, body or a callable that writes it, retried by the client?)"""
    ok_json = {"Content-Type": "application/json"}
    return {
        "truncated-json": (200, ok_json, b'{"flowArn": "arn:aws:appflow:eu-west-1:1:flow/x", "flowStat'),
        "wrong-types": (200, ok_json, b'{"flowArn": 12, "flowStatus": ["Active"], "executionId": {"id": 1}}'),
        "json-array": (200, ok_json, b'[1, 2, 3]'),
        "json-null": (200, ok_json, b'null'),
        "html-200": (200, {"Content-Type": "text/html"}, b"<html><body>It works!</body></html>"),
        "huge-200": (200, ok_json, "huge"),
        "huge-500": (500, ok_json, "huge"),
        "html-502": (502, {"Content-Type": "text/html"}, b"<html><h1>502 Bad Gateway</h1></html>"),
        "error-not-json": (400, {"Content-Type": "application/json", "x-amzn-ErrorType": "ValidationException"}, b"{not json"),
        "error-wrong-types": (400, ok_json, b'{"__type": 7, "message": ["x"]}'),
        "short-body": (200, {"Content-Type": "application/json", "Content-Length": "4096"}, "short"),
        "binary-garbage": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 16),
        # Issue 18: error codes and messages no AWS service sends, bounded where they are read.
        "long-code": (400, {"Content-Type": "application/json", "x-amzn-ErrorType": "E" * 4000}, b'{"message": "long code"}'),
        "control-code": (400, ok_json, json.dumps({"__type": "Evil\x1b[31mCode", "message": "m"}).encode()),
        "huge-message": (400, {"Content-Type": "application/json", "x-amzn-ErrorType": "ValidationException"},
                         json.dumps({"message": "x" * 1_000_000}).encode()),
        "control-message": (400, {"Content-Type": "application/json", "x-amzn-ErrorType": "ValidationException"},
                            json.dumps({"message": CONTROL_MESSAGE}).encode()),
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: dict[str, int] = {}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def do_GET(self):
        with self.lock:
            body = json.dumps(self.counts).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = self.rfile.read(length)
        try:
            flow = json.loads(request).get("flowName", "")
        except ValueError:
            flow = ""
        with self.lock:
            self.counts[flow] = self.counts.get(flow, 0) + 1
        status, headers, body = answers().get(flow, (404, {"Content-Type": "application/json"}, b'{"message":"no such mode"}'))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        try:
            if body == "huge":
                self.send_header("Content-Length", str(HUGE))
                self.end_headers()
                chunk = b" " * 65536
                for _ in range(HUGE // len(chunk)):
                    self.wfile.write(chunk)
            elif body == "short":
                self.end_headers()
                self.wfile.write(b'{"fl')
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()
