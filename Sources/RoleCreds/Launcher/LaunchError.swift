/// Why the launcher could not run the command: the exit status as its code (spec §4), a sentence for
/// people, and the error of the layer it came from.
public struct LaunchError: CodedError {
    /// 125 (usage, credentials, set-up), 126 (cannot run) or 127 (not found).
    public let status: Int32
    public let message: String
    public let underlying: (any Error)?
    public var code: Int32 { status }

    public init(_ message: String, status: Int32 = LauncherStatus.failed, underlying: (any Error)? = nil) {
        self.message = message; self.status = status; self.underlying = underlying
    }
    init(_ error: UsageError) { self.init(error.description, underlying: error) }
    init(_ error: CredentialError) { self.init(error.message, underlying: error) }
    init(_ error: SpawnError) { self.init(error.description, status: error.status, underlying: error) }
}
