import Foundation
import Primitives

/// One line of the request record: what arrived, when, and what the emulator answered.
package struct RequestRecord: Sendable, Equatable {
    /// Arrival time, read from the emulator's clock when the request was complete.
    package var arrival: Date
    package var requestId: String
    package var method: String
    package var path: String
    /// The AppFlow operation, or nil when the path names none.
    package var operation: String?
    package var accessKeyId: String?
    package var flowName: String?
    package var clientToken: String?
    /// The HTTP status answered (or that would have been, for a dropped answer).
    package var status: Int
    package var errorCode: String?
    package var executionId: String?
    /// True when this request created a run or activated a flow.
    package var newRun: Bool
    /// True when the answer replayed an earlier one for the same flow and token.
    package var idempotentReplay: Bool
    package var fault: AppliedFault?
    package var delayMs: Int

    /// The record as one JSON object (a JSONL line without the newline).
    func write(to output: inout JSONWriter) {
        output.beginObject()
        output.key("time")
        output.fixed(arrival.timeIntervalSince1970, decimals: 6)
        output.member("timeRFC3339", RFC3339.format(arrival))
        output.member("requestId", requestId)
        output.member("method", method)
        output.member("path", path)
        output.key("operation")
        if let operation { output.string(operation) } else { output.null() }
        optional(&output, "accessKeyId", accessKeyId)
        optional(&output, "flowName", flowName)
        optional(&output, "clientToken", clientToken)
        output.key("status")
        output.int(status)
        optional(&output, "errorCode", errorCode)
        optional(&output, "executionId", executionId)
        output.key("newRun")
        output.bool(newRun)
        output.key("idempotentReplay")
        output.bool(idempotentReplay)
        optional(&output, "fault", fault?.rawValue)
        output.key("delayMs")
        output.int(delayMs)
        output.endObject()
    }

    private func optional(_ output: inout JSONWriter, _ name: String, _ value: String?) {
        output.key(name)
        if let value { output.string(value) } else { output.null() }
    }
}

/// RFC 3339 UTC timestamps with microseconds, computed arithmetically: `ISO8601DateFormatter`
/// is far too slow to run on every request.
enum RFC3339 {
    static func format(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = micros / 1_000_000
        var fraction = micros % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilTime.date(days: days)
        return pad(year, 4) + "-" + pad(Int64(month), 2) + "-" + pad(Int64(day), 2) + "T"
            + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
            + "." + pad(fraction, 6) + "Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
