/// Why the launcher could not run the command: a sentence for people and the exit status (spec §4).
public struct LaunchError: Error, CustomStringConvertible {
    public let description: String
    /// 125 (usage, credentials, set-up), 126 (cannot run) or 127 (not found).
    public let status: Int32

    public init(_ description: String, status: Int32 = LauncherStatus.failed) {
        self.description = description; self.status = status
    }
    init(_ error: UsageError) { self.init(error.description) }
    init(_ error: CredentialError) { self.init(error.description) }
    init(_ error: SpawnError) { self.init(error.description, status: error.status) }
}
