import Synchronization

/// The one TLS context of a run's trust configuration (the system's CAs, `SSL_CERT_FILE`/`SSL_CERT_DIR`,
/// `AWS_CA_BUNDLE` or the profile's `ca_bundle`), made on first use and then shared by every client that
/// needs one: each hop of a role chain, the web identity call, GitHub's token service, the container
/// endpoint. Making a context parses the whole CA bundle (about 150 certificates, 200 kB), so one per
/// client cost a chain of 200 hops 178 MB and 17.6 s. Nothing is made on the plain-http metadata path.
public final class SharedTLSContext: @unchecked Sendable {
    // Read-only after init; the context is made under the lock (the refresh thread may be first).
    private let environment: EnvironmentLookup
    private let profileCABundle: String?
    private let made = Mutex<TLSContext?>(nil)

    public init(environment: EnvironmentLookup, profileCABundle: String?) {
        self.environment = environment; self.profileCABundle = profileCABundle
    }

    /// The context, made now if this is the first call; a failure is not remembered (the next call tries again).
    public func context() throws(TransportError) -> TLSContext {
        try made.withLock { (made: inout TLSContext?) throws(TransportError) -> TLSContext in
            if let made { return made }
            let context = try TLSContext.system(environment: environment, profileCABundle: profileCABundle)
            made = context
            return context
        }
    }
}
