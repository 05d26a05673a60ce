"""An AppFlow StartFlow endpoint that checks SigV4 with botocore's own signer.

It is independent of appflowd's code: for each request it rebuilds an AWSRequest from the
headers the client says it signed, lets botocore.auth.SigV4Auth sign it at the client's
X-Amz-Date, and accepts the request only if botocore's Authorization header is identical.

    python3 botocore_endpoint.py KEY_ID:SECRET[:SESSION_TOKEN] ...   -> prints "LISTENING <port>"
"""
import datetime
import json
import sys
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

KEYS = {}


def verify(method, path, headers, body):
    """Returns None when botocore computes the same signature, else the reason."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "MissingAuthenticationTokenException", "no SigV4 Authorization header"
    fields = dict(part.strip().split("=", 1) for part in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key_id, date, region, service, terminator = fields["Credential"].split("/")
    if key_id not in KEYS:
        return "UnrecognizedClientException", "unknown access key"
    secret, token = KEYS[key_id]
    signed = fields["SignedHeaders"].split(";")
    for required in ["host", "x-amz-date"] + (["x-amz-security-token"] if token else []):
        if required not in signed:
            return "IncompleteSignatureException", f"{required} is not signed"
    if token and headers.get("x-amz-security-token") != token:
        return "UnrecognizedClientException", "wrong session token"
    stamp = headers["x-amz-date"]
    moment = datetime.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ")
    skew = abs((datetime.datetime.utcnow() - moment).total_seconds())
    if skew > 300:
        return "InvalidSignatureException", "Signature expired"
    to_sign = {name: headers[name] for name in signed if name not in ("x-amz-date", "x-amz-security-token")}
    host = headers["host"]
    request = AWSRequest(method=method, url=f"http://{host}{path}", headers=to_sign, data=body)
    signer = botocore.auth.SigV4Auth(Credentials(key_id, secret, token), service, region)
    with mock.patch("botocore.auth.get_current_datetime", return_value=moment):
        signer.add_auth(request)
    if request.headers["Authorization"] != auth:
        return "InvalidSignatureException", "signature does not match botocore's"
    if service != "appflow":
        return "InvalidSignatureException", f"service {service} in the scope"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        problem = verify("POST", self.path, headers, body)
        if problem:
            self.answer(403, {"message": problem[1]}, problem[0])
        elif self.path != "/start-flow":
            self.answer(404, {"message": "unknown operation"}, "ResourceNotFoundException")
        else:
            request = json.loads(body)
            self.answer(200, {
                "flowArn": f"arn:aws:appflow:us-east-1:123456789012:flow/{request['flowName']}",
                "flowStatus": "Active",
                "executionId": str(uuid.uuid5(uuid.NAMESPACE_URL, request.get("clientToken", ""))),
            })

    def answer(self, status, payload, error_type=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def main():
    for spec in sys.argv[1:]:
        parts = spec.split(":")
        KEYS[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else None)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"LISTENING {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
