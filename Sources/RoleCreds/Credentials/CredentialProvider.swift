/// Something that produces credentials: a metadata endpoint, or STS over another provider. Providers
/// compose: one that assumes a role wraps its base provider, and the launcher picks one by the settings.
public protocol CredentialProvider: AnyObject {
    /// `imds`, `container`, `web-identity`, `assume-role`: for `--check` and messages.
    var name: String { get }
    /// What it asks (an endpoint, a role ARN), for `--check` and messages; never a secret.
    var target: String { get }
    /// Every hop from the base source to this provider, base first.
    var chain: [ProviderHop] { get }
    /// Fetches and validates the current credentials within `wait`.
    func fetch(_ wait: Wait) throws(CredentialError) -> Credentials
    /// Closes kept-alive connections.
    func close()
}

extension CredentialProvider {
    public var chain: [ProviderHop] { [ProviderHop(name: name, target: target)] }
}

/// One step of a credential chain, as `--check` shows it.
public struct ProviderHop: Equatable, Sendable, CustomStringConvertible {
    public var name: String
    public var target: String
    public init(name: String, target: String) { self.name = name; self.target = target }
    public var description: String { "\(name) (\(target))" }
}
