#if canImport(Glibc)
import Glibc
#endif

/// An environment as `NAME=value` entries in order, with lookups the way `getenv` sees them
/// (first entry wins). Empty values count as unset, as in the AWS SDKs.
public struct EnvironmentLookup: Sendable {
    public let entries: [String]
    public init(_ entries: [String]) { self.entries = entries }

    /// This process's environment.
    public static func current() -> EnvironmentLookup {
        var entries: [String] = []
        var p = environ
        while let entry = p.pointee {
            entries.append(String(cString: entry))
            p += 1
        }
        return EnvironmentLookup(entries)
    }

    /// The value of `name`, nil when absent or empty.
    public subscript(name: String) -> String? {
        let prefix = name + "="
        for entry in entries where entry.hasPrefix(prefix) {
            let value = String(entry.dropFirst(prefix.count))
            return value.isEmpty ? nil : value
        }
        return nil
    }
}
