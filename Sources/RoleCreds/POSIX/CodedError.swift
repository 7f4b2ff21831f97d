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
