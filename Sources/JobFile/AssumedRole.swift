/// An IAM role the jobs' calls are made as (`role_arn`, `external_id`, `role_session_name`):
/// appflowd assumes it with STS `AssumeRole`, signed with the credentials its own chain found.
///
/// The external ID is a shared value between this account and the role's owner; it is not a
/// password, but it is kept out of descriptions, logs and STATUS all the same.
package struct AssumedRole: Hashable, Sendable, CustomStringConvertible {
    package var arn: String
    package var externalId: String?
    /// nil: appflowd picks one (`appflowd-HOSTNAME`).
    package var sessionName: String?

    package init(arn: String, externalId: String? = nil, sessionName: String? = nil) {
        self.arn = arn
        self.externalId = externalId
        self.sessionName = sessionName
    }

    /// The ARN, and the session name when one is set; never the external ID.
    package var description: String {
        arn + (sessionName.map { " (session \($0))" } ?? "") + (externalId == nil ? "" : " (with an external ID)")
    }

    // MARK: - What STS accepts

    /// Why `arn` is not an IAM role ARN (`arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`), or nil.
    package static func arnProblem(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        let expected = "an IAM role ARN looks like \"arn:aws:iam::123456789012:role/NAME\""
        guard arn.utf8.count <= 2048, parts.count == 6, parts[0] == "arn" else { return "'\(arn)' is not an ARN: \(expected)" }
        let partition = parts[1]
        let partitionOK = partition.hasPrefix("aws") && partition.split(separator: "-", omittingEmptySubsequences: false).dropFirst().allSatisfy { part in
            !part.isEmpty && part.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) }
        }
        guard partitionOK else { return "'\(partition)' is not an AWS partition (like \"aws\", \"aws-cn\", \"aws-us-gov\"): \(expected)" }
        guard parts[2] == "iam" else { return "'\(arn)' is not an IAM ARN (its service is '\(parts[2])'): \(expected)" }
        guard parts[3].isEmpty else { return "an IAM ARN has no region ('\(parts[3])'): \(expected)" }
        guard parts[4].utf8.count == 12, parts[4].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return "the account in '\(arn)' must be 12 digits: \(expected)"
        }
        let resource = parts[5]
        guard resource.hasPrefix("role/") else { return "'\(arn)' names no role (its resource must start with 'role/'): \(expected)" }
        let path = resource.dropFirst("role/".count).split(separator: "/", omittingEmptySubsequences: false)
        guard let name = path.last, !name.isEmpty, name.utf8.count <= 64, name.utf8.allSatisfy(isRoleNameByte) else {
            return "the role name in '\(arn)' must be 1 to 64 characters of letters, digits and _+=,.@-"
        }
        guard path.dropLast().allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F } }) else {
            return "the role path in '\(arn)' must be printable ASCII between single slashes"
        }
        return nil
    }

    /// STS's `ExternalId`: 2 to 1224 characters of `[\w+=,.@:/-]`.
    package static func externalIdProblem(_ id: String) -> String? {
        guard (2...1224).contains(id.utf8.count), id.utf8.allSatisfy({ isRoleNameByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "/") }) else {
            return "'external_id' must be 2 to 1224 characters of letters, digits and _+=,.@:/-"
        }
        return nil
    }

    /// STS's `RoleSessionName`: 2 to 64 characters of `[\w+=,.@-]`.
    package static func sessionNameProblem(_ name: String) -> String? {
        guard (2...64).contains(name.utf8.count), name.utf8.allSatisfy(isRoleNameByte) else {
            return "'role_session_name' must be 2 to 64 characters of letters, digits and _+=,.@-"
        }
        return nil
    }

    /// `[\w+=,.@-]`, as IAM and STS spell it (ASCII word characters).
    static func isRoleNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// Where a job's calls go and as whom: its region (nil: the environment's or the profile's) and
/// its role (nil: the credentials the chain finds).
package struct CallTarget: Hashable, Sendable {
    package var region: String?
    package var role: AssumedRole?

    package init(region: String? = nil, role: AssumedRole? = nil) {
        self.region = region
        self.role = role
    }
}
