/// The shape every layer's error shares (as swift-subprocess's `Error`): a code for callers to branch on,
/// one line for people, and the error underneath, kept as a value rather than flattened into the text.
/// The line never contains a secret; the underlying error is for callers, never printed on its own.
public protocol CodedError: Error, CustomStringConvertible, Equatable {
    /// The kind of failure, for callers.
    associatedtype Code: Hashable & Sendable
    /// What kind of failure this is.
    var code: Code { get }
    /// One line for people.
    var message: String { get }
    /// The lower layer's error this one was made from, if any.
    var underlying: (any Error)? { get }
}

extension CodedError {
    public var description: String { message }

    /// Two errors are the same when their code and sentence are: the underlying error explains, it does
    /// not identify (and `any Error` has no equality).
    public static func == (a: Self, b: Self) -> Bool { a.code == b.code && a.message == b.message }
}

/// One layer's error with its own codes (`SettingsError`, `TransportError`): the code, the sentence, and the
/// lower layer's error it was made from.
public struct LayerError<Code: Hashable & Sendable>: CodedError, Sendable {
    public let code: Code
    public let message: String
    public let underlying: (any Error)?

    /// An error with `code`, the sentence `message` and the error it was made from.
    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code; self.message = message; self.underlying = underlying
    }
}
