/// Static keys (a profile's, from the shared credentials file) that start a role chain.
public final class StaticKeysProvider: CredentialProvider {
    public let name = "static-keys"
    let credentials: Credentials
    public let target: String
    public init(_ credentials: Credentials, target: String) { self.credentials = credentials; self.target = target }
    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials { credentials }
    public func close() {}
}
