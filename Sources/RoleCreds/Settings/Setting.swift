/// A value with its origin. The conformances are conditional rather than constraints on `Value`: a
/// constrained generic type has its requirements checked by the runtime (a scan of every conformance
/// record) the first time each `Setting<T>` is used, which cost ~0.2 M instructions per start.
public struct Setting<Value> {
    public var value: Value
    public var origin: SettingOrigin
    public init(_ value: Value, _ origin: SettingOrigin) { self.value = value; self.origin = origin }
}

extension Setting: Equatable where Value: Equatable {}
extension Setting: Sendable where Value: Sendable {}
