#if canImport(Glibc)
import Glibc
#endif

/// An environment as `NAME=value` entries in order, with lookups the way `getenv` sees them
/// (first entry wins). Empty values count as unset, as in the AWS SDKs.
public struct EnvironmentLookup: Sendable {
    public let entries: [String]
    public init(_ entries: [String]) { self.entries = entries }

    /// This process's environment, each entry's bytes kept exactly (`ByteText`): entries that are
    /// not UTF-8 pass to the command unchanged, as with `env`.
    public static func current() -> EnvironmentLookup {
        var entries: [String] = []
        var p = environ
        while let entry = p.pointee {
            entries.append(ByteText.decode(cString: entry))
            p += 1
        }
        return EnvironmentLookup(entries)
    }

    /// The value of `name`, nil when absent or empty.
    public subscript(name: String) -> String? {
        // Compared as bytes: `hasPrefix` on String compares grapheme clusters.
        let n = name.utf8.count
        for entry in entries {
            let u = entry.utf8
            guard u.count > n, u.starts(with: name.utf8), u[u.index(u.startIndex, offsetBy: n)] == 61 else { continue }
            let value = Substring(u[u.index(u.startIndex, offsetBy: n + 1)...])
            return value.isEmpty ? nil : String(value)
        }
        return nil
    }
}
