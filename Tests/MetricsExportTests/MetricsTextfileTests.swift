import Foundation
import Testing
@testable import MetricsExport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 3: the textfile's temporary file is the daemon's own: a new file with a name
/// nobody can guess, never a link or a FIFO someone left, readable by node_exporter whatever
/// the umask.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct MetricsTextfileTests {

    @Test func theTemporaryFileHasARandomHiddenNameInTheSameDirectory() {
        let file = MetricsTextfile(path: "/var/lib/node-exporter/appflowd.prom")
        let a = file.temporaryPath(random: 0x1234), b = file.temporaryPath(random: .max)
        #expect(a == "/var/lib/node-exporter/.appflowd.prom.0000000000001234.tmp")
        #expect(b == "/var/lib/node-exporter/.appflowd.prom.ffffffffffffffff.tmp")
        #expect(!a.hasSuffix(".prom"), "node_exporter reads *.prom only")
        #expect(MetricsTextfile(path: "/x.prom").temporaryPath(random: 1) == "/.x.prom.0000000000000001.tmp")
    }

    @Test func linksAndFIFOsLeftInTheDirectoryAreNeitherFollowedNorOpened() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/appflowd.prom"
        let victim = directory + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        // The names older versions used, and anything else an attacker could guess.
        try FileManager.default.createSymbolicLink(atPath: path + ".tmp", withDestinationPath: victim)
        #expect(mkfifo(directory + "/.appflowd.prom.tmp", 0o600) == 0)
        try MetricsTextfile(path: path).write("appflowd_jobs 1\n")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "appflowd_jobs 1\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(left == [".appflowd.prom.tmp", "appflowd.prom", "appflowd.prom.tmp", "victim"], "no temporary file of its own left")
    }

    @Test func aLinkAtThePathIsReplacedNotWrittenThrough() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/appflowd.prom"
        let victim = directory + "/victim"
        try Data("precious\n".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        try MetricsTextfile(path: path).write("appflowd_jobs 1\n")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType == .typeRegular)
    }

    @Test func theFileIsWorldReadableWhateverTheUmask() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/appflowd.prom"
        // The packaged unit's UMask=0077; restored at once (the umask is the whole process's).
        let previous = umask(0o077)
        let result = Result { try MetricsTextfile(path: path).write("appflowd_jobs 1\n") }
        umask(previous)
        try result.get()
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        #expect(mode == 0o644)
    }
}
