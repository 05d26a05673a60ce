import Foundation
import TestSupport

/// A small STS for the role tests, in Python: `AssumeRole` answers with fixed credentials for
/// the roles it knows (checking the external ID), `AccessDenied` as STS words it for any other,
/// and records each call (its form and the access key that signed it) as a JSON line. The
/// in-process STS of `AppFlowTests` verifies signatures; this one serves the real binaries.
final class STSProcess: Sendable {
    struct Role {
        var arn: String
        var externalId: String?
        var keyId: String
        var secret: String
    }

    let child: ChildProcess
    let port: Int
    let recordPath: String

    static let script = #"""
        import http.server, json, sys, urllib.parse
        roles = json.loads(sys.argv[1]); record = sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args): pass
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode()
                form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
                auth = self.headers.get("authorization", "")
                signer = auth.split("Credential=")[1].split("/")[0] if "Credential=" in auth else None
                with open(record, "a") as f:
                    f.write(json.dumps({"form": form, "signer": signer, "token": self.headers.get("x-amz-security-token")}) + "\n")
                role = roles.get(form.get("RoleArn", ""))
                if form.get("Action") != "AssumeRole" or signer is None:
                    status, xml = 400, "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>unsupported</Message></Error></ErrorResponse>"
                elif role is None or role.get("externalId") != form.get("ExternalId"):
                    message = "User: arn:aws:iam::123456789012:user/%s is not authorized to perform: sts:AssumeRole on resource: %s" % (signer, form.get("RoleArn"))
                    status, xml = 403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>%s</Message></Error></ErrorResponse>" % message
                else:
                    status, xml = 200, ("<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId>"
                        "<SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
                        "</Credentials></AssumeRoleResult></AssumeRoleResponse>") % (role["keyId"], role["secret"], "token-" + role["keyId"])
                data = xml.encode()
                self.send_response(status)
                self.send_header("content-type", "text/xml")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
        server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        print("LISTENING %d" % server.server_address[1], flush=True)
        server.serve_forever()
        """#

    init(roles: [Role]) async throws {
        var table: [String: [String: String]] = [:]
        for role in roles {
            var entry = ["keyId": role.keyId, "secret": role.secret]
            entry["externalId"] = role.externalId
            table[role.arn] = entry
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: table), as: UTF8.self)
        let recordPath = NSTemporaryDirectory() + "appflowd-sts-\(UUID().uuidString).jsonl"
        let child = try ChildProcess("/usr/bin/env", ["python3", "-c", Self.script, json, recordPath])
        try await eventually("the STS to listen", log: child.standardError) { child.standardOutput.contains("\n") || !child.isRunning }
        let line = String(child.standardOutput.prefix { $0 != "\n" })
        guard line.hasPrefix("LISTENING "), let port = Int(line.dropFirst("LISTENING ".count)) else {
            child.signal(SIGKILL)
            throw EmulatorProcess.EmulatorFailed(output: line + child.standardError)
        }
        self.child = child
        self.port = port
        self.recordPath = recordPath
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Each AssumeRole call: its form fields, plus `signer` (the access key id that signed it).
    func calls() -> [[String: String]] {
        guard let text = try? String(contentsOfFile: recordPath, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            var call = object["form"] as? [String: String] ?? [:]
            call["signer"] = object["signer"] as? String
            return call
        }
    }

    deinit {
        child.signal(SIGKILL)
        try? FileManager.default.removeItem(atPath: recordPath)
    }
}
