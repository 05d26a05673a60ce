import Foundation
import Testing
@testable import JobFile

/// `role_arn`, `external_id` and `role_session_name`: at the top, per job, and what STS accepts.
@Suite(.timeLimit(.minutes(5)))
struct RoleKeyTests {
    static let top = "arn:aws:iam::111111111111:role/appflowd-runner"
    static let other = "arn:aws-cn:iam::222222222222:role/team/path/appflow_starter"

    @Test func topLevelRoleIsInheritedAndEachKeyOverriddenOnItsOwn() throws {
        let text = """
            role_arn = "\(Self.top)"
            external_id = "shared-ext-1"
            [[job]]
            flow = "inherits"
            every = "1h"
            [[job]]
            flow = "other-account"
            every = "1h"
            role_arn = "\(Self.other)"
            role_session_name = "nightly@host"
            [[job]]
            flow = "own-account"
            every = "1h"
            role_arn = ""
            [[job]]
            flow = "no-external-id"
            every = "1h"
            external_id = ""
            """
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "r.toml", now: fixtureNow)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let f = try #require(file)
        #expect(f.role == AssumedRole(arn: Self.top, externalId: "shared-ext-1"))
        #expect(f.jobs[0].role == AssumedRole(arn: Self.top, externalId: "shared-ext-1"))
        #expect(f.jobs[1].role == AssumedRole(arn: Self.other, externalId: "shared-ext-1", sessionName: "nightly@host"))
        #expect(f.jobs[2].role == nil)
        #expect(f.jobs[3].role == AssumedRole(arn: Self.top))
        #expect(f.jobs[1].target == CallTarget(region: nil, role: f.jobs[1].role))
    }

    @Test func rolesDoNotChangeTokens() throws {
        let plain = "[[job]]\nflow = \"f1\"\nevery = \"1h\"\n"
        let withRole = "role_arn = \"\(Self.top)\"\nexternal_id = \"ext-42\"\n" + plain
        let a = try #require(JobFileLoader.parse(plain, fileName: "a.toml", now: fixtureNow).jobFile)
        let b = try #require(JobFileLoader.parse(withRole, fileName: "b.toml", now: fixtureNow).jobFile)
        #expect(b.jobs[0].role != nil)
        #expect(a.jobs[0].clientToken(slot: 3600) == b.jobs[0].clientToken(slot: 3600))
        #expect(a.jobs[0].fireTime(slot: 3600) == b.jobs[0].fireTime(slot: 3600))
    }

    @Test(arguments: [
        "arn:aws:iam::123456789012:role/a",
        "arn:aws-us-gov:iam::123456789012:role/service-role/AppFlow+Runner=1,x.y@z",
        "arn:aws-iso-b:iam::000000000000:role/\(String(repeating: "n", count: 64))",
    ])
    func goodARNs(_ arn: String) {
        #expect(AssumedRole.arnProblem(arn) == nil)
    }

    @Test(arguments: [
        ("role/a", "is not an ARN"),
        ("arn:aws:iam::123456789012", "is not an ARN"),
        ("arn:gcp:iam::123456789012:role/a", "is not an AWS partition"),
        ("arn:aws:sts::123456789012:assumed-role/a/b", "is not an IAM ARN"),
        ("arn:aws:iam:eu-west-1:123456789012:role/a", "has no region"),
        ("arn:aws:iam::1234567890123:role/a", "must be 12 digits"),
        ("arn:aws:iam::123456789012:user/a", "names no role"),
        ("arn:aws:iam::123456789012:role/", "role name"),
        ("arn:aws:iam::123456789012:role/a b", "role name"),
        ("arn:aws:iam::123456789012:role/\(String(repeating: "n", count: 65))", "role name"),
        ("arn:aws:iam::123456789012:role//a", "role path"),
    ])
    func badARNs(_ arn: String, _ expected: String) throws {
        let problem = try #require(AssumedRole.arnProblem(arn))
        #expect(problem.contains(expected), "\(problem)")
    }

    @Test func externalIdAndSessionNameFollowSTS() {
        #expect(AssumedRole.externalIdProblem("ab") == nil)
        #expect(AssumedRole.externalIdProblem("urn:x/y=1,2.3@4-5_+") == nil)
        #expect(AssumedRole.externalIdProblem(String(repeating: "e", count: 1224)) == nil)
        #expect(AssumedRole.externalIdProblem("a") != nil)
        #expect(AssumedRole.externalIdProblem(String(repeating: "e", count: 1225)) != nil)
        #expect(AssumedRole.externalIdProblem("no spaces") != nil)
        #expect(AssumedRole.sessionNameProblem("appflowd-host.example") == nil)
        #expect(AssumedRole.sessionNameProblem(String(repeating: "s", count: 64)) == nil)
        #expect(AssumedRole.sessionNameProblem(String(repeating: "s", count: 65)) != nil)
        #expect(AssumedRole.sessionNameProblem("x") != nil)
        #expect(AssumedRole.sessionNameProblem("a:b") != nil)
    }

    @Test func descriptionNeverShowsTheExternalId() {
        let role = AssumedRole(arn: Self.top, externalId: "ext-secretish-1", sessionName: "s1")
        #expect(!"\(role)".contains("ext-secretish-1"))
        #expect("\(role)".contains(Self.top) && "\(role)".contains("s1"))
    }

    @Test func externalIdWithoutAnyRoleIsAWarning() {
        let text = "external_id = \"orphan-1\"\n[[job]]\nflow = \"f1\"\nevery = \"1h\"\n"
        let (file, diagnostics) = JobFileLoader.parse(text, fileName: "w.toml", now: fixtureNow)
        #expect(file != nil)
        #expect(diagnostics.map(\.description) == ["w.toml:1:1: warning: 'external_id' has no effect: no 'role_arn' is set, at the top of the file or in a job"])
    }
}
