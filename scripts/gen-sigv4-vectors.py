#!/usr/bin/env python3
"""Generate the SigV4 test vectors from botocore.

Every vector is signed by botocore's own ``botocore.auth.SigV4Auth`` (the signer
boto3 uses for rest-json services such as AppFlow) at a fixed date; this script
only records what botocore computes, it does not sign anything itself. The
intermediate steps (canonical request, string to sign, signing key) are captured
by a subclass that observes botocore's methods and passes their results through.

Run from the repository root:

    python3 scripts/gen-sigv4-vectors.py

and commit Tests/SigV4Tests/Vectors/vectors.json. The output is deterministic for
a given botocore version. All credentials below are fake.
"""

import base64
import datetime
import json
import os
import sys
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

OUT = os.path.join("Tests", "SigV4Tests", "Vectors", "vectors.json")

# Obviously fake credentials: these never authenticate anywhere.
AKID = "AKIDTESTVECTOR"
SECRET = "test-secret-not-real"
AKID_2 = "AKIDTESTVECTOR2"
SECRET_2 = "test-secret-not-real/with+slash=and/plus"
TOKEN = "test-session-token-not-real//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==FAKE"

# boto3's User-Agent names the host OS and versions; it is not signed, so a fixed
# value keeps the vector deterministic without changing any signature.
FIXED_USER_AGENT = (
    "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1 os/linux md/arch#x86_64 "
    "lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.43.11"
)
FIXED_INVOCATION_ID = "00000000-0000-4000-8000-000000000000"

ADDED_HEADER_NAMES = {"x-amz-date", "x-amz-security-token", "authorization"}


class RecordingSigV4Auth(botocore.auth.SigV4Auth):
    """botocore's SigV4Auth, recording each intermediate value it computes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.recorded = {}

    def string_to_sign(self, request, canonical_request):
        self.recorded["canonicalRequest"] = canonical_request
        result = super().string_to_sign(request, canonical_request)
        self.recorded["stringToSign"] = result
        self.recorded["credentialScope"] = self.credential_scope(request)
        return result

    def _sign(self, key, msg, hex=False):
        result = super()._sign(key, msg, hex=hex)
        if msg == "aws4_request" and not hex:
            self.recorded["signingKeyHex"] = result.hex()
        return result

    def signature(self, string_to_sign, request):
        result = super().signature(string_to_sign, request)
        self.recorded["signature"] = result
        self.recorded["signedHeaders"] = self.signed_headers(
            self.headers_to_sign(request)
        )
        return result


def parse_date(text):
    """'2024-02-29T23:59:59.250Z' -> (naive UTC datetime, float epoch seconds)."""
    dt = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ" if "." in text else "%Y-%m-%dT%H:%M:%SZ")
    epoch = (dt - datetime.datetime(1970, 1, 1)).total_seconds()
    return dt, epoch


def split_url(url):
    parts = botocore.compat.urlsplit(url)
    return parts.path, parts.query


def sign_case(case):
    """Sign one case with botocore and return the vector."""
    creds = case.get("credentials", {"accessKeyId": AKID, "secretAccessKey": SECRET})
    region = case.get("region", "us-east-1")
    service = case.get("service", "appflow")
    scheme = case.get("scheme", "https")
    host = case.get("host", f"{service}.{region}.amazonaws.com")
    path = case.get("path", "/")
    query = case.get("query", "")
    body = case.get("body", b"")
    if isinstance(body, str):
        body = body.encode("utf-8")
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    # The wire path/query, as a server would receive them.
    assert split_url(url) == (path, query), (url, split_url(url))

    signed_without_host = case.get("hostFromURL", False)
    headers = list(case.get("headers", []))
    if not signed_without_host and not any(n.lower() == "host" for n, _ in headers):
        headers.insert(0, ("host", host))

    request = AWSRequest(method=case.get("method", "POST"), url=url, data=body)
    for name, value in headers:
        request.headers[name] = value  # HTTPHeaders appends: repeated names are kept

    credentials = Credentials(
        creds["accessKeyId"], creds["secretAccessKey"], creds.get("sessionToken")
    )
    signer = RecordingSigV4Auth(credentials, service, region)
    dt, epoch = parse_date(case["date"])
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=dt):
        signer.add_auth(request)

    added = []
    for name, value in request.headers.items():
        lname = name.lower()
        if lname in ADDED_HEADER_NAMES:
            if lname == "x-amz-security-token" and not creds.get("sessionToken"):
                continue
            added.append([name, value])

    if signed_without_host:
        # botocore derived host from the URL; the wire carries it as a header.
        headers.insert(0, ("Host", host))

    recorded = signer.recorded
    return {
        "name": case["name"],
        "description": case["description"],
        "credentials": creds,
        "region": region,
        "service": service,
        "date": case["date"],
        "epochSeconds": epoch,
        "request": {
            "method": request.method,
            "path": path,
            "query": query,
            "headers": [[n, v] for n, v in headers],
            "bodyBase64": base64.b64encode(body).decode("ascii"),
        },
        "unsignedWireHeaders": [list(h) for h in case.get("unsignedWireHeaders", [])],
        "expected": {
            "canonicalRequest": recorded["canonicalRequest"],
            "stringToSign": recorded["stringToSign"],
            "credentialScope": recorded["credentialScope"],
            "signingKeyHex": recorded["signingKeyHex"],
            "signedHeaders": recorded["signedHeaders"],
            "signature": recorded["signature"],
            "authorization": request.headers["Authorization"],
            "addedHeaders": added,
        },
    }


class _StopBeforeSigning(Exception):
    pass


def boto3_start_flow_case(name, description, region, date, token=None):
    """Build the StartFlow request exactly as boto3's appflow client does, unsigned."""
    session = boto3.session.Session(
        aws_access_key_id=AKID,
        aws_secret_access_key=SECRET,
        aws_session_token=token,
        region_name=region,
    )
    client = session.client("appflow")
    captured = {}

    def before_sign(request, **_):
        captured["method"] = request.method
        captured["url"] = request.url
        captured["headers"] = list(request.headers.items())
        captured["body"] = request.body
        raise _StopBeforeSigning()

    client.meta.events.register("before-sign.appflow", before_sign)
    try:
        client.start_flow(
            flowName="salesforce-accounts",
            clientToken="appflowd-0123456789abcdef0123456789abcdef",
        )
    except _StopBeforeSigning:
        pass
    path, query = split_url(captured["url"])
    host = botocore.compat.urlsplit(captured["url"]).netloc
    headers = [
        (n, FIXED_USER_AGENT if n.lower() == "user-agent" else v)
        for n, v in captured["headers"]
    ]
    creds = {"accessKeyId": AKID, "secretAccessKey": SECRET}
    if token:
        creds["sessionToken"] = token
    return {
        "name": name,
        "description": description,
        "credentials": creds,
        "region": region,
        "host": host,
        "hostFromURL": True,
        "method": captured["method"],
        "path": path,
        "query": query,
        "headers": headers,
        "body": captured["body"],
        "date": date,
        # Added by botocore after signing and by http.client when sending.
        "unsignedWireHeaders": [
            ("amz-sdk-invocation-id", FIXED_INVOCATION_ID),
            ("amz-sdk-request", "attempt=1"),
            ("Content-Length", str(len(captured["body"]))),
        ],
    }


def cases():
    token_creds = {"accessKeyId": AKID, "secretAccessKey": SECRET, "sessionToken": TOKEN}
    json_headers = [("Content-Type", "application/json")]
    return [
        boto3_start_flow_case(
            "appflow-start-flow-boto3",
            "StartFlow exactly as boto3's appflow client builds it (host derived from the URL by botocore)",
            "eu-west-1", "2026-11-25T01:00:17Z",
        ),
        boto3_start_flow_case(
            "appflow-start-flow-boto3-session-token",
            "StartFlow as boto3 builds it, with temporary credentials",
            "us-east-1", "2026-03-29T01:30:00Z", token=TOKEN,
        ),
        {
            "name": "session-token-replaces-existing",
            "description": "a retry: stale Authorization, X-Amz-Date and X-Amz-Security-Token are replaced",
            "credentials": token_creds, "region": "ap-southeast-2", "date": "2025-06-30T12:00:00Z",
            "path": "/start-flow",
            "headers": json_headers + [
                ("Authorization", "AWS4-HMAC-SHA256 Credential=OLD/20000101/x/y/aws4_request, SignedHeaders=host, Signature=00"),
                ("X-Amz-Date", "20000101T000000Z"),
                ("X-Amz-Security-Token", "stale-token"),
            ],
            "body": '{"flowName": "f", "clientToken": "t"}',
        },
        {
            "name": "security-token-header-without-session-credentials",
            "description": "an X-Amz-Security-Token already on the request is signed as an ordinary header when the credentials have none",
            "region": "us-east-1", "date": "2025-01-01T00:00:00Z", "path": "/",
            "headers": [("X-Amz-Security-Token", "caller-supplied")],
        },
        {
            "name": "header-whitespace",
            "description": "leading, trailing and internal runs of spaces and tabs, an empty value, mixed-case names",
            "region": "eu-central-1", "date": "2024-02-29T23:59:59Z", "path": "/start-flow",
            "headers": [
                ("Content-Type", "   application/json   "),
                ("X-Custom-Spaces", "a   b    c"),
                ("x-custom-tabs", "\tone\t\ttwo \t three\t"),
                ("X-Empty", ""),
                ("X-Only-Spaces", "    "),
                ("X-MiXeD-CaSe", "Value"),
                ("x-vertical", "a\x0bb\x0cc\x1cd\x1fe"),
                ("x-unicode-space", "a\u00a0b\u2003c\u3000d"),
                ("x-not-space", "a\u200bb"),
                ("x-quoted", '"  quoted   stays  collapsed  "'),
            ],
            "body": '{"a": 1}',
        },
        {
            "name": "repeated-headers",
            "description": "a repeated header name: values joined with commas in order, each trimmed",
            "region": "us-west-2", "date": "2024-07-04T09:08:07Z", "path": "/",
            "headers": [
                ("X-Amz-Meta-Dup", " first "),
                ("x-amz-meta-other", "z"),
                ("x-amz-meta-dup", "second  value"),
                ("X-AMZ-META-DUP", "third"),
            ],
        },
        {
            "name": "unsigned-header-names",
            "description": "user-agent, expect, x-amzn-trace-id, connection and other hop-by-hop headers are not signed",
            "region": "us-east-1", "date": "2025-03-01T00:00:00Z", "path": "/start-flow",
            "headers": json_headers + [
                ("User-Agent", "appflowd/1.0"),
                ("Expect", "100-continue"),
                ("X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"),
                ("Connection", "keep-alive"),
                ("Keep-Alive", "timeout=5"),
                ("Transfer-Encoding", "chunked"),
                ("TE", "trailers"),
                ("Trailer", "x"),
                ("Upgrade", "h2c"),
                ("Proxy-Authorization", "Basic Zm9vOmJhcg=="),
                ("Proxy-Authenticate", "Basic"),
                ("Content-Length", "2"),
            ],
            "body": "{}",
        },
        {
            "name": "host-with-port",
            "description": "a non-default port is part of the host header; plain http",
            "scheme": "http", "host": "127.0.0.1:8443", "region": "us-east-1",
            "date": "2025-05-05T05:05:05Z", "path": "/start-flow",
            "headers": json_headers, "body": '{"flowName": "x", "clientToken": "y"}',
        },
        {
            "name": "query-sorting-and-repeats",
            "description": "keys sorted, repeated keys sorted by value, keys without values or '='",
            "method": "GET", "region": "us-east-1", "date": "2025-01-15T10:20:30Z",
            "path": "/flows",
            "query": "nextToken=abc%2Fdef%3D%3D&maxResults=10&b=2&a=3&a=1&a=20&flag&empty=&Z=upper&a-b=1&a.b=2",
        },
        {
            "name": "query-raw-reserved-and-odd-pairs",
            "description": "the query is signed as sent: raw reserved chars, '=' in values, empty pairs, '+' and encoded spaces",
            "method": "GET", "region": "us-east-1", "date": "2025-01-15T10:20:30Z",
            "path": "/",
            "query": "path=a/b:c@d&x=1=2&&=v&plus=a+b&space=a%20b&euro=%E2%82%AC&tilde=~&lower=%e2%82%ac",
        },
        {
            "name": "query-unicode-raw",
            "description": "raw (unencoded) non-ASCII in the query is signed verbatim, sorted by code point",
            "method": "GET", "region": "us-east-1", "date": "2025-01-15T10:20:30Z",
            "path": "/",
            "query": "\u00e9t\u00e9=1&zeta=2&\u00c5=3&a=\u20ac",
        },
        {
            "name": "path-percent-encoded",
            "description": "a percent-encoded path (as boto3 sends flow names) is encoded again for non-S3 services",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "/flows/my%20flow%2Fname/%E2%82%AC",
        },
        {
            "name": "path-dot-segments-and-slashes",
            "description": "dot segments removed, repeated slashes collapsed, trailing slash kept",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "//a/./b/../c//d/",
        },
        {
            "name": "path-dotdot-above-root",
            "description": "'..' above the root is dropped",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "/../../x/..",
        },
        {
            "name": "path-reserved-chars",
            "description": "reserved characters in a path segment are percent-encoded, '~' and '/' kept",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "/a:b@c!$&'()*+,;=/~user/-_.",
        },
        {
            "name": "path-unicode-raw",
            "description": "a raw non-ASCII path is UTF-8 percent-encoded",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "/fl\u00f6ws/\u20ac/\U0001F600",
        },
        {
            "name": "path-empty",
            "description": "an empty path is '/'",
            "method": "GET", "region": "eu-west-1", "date": "2025-08-08T08:08:08Z",
            "path": "",
        },
        {
            "name": "unicode-body",
            "description": "a UTF-8 JSON body with non-ASCII characters",
            "region": "us-east-2", "date": "2024-12-31T23:59:59Z", "path": "/tag/arn%3Aaws%3Aappflow",
            "headers": json_headers,
            "body": '{"description": "Gr\u00fc\u00dfe \u2014 \u65e5\u672c \U0001F680", "n": 1}',
        },
        {
            "name": "binary-body",
            "description": "arbitrary bytes as body",
            "region": "us-east-1", "date": "2024-01-01T00:00:00Z", "path": "/",
            "headers": [("Content-Type", "application/octet-stream")],
            "body": bytes(range(256)),
        },
        {
            "name": "empty-body-post",
            "description": "an empty body hashes as the empty string",
            "region": "us-east-1", "date": "2024-01-01T00:00:00Z", "path": "/start-flow",
            "headers": json_headers,
        },
        {
            "name": "content-sha256-header",
            "description": "an X-Amz-Content-SHA256 header on the request is used as the payload hash",
            "region": "us-east-1", "date": "2024-01-01T00:00:00Z", "path": "/",
            "headers": [("X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD")],
            "body": "not hashed",
        },
        {
            "name": "china-region",
            "description": "cn-north-1 with its amazonaws.com.cn endpoint",
            "region": "cn-north-1", "host": "appflow.cn-north-1.amazonaws.com.cn",
            "date": "2023-11-14T22:13:20Z", "path": "/start-flow",
            "headers": json_headers, "body": '{"flowName": "cn-flow", "clientToken": "t"}',
        },
        {
            "name": "govcloud-region-session-token",
            "description": "us-gov-west-1 with temporary credentials",
            "credentials": token_creds, "region": "us-gov-west-1",
            "date": "2038-01-19T03:14:08Z", "path": "/start-flow",
            "headers": json_headers, "body": '{"flowName": "gov", "clientToken": "t"}',
        },
        {
            "name": "fractional-seconds",
            "description": "sub-second parts of the date are truncated, not rounded",
            "region": "eu-west-1", "date": "2025-12-31T23:59:59.999Z", "path": "/",
        },
        {
            "name": "millennium-other-service",
            "description": "another service name and an old date",
            "credentials": {"accessKeyId": AKID_2, "secretAccessKey": SECRET_2},
            "service": "execute-api", "region": "sa-east-1", "date": "2000-01-01T00:00:00Z",
            "method": "DELETE", "path": "/prod/items/42", "query": "force=true",
        },
    ]


def main():
    if not os.path.isdir(os.path.dirname(OUT)):
        sys.exit(f"run from the repository root: {OUT} has no directory")
    vectors = [sign_case(c) for c in cases()]
    document = {
        "generator": "scripts/gen-sigv4-vectors.py",
        "botocoreVersion": botocore.__version__,
        "note": "All credentials are fake. Signed by botocore.auth.SigV4Auth at fixed dates.",
        "vectors": vectors,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {len(vectors)} vectors to {OUT}")


if __name__ == "__main__":
    main()
