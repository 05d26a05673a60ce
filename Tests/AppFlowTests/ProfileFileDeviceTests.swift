import AppFlow
import Foundation
import Testing

/// `AWS_CONFIG_FILE=/dev/null` (the usual "no config file") is an empty file, not an error.
/// Found by the reliability secrets run: Foundation's `contents(atPath:)` is nil for a device.
@Suite(.timeLimit(.minutes(5))) struct ProfileFileDeviceTests {
    @Test(arguments: [ProfileFile.Kind.config, .credentials])
    func devNullIsAnEmptyFile(kind: ProfileFile.Kind) throws {
        let file = try #require(try ProfileFile.load(path: "/dev/null", kind: kind))
        #expect(file.profiles.isEmpty)
    }

    @Test func anUnreadableFileIsStillAnError() throws {
        let directory = NSTemporaryDirectory() + "profile-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A directory exists but is not a readable profile file.
        #expect(throws: ProfileFile.ParseError.self) { try ProfileFile.load(path: directory, kind: .config) }
    }
}
