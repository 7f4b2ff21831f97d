/// Builds the child's environment (spec §3) as a pure function of the inherited environment, the
/// credentials and the options. The launcher's own environment is never modified.
public enum ChildEnvironment {
    /// What the child is given instead of inherited credentials.
    public enum Supply: Sendable {
        /// Static keys in the environment.
        case keys(Credentials)
        /// A local credential endpoint (`--serve`): URL and token, no static keys.
        case endpoint(url: String, token: Secret, accountId: String?)
    }

    /// Variables removed so nothing outranks or confuses what is injected.
    static let removed: [String] = [
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
    ]
    static let removedPrefix = "AWS_CONTAINER_"

    /// The child's `envp`: the inherited entries minus the removed ones and duplicates (the first
    /// entry of a name wins, as with `getenv`), then the injected variables.
    /// `region` is what the source found; it is used only when neither region variable is set.
    /// Names are compared as bytes: entries need not be UTF-8 (`ByteText`), and splitting them as
    /// `Character`s would cost more than the rest of the start-up.
    public static func build(inherited: [String], supply: Supply, region: String?, setRegion: Bool) -> [String] {
        var seen = NameSet(capacity: inherited.count)
        var result: [String] = []
        result.reserveCapacity(inherited.count + 8)
        var awsRegion: String?
        var defaultRegion: String?
        for (index, entry) in inherited.enumerated() {
            let u = entry.utf8
            guard let eq = u.firstIndex(of: 61), eq != u.startIndex else { continue }
            let name = u[..<eq]
            guard seen.insert(name, entry: index, in: inherited) else { continue }
            if isRemoved(name) { continue }
            if setRegion, name.starts(with: "AWS_".utf8) {
                let isRegion = name.elementsEqual("AWS_REGION".utf8)
                if isRegion || name.elementsEqual("AWS_DEFAULT_REGION".utf8) {
                    let value = Substring(u[u.index(after: eq)...])
                    // Empty values count as unset and are replaced below.
                    if value.isEmpty { continue }
                    if isRegion { awsRegion = String(value) } else { defaultRegion = String(value) }
                }
            }
            result.append(entry)
        }
        switch supply {
        case .keys(let c):
            result.append("AWS_ACCESS_KEY_ID=\(c.accessKeyId)")
            result.append("AWS_SECRET_ACCESS_KEY=\(c.secretAccessKey.reveal())")
            result.append("AWS_SESSION_TOKEN=\(c.sessionToken.reveal())")
            result.append("AWS_SECURITY_TOKEN=\(c.sessionToken.reveal())")
            result.append("AWS_CREDENTIAL_EXPIRATION=\(Timestamp.format(c.expiration))")
            if let account = c.accountId { result.append("AWS_ACCOUNT_ID=\(account)") }
        case .endpoint(let url, let token, let accountId):
            result.append("AWS_CONTAINER_CREDENTIALS_FULL_URI=\(url)")
            result.append("AWS_CONTAINER_AUTHORIZATION_TOKEN=\(token.reveal())")
            if let accountId { result.append("AWS_ACCOUNT_ID=\(accountId)") }
        }
        if setRegion {
            switch (awsRegion, defaultRegion) {
            case (nil, nil):
                if let region {
                    result.append("AWS_REGION=\(region)")
                    result.append("AWS_DEFAULT_REGION=\(region)")
                }
            case (let r?, nil): result.append("AWS_DEFAULT_REGION=\(r)")
            case (nil, let d?): result.append("AWS_REGION=\(d)")
            case (_?, _?): break
            }
        }
        return result
    }

    static func isRemoved(_ name: Substring.UTF8View) -> Bool {
        guard name.starts(with: "AWS_".utf8) else { return false }
        if name.starts(with: removedPrefix.utf8) { return true }
        return removed.contains { name.elementsEqual($0.utf8) }
    }
}

/// The names already seen while building an environment: open addressing over FNV-1a hashes of the
/// name bytes, so neither `String` hashing nor `Set` is needed on the start-up path.
struct NameSet {
    private var slots: [Int]  // entry index + 1; 0 = empty
    private var hashes: [UInt64]
    private var lengths: [Int]
    private let mask: Int

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int](repeating: 0, count: size)
        hashes = [UInt64](repeating: 0, count: size)
        lengths = [Int](repeating: 0, count: size)
        mask = size - 1
    }

    /// Adds the name of `entries[entry]`; false when an entry with the same name was added before.
    mutating func insert(_ name: Substring.UTF8View, entry: Int, in entries: [String]) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var length = 0
        for b in name { h = (h ^ UInt64(b)) &* 0x100_0000_01b3; length += 1 }
        var i = Int(truncatingIfNeeded: h) & mask
        while slots[i] != 0 {
            if hashes[i] == h, lengths[i] == length, entries[slots[i] - 1].utf8.prefix(length).elementsEqual(name) { return false }
            i = (i + 1) & mask
        }
        slots[i] = entry + 1
        hashes[i] = h
        lengths[i] = length
        return true
    }
}
