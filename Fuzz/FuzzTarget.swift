// libFuzzer entry point: built and run by `scripts/fuzz`, not by SwiftPM. The properties it checks are
// in Tests/RoleCredsTests/FuzzOracle.swift, shared with the regression tests.

/// Runs one input through `FuzzOracle`; a violated property is a crash, which libFuzzer saves.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    if let failure = FuzzOracle.check(bytes) {
        fatalError("fuzz property violated: \(failure)")
    }
    return 0
}
