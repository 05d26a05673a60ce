import Foundation
import Primitives

/// The unsigned control endpoint under `/_emulator/`. Its requests are not faulted and not
/// recorded: they steer the emulator, they are not AppFlow traffic.
extension EmulatorCore {
    func handleAdmin(method: String, path: Substring, body: [UInt8]) -> EmulatorResponse {
        switch (method, path) {
        case ("GET", "/_emulator/health"):
            return .json(200, Array(#"{"status":"ok"}"#.utf8), requestId: nil)
        case ("GET", "/_emulator/faults"):
            return .json(200, Self.render(faults), requestId: nil)
        case ("POST", "/_emulator/faults"), ("PUT", "/_emulator/faults"):
            return patchFaults(body: body, replacing: method == "PUT")
        case ("GET", "/_emulator/requests"):
            let snapshot = requests
            var output = JSONWriter(capacity: 64 + snapshot.count * 400)
            output.beginObject()
            output.key("requests")
            output.beginArray()
            for record in snapshot {
                record.write(to: &output)
            }
            output.endArray()
            output.endObject()
            return .json(200, output.bytes, requestId: nil)
        case ("POST", "/_emulator/reset"):
            reset()
            return .json(200, Array(#"{"reset":true}"#.utf8), requestId: nil)
        default:
            return adminError(404, "no admin endpoint \(method) \(path)")
        }
    }

    private func patchFaults(body: [UInt8], replacing: Bool) -> EmulatorResponse {
        let patch: FaultSettingsPatch
        do {
            patch = try JSONDecoder().decode(FaultSettingsPatch.self, from: Data(body.isEmpty ? Array("{}".utf8) : body))
        } catch {
            return adminError(400, "the body must be a JSON object of fault settings: \(error)")
        }
        let outcome: Result<FaultSettings, EmulatorConfigurationError> = state.withLock { state in
            let next = patch.applied(to: replacing ? FaultSettings() : state.faults.settings)
            if let problem = next.validationProblem() {
                return .failure(EmulatorConfigurationError(code: "invalid-faults", message: problem))
            }
            state.faults.update(next)
            return .success(next)
        }
        switch outcome {
        case .success(let updated): return .json(200, Self.render(updated), requestId: nil)
        case .failure(let problem): return adminError(400, problem.message)
        }
    }

    private func adminError(_ status: Int, _ message: String) -> EmulatorResponse {
        var output = JSONWriter()
        output.beginObject()
        output.member("message", message)
        output.endObject()
        return .json(status, output.bytes, requestId: nil)
    }

    static func render(_ faults: FaultSettings) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(faults)).map(Array.init) ?? Array("{}".utf8)
    }
}
