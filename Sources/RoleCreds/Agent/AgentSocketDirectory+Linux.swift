#if canImport(Glibc)
import Glibc
#endif

/// Where the agent's socket lives (spec §10): `$XDG_RUNTIME_DIR/with-role-creds/` when that directory is
/// set and the user's own, else a fresh `mkdtemp` directory under `/tmp`; mode 0700 either way, so no other
/// user can even reach the socket (SO_PEERCRED is checked as well).
struct AgentSocketDirectory {
    /// The directory.
    let path: String
    /// Whether the agent made it for itself alone (the `/tmp` case) and removes it when it ends.
    let own: Bool

    /// The socket's path in it for the agent `pid`.
    func socketPath(pid: pid_t) -> String { path + "/agent.\(pid).sock" }

    /// Makes or checks the directory.
    static func make(environment: EnvironmentLookup) throws(AgentError) -> AgentSocketDirectory {
        if let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"), isUsersOwn(runtime, exactMode: false) {
            let dir = runtime + "/with-role-creds"
            if mkdir(dir, 0o700) != 0 && errno != EEXIST { throw AgentError("cannot create \(dir): \(Errno.current)") }
            // An existing directory must be a real directory of ours that no one else may enter.
            guard isUsersOwn(dir, exactMode: true) else {
                throw AgentError("\(dir) is not a directory of this user with mode 0700; remove it or fix its mode")
            }
            return AgentSocketDirectory(path: dir, own: false)
        }
        var template = Array("/tmp/with-role-creds-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw AgentError("cannot create a directory under /tmp: \(Errno.current)") }
        return AgentSocketDirectory(path: String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), own: true)
    }

    /// A directory (not a link) owned by this user; with `exactMode`, mode 0700 exactly.
    static func isUsersOwn(_ path: String, exactMode: Bool) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == geteuid() else { return false }
        return !exactMode || (st.st_mode & 0o777) == 0o700
    }

    /// Removes the socket, and the directory when it is the agent's own.
    func remove(socket: String) {
        _ = unlink(socket)
        if own { _ = rmdir(path) }
    }
}

/// Why the agent could not start or be reached: a sentence for people.
public struct AgentError: Error, Equatable, CustomStringConvertible {
    public let description: String
    /// The agent had said it was fetching with the request (and any MFA codes in it) when this happened.
    public let whileFetching: Bool
    public init(_ description: String, whileFetching: Bool = false) { self.description = description; self.whileFetching = whileFetching }
}
