import CSystem
import Foundation
import Testing
@testable import RoleCreds

/// Where the built binaries are: `WRC_BIN_DIR`, else `.build/debug` of this package.
enum Paths {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var bin: URL {
        if let dir = ProcessInfo.processInfo.environment["WRC_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return root.appendingPathComponent(".build/debug")
    }
    static var launcher: String { bin.appendingPathComponent("with-role-creds").path }
    static var mock: String { bin.appendingPathComponent("imds-mock").path }
}

/// A scratch directory removed at the end of the test.
final class TempDir {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("wrc-test-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// The base environment of every launcher run: PATH only, and refused loopback endpoints as the
/// IMDS and STS defaults, so a test that forgets an endpoint can never reach a real metadata service.
func baseEnvironment() -> [String: String] {
    [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9",
        // Likewise STS: a refused loopback port, never the real service.
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/",
        "LC_ALL": "C",
    ]
}

/// A running imds-mock.
final class Mock {
    let server: HelperServer
    var dir: TempDir { server.dir }
    var url: String { server.ready }
    var logPath: String { dir.path("mock.log") }

    init(_ arguments: [String] = []) async throws {
        server = try await HelperServer("imds-mock", readyFile: "url") { dir in
            [Paths.mock, "--log", dir.path("mock.log"), "--url-file", dir.path("url")] + arguments
        }
    }

    func stop() { server.stop() }

    var port: UInt16 { UInt16(url.split(separator: ":").last!)! }

    /// The mock's request log, one line per request: `conn=N METHOD PATH token=yes|no [auth=…] -> STATUS`.
    func log() -> [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Talks to the mock's control endpoint with the library's own client.
    @discardableResult
    func control(_ method: String, _ path: String, body: String = "") throws -> HTTPResponse {
        let client = HTTPClient(host: url.contains("[::1]") ? "::1" : "127.0.0.1", port: port)
        defer { client.close() }
        return try client.send(HTTPRequest(method: method, path: path, body: Array(body.utf8)),
                               wait: Wait(millis: 5000, clock: SystemClock()))
    }

    /// The credentials the mock serves now.
    func current() throws -> [String: String] {
        let response = try control("GET", "/mock/current")
        guard case .object(let members) = try JSON.parse(response.body) else { throw HarnessError("bad /mock/current") }
        var result: [String: String] = [:]
        for (k, v) in members { if case .string(let s) = v { result[k] = s } }
        return result
    }

    func fault(_ kind: String) throws { try control("PUT", "/mock/fault", body: kind) }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// What a finished run looked like to a user.
struct RunResult {
    var status: Int32
    /// The signal the process died of, or nil when it exited.
    var signal: Int32?
    var stdout: String
    var stderr: String
    var seconds: Double
    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// A launcher (or any command) running in the background, by default in a session of its own (no
/// controlling terminal, whatever terminal the tests run from), with stdout and stderr in files.
final class Running {
    let dir = TempDir()
    let started = Date()
    let pid: pid_t
    private var finished: Int32? { didSet { reapLock.release() } }
    /// Held until the run is reaped (see ReapLock).
    private let reapLock = ReapLock()

    init(_ executable: String = Paths.launcher, _ arguments: [String], environment: [String: String],
         stdin: String? = nil, newSession: Bool = true) throws {
        _ = FileManager.default.createFile(atPath: dir.path("in"), contents: Data((stdin ?? "").utf8))
        let input = stdin == nil ? "/dev/null" : dir.path("in")
        let (out, err) = (dir.path("out"), dir.path("err"))
        pid = try spawnClean([executable] + arguments, environment: environment.map { "\($0.key)=\($0.value)" },
                             newSession: newSession) { actions in
            posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_addopen(&actions, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
    }

    deinit {
        if finished == nil { kill(pid, SIGKILL); var s: Int32 = 0; waitpid(pid, &s, 0); reapLock.release() }
    }

    /// Polls for the exit without blocking; nil while running.
    func poll() -> Int32? {
        if let finished { return finished }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { finished = status }
        return finished
    }

    var isRunning: Bool { poll() == nil }

    /// Waits up to `timeout` seconds; a run that outlives it is killed and reported as a failure.
    func wait(timeout: Double = 30) async -> RunResult {
        if poll() == nil, !(await childEnded(pid, timeout: timeout)) {
            Issue.record("process still running after \(timeout)s; killed")
        }
        var status: Int32 = 0
        if finished == nil, (try? retryingInterrupts({ waitpid(pid, &status, 0) })) == pid { finished = status }
        let exit = ChildExit(waitStatus: finished ?? 0)
        var result = RunResult(status: 0, signal: nil,
                               stdout: (try? String(contentsOfFile: dir.path("out"), encoding: .utf8)) ?? "",
                               stderr: (try? String(contentsOfFile: dir.path("err"), encoding: .utf8)) ?? "",
                               seconds: Date().timeIntervalSince(started))
        switch exit {
        case .exited(let code)?: result.status = code
        case .signaled(let sig)?: result.status = 128 + sig; result.signal = sig
        case nil: result.status = -1
        }
        return result
    }

    /// Waits until `file` exists (a child writes it when ready); false when the run ended or `timeout` passed first.
    func waitFor(file: String, timeout: Double = 10) async -> Bool {
        _ = await eventually(timeout: timeout) { FileManager.default.fileExists(atPath: file) || !isRunning }
        return FileManager.default.fileExists(atPath: file)
    }
}

/// Starts `argv` the way a shell would: empty signal mask, default dispositions, only the descriptors
/// `files` sets up (0, 1, 2), and with `newSession` a session of its own (no controlling terminal).
func spawnClean(_ argv: [String], environment: [String], newSession: Bool,
                files: (inout posix_spawn_file_actions_t) -> Void) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    files(&actions)
    // Only what `files` opened, as from a shell: not the test process's own descriptors.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3)
    let setsid: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26)
    var pid: pid_t = 0
    let rc = Spawn.withCleanAttributes(extraFlags: newSession ? setsid : 0) { attr in
        withCStrings(argv) { a in withCStrings(environment) { e in posix_spawn(&pid, argv[0], &actions, &attr, a, e) } }
    }
    guard rc == 0 else { throw HarnessError("cannot start \(argv[0]): \(Errno(rawValue: rc))") }
    return pid
}

/// Runs the launcher with `arguments` to the end.
func launch(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, timeout: Double = 30) async throws -> RunResult {
    let env = baseEnvironment().merging(environment) { $1 }
    return try await Running(Paths.launcher, arguments, environment: env, stdin: stdin).wait(timeout: timeout)
}

/// Runs a tool found on PATH (`openssl`, `python3 make_pki.py`) to the end with the test process's
/// environment; throws unless it exits 0.
func runTool(_ argv: [String], timeout: Double = 60) async throws {
    let environment = ProcessInfo.processInfo.environment
    let result = try await Running("/usr/bin/env", argv, environment: environment).wait(timeout: timeout)
    guard result.status == 0 else { throw HarnessError("\(argv.prefix(2).joined(separator: " ")) failed: \(result.stderr)") }
}

/// Parses `env` output into name → values (a list, to catch duplicates).
func parseEnv(_ text: String) -> [String: [String]] {
    var result: [String: [String]] = [:]
    for line in text.split(separator: "\n") {
        guard let eq = line.firstIndex(of: "=") else { continue }
        result[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
    }
    return result
}
