// The metadata mock used by the tests and the demo: IMDS (v1/v2, token TTLs, roles, region, the
// extended path, rotating credentials) and a container credential endpoint, with fault injection
// chosen at start (--fault) or at run time (PUT /mock/fault). Never for production use.
#if canImport(Glibc)
import Glibc
#endif
import RoleCreds

signal(SIGPIPE, SIG_IGN)
// Whoever started us may have left signals blocked (test runners do): SIGTERM must end the mock.
var noSignals = sigset_t()
sigemptyset(&noSignals)
sigprocmask(SIG_SETMASK, &noSignals, nil)

do {
    let settings = try MockSettings.parse(Array(CommandLine.arguments.dropFirst()))
    let mock = try MockServer(settings: settings)
    mock.run()
} catch let error as MockUsage {
    writeOut(2, "imds-mock: \(error.message)\n\n\(MockSettings.usage)\n")
    exit(2)
} catch {
    writeOut(2, "imds-mock: \(error)\n")
    exit(1)
}

/// Writes `text` to descriptor `fd` at once (no stdio buffering: tests read the URL line immediately).
func writeOut(_ fd: Int32, _ text: String) {
    _ = text.withCString { write(fd, $0, strlen($0)) }
}
