/// The one definition of each value STS and IAM take from the user (spec §1, §7), used alike by the flags,
/// the environment and every profile of a chain. Each check is pure and throws one line that starts with
/// where the value came from (`--role-session-name`, `AWS_ROLE_SESSION_NAME`, `role_session_name of profile
/// ops in /home/u/.aws/config`). A value that is secret-ish (an external id, an MFA code) is never quoted back.
public enum IAMValues {
    /// What STS accepts for `DurationSeconds`: 15 minutes to 12 hours (the role's own maximum may be lower).
    public static let durationRange = 900...43_200
    /// `--attempts` and its variable and profile key.
    public static let attemptsRange = 1...20
    /// The most roles one chain assumes, `--assume-role` included: no real chain is deeper, and a longer
    /// one is a mistake in the files, refused before any request.
    public static let maxChainHops = 16

    // MARK: the rules

    /// A role ARN as STS and IAM accept it: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`, the partition
    /// `aws` or `aws-…`, a 12-digit account, a path of printable ASCII (at most 512), a valid role name.
    public static func isRoleArn(_ arn: String) -> Bool {
        guard arn.utf8.count <= 2048, arn.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[3].isEmpty else { return false }
        let partition = parts[1]
        guard partition == "aws" || (partition.hasPrefix("aws-") && partition.count > 4 && partition.last != "-"
                                     && partition.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }))
        else { return false }
        guard parts[4].count == 12, parts[4].allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return false }
        guard parts[5].hasPrefix("role/") else { return false }
        let resource = parts[5].dropFirst(5)
        let name = resource.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        let path = resource.dropLast(name.count)
        return path.count <= 512 && isRoleName(String(name))
    }

    /// IAM role names: letters, digits and `+=,.@_-`, 1…64 characters.
    public static func isRoleName(_ name: String) -> Bool {
        (1...64).contains(name.utf8.count) && name.utf8.allSatisfy { isWordByte($0) || "+=,.@-".utf8.contains($0) }
    }

    /// STS `RoleSessionName`: 2…64 of letters, digits and `_+=,.@-`.
    public static func isSessionName(_ name: String) -> Bool {
        (2...64).contains(name.utf8.count) && name.utf8.allSatisfy { isWordByte($0) || "+=,.@-".utf8.contains($0) }
    }

    /// STS `ExternalId`: 2…1224 of letters, digits and `_+=,.@:/-`.
    public static func isExternalId(_ id: String) -> Bool {
        (2...1224).contains(id.utf8.count) && id.utf8.allSatisfy { isWordByte($0) || "+=,.@:/-".utf8.contains($0) }
    }

    /// STS `SerialNumber` (an MFA device): 9…256 of letters, digits and `_+=/:,.@-`.
    public static func isMFASerial(_ serial: String) -> Bool {
        (9...256).contains(serial.utf8.count) && serial.utf8.allSatisfy { isWordByte($0) || "+=/:,.@-".utf8.contains($0) }
    }

    /// STS `TokenCode`: exactly six digits.
    public static func isMFACode(_ code: String) -> Bool {
        code.utf8.count == 6 && code.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `\w` in the AWS patterns: ASCII letters, digits and `_`.
    private static func isWordByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }

    // MARK: the checks, naming the origin

    public static func checkRoleArn(_ arn: String, from origin: String) throws(UsageError) {
        guard isRoleArn(arn) else {
            throw UsageError("\(origin): '\(arn.quotable(limit: 100))' is not a role ARN (arn:aws:iam::123456789012:role/NAME)")
        }
    }

    public static func checkSessionName(_ name: String, from origin: String) throws(UsageError) {
        guard isSessionName(name) else {
            throw UsageError("\(origin): '\(name.quotable(limit: 64))' is not a session name (2 to 64 letters, digits and _+=,.@-)")
        }
    }

    /// Not quoted back: an external id is shared with a third party and is best not shown in CI logs.
    public static func checkExternalId(_ id: String, from origin: String) throws(UsageError) {
        guard isExternalId(id) else { throw UsageError("\(origin) must be 2 to 1224 letters, digits and _+=,.@:/-") }
    }

    public static func checkMFASerial(_ serial: String, from origin: String) throws(UsageError) {
        guard isMFASerial(serial) else {
            throw UsageError("\(origin): '\(serial.quotable(limit: 100))' is not an MFA device serial or ARN (9 to 256 letters, digits and _+=/:,.@-)")
        }
    }

    public static func checkDuration(_ seconds: Int, from origin: String) throws(UsageError) {
        guard durationRange.contains(seconds) else {
            throw UsageError("\(origin) must be whole seconds from 900 to 43200 (15m to 12h, STS DurationSeconds), not \(seconds)")
        }
    }

    /// A duration written as a number of seconds (`duration_seconds = 1800`).
    public static func durationSeconds(_ text: String, from origin: String) throws(UsageError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Int(text),
              durationRange.contains(seconds) else {
            throw UsageError("\(origin) must be whole seconds from 900 to 43200 (15m to 12h, STS DurationSeconds), not '\(text.quotable(limit: 20))'")
        }
        return seconds
    }

    /// `--attempts`, `AWS_METADATA_SERVICE_NUM_ATTEMPTS`, `metadata_service_num_attempts`.
    public static func attempts(_ text: String, from origin: String) throws(UsageError) -> Int {
        guard let n = Int(text), attemptsRange.contains(n) else {
            throw UsageError("\(origin) must be a whole number from 1 to 20, not '\(text.quotable(limit: 40))'")
        }
        return n
    }

    /// `true` or `false` in any case, as botocore reads its switches.
    public static func boolean(_ text: String, from origin: String) throws(UsageError) -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw UsageError("\(origin) must be true or false, not '\(text.quotable(limit: 40))'")
        }
    }
}
