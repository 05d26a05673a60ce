import Foundation
import Testing
@testable import AppFlow

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 5: a credential file another user can write, or owns, is used (as the SDKs
/// use it) with one warning naming it. Nothing from the file is ever quoted.
@Suite(.timeLimit(.minutes(1)))
struct CredentialFileAuditTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/audit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func file(_ name: String, mode: mode_t) throws -> String {
        let path = directory + "/" + name
        try Data("[default]\naws_access_key_id = AKIDAUDIT\naws_secret_access_key = audit-secret-not-real\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(chmod(path, mode) == 0)
        return path
    }

    @Test(arguments: [
        (0o600 as mode_t, nil as String?), (0o644, nil), (0o400, nil),
        (0o620, "writable by group (mode 620)"), (0o606, "writable by others (mode 606)"),
        (0o666, "writable by group and others (mode 666)"),
    ])
    func modes(_ mode: mode_t, _ expected: String?) throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try file("credentials", mode: mode)
        let warning = CredentialFileAudit.check(path)
        #expect(warning?.problem.hasPrefix(expected ?? "") ?? (expected == nil), "\(String(describing: warning))")
        #expect(warning == nil || warning?.description.hasPrefix(path + ": ") == true)
        #expect(warning.map { !$0.description.contains("audit-secret") } ?? true)
    }

    @Test func aFileOwnedByAnotherUserIsNamedButRootIsTrusted() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = try file("credentials", mode: 0o600)
        let owner = geteuid()
        #expect(CredentialFileAudit.check(path, user: owner) == nil)
        let other: uid_t = owner == 4242 ? 4243 : 4242
        if owner == 0 {
            #expect(CredentialFileAudit.check(path, user: other) == nil, "root owns it: root controls the daemon anyway")
            #expect(chown(path, 4244, 4244) == 0)
            #expect(CredentialFileAudit.check(path, user: 0)?.problem.contains("owned by uid 4244") == true)
        } else {
            #expect(CredentialFileAudit.check(path, user: other)?.problem.contains("owned by uid \(owner)") == true)
        }
    }

    @Test func devicesAndMissingFilesAreNotFlagged() {
        #expect(CredentialFileAudit.check("/dev/null") == nil, "AWS_CONFIG_FILE=/dev/null means no file")
        #expect(CredentialFileAudit.check(directory + "/missing") == nil)
    }

    @Test func everyFileTheChainReadsIsChecked() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try file("credentials", mode: 0o666)
        let config = directory + "/config"
        try Data("[profile web]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = \(directory)/profile-token\n".utf8)
            .write(to: URL(fileURLWithPath: config))
        #expect(chmod(config, 0o664) == 0)
        let token = try file("token", mode: 0o646)
        let profileToken = try file("profile-token", mode: 0o666)
        try FileManager.default.createDirectory(atPath: directory + "/creds", withIntermediateDirectories: true)
        let systemd = try file("creds/aws", mode: 0o622)
        let environment = [
            "HOME": directory, "AWS_SHARED_CREDENTIALS_FILE": credentials, "AWS_CONFIG_FILE": config,
            "AWS_WEB_IDENTITY_TOKEN_FILE": token, "CREDENTIALS_DIRECTORY": directory + "/creds", "AWS_PROFILE": "web",
        ]
        let flagged = CredentialFileAudit.warnings(environment: environment).map(\.path)
        #expect(flagged == [systemd, token, credentials, config, profileToken])
    }
}
