#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

@Suite struct ShellWordsTests {
    @Test(arguments: [
        ("helper --profile prod", ["helper", "--profile", "prod"]),
        ("  a\t b\r\nc ", ["a", "b", "c"]),
        ("'/opt/my tools/helper' 'a b'", ["/opt/my tools/helper", "a b"]),
        ("\"x \\\" y\" \"\\n\" \"\\\\\"", ["x \" y", "\\n", "\\"]),
        ("a\\ b c\\'d", ["a b", "c'd"]),
        ("pre'q u'post \"\"", ["preq upost", ""]),
        ("'$HOME' `x` a|b #c", ["$HOME", "`x`", "a|b", "#c"]),
        ("a '' b", ["a", "", "b"]),
    ])
    func splitsAsShlex(_ line: String, _ words: [String]) throws {
        #expect(try ShellWords.split(line) == words)
    }

    @Test(arguments: ["'unclosed", "\"unclosed", "trailing\\", "", "   "])
    func refuses(_ line: String) {
        #expect(throws: ShellWords.Failure.self) { try ShellWords.split(line) }
    }
}

@Suite struct ProcessOutputTests {
    static func json(_ members: [(String, String)]) -> [UInt8] {
        Array(("{" + members.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ",") + "}").utf8)
    }
    static let good: [(String, String)] = [
        ("Version", "1"), ("AccessKeyId", "\"\(Fixture.keyId)\""), ("SecretAccessKey", "\"\(Fixture.secret)\""),
        ("SessionToken", "\"\(Fixture.token)\""), ("Expiration", "\"\(Fixture.expirationText)\""), ("AccountId", "\"123456789012\""),
    ]

    @Test func decodesEveryField() throws {
        let (c, expires) = try ProcessOutput.decode(Self.json(Self.good), now: Fixture.now)
        #expect(c == Fixture.credentials)
        #expect(expires)
    }

    @Test func withoutExpirationOrTokenIsLongLived() throws {
        let members = Self.good.filter { $0.0 != "Expiration" && $0.0 != "SessionToken" }
        let (c, expires) = try ProcessOutput.decode(Self.json(members), now: Fixture.now)
        #expect(!expires)
        #expect(c.expiration == Fixture.now + ProcessOutput.noExpirationSeconds)
        #expect(c.sessionToken.isEmpty)
    }

    @Test(arguments: [
        ("Version", nil), ("Version", "2"), ("Version", "\"1\""), ("AccessKeyId", nil), ("SecretAccessKey", nil),
        ("SecretAccessKey", "\"\""), ("AccessKeyId", "7"), ("Expiration", "\"tomorrow\""),
        ("Expiration", "\"2024-05-31T00:00:00Z\""), ("SessionToken", "\"a\\u0001b\""),
    ] as [(String, String?)])
    func refusesWithoutQuotingSecrets(_ field: String, _ value: String?) {
        let members = Self.good.compactMap { $0.0 == field ? value.map { (field, $0) } : $0 }
        do {
            _ = try ProcessOutput.decode(Self.json(members), now: Fixture.now)
            Issue.record("accepted \(field)")
        } catch {
            #expect(error.description.hasPrefix("credential_process"))
            #expect(!error.description.contains(Fixture.secret) && !error.description.contains(Fixture.token))
        }
    }

    @Test func notJSONIsOneLineWithoutTheOutput() {
        for text in ["AccessKeyId=\(Fixture.secret)", "[\"\(Fixture.secret)\"]", "{\"Version\": 1, \"SecretAccessKey\": \"\(Fixture.secret)\""] {
            #expect(throws: CredentialError.self) { try ProcessOutput.decode(Array(text.utf8), now: Fixture.now) }
            do { _ = try ProcessOutput.decode(Array(text.utf8), now: Fixture.now) } catch {
                #expect(!error.description.contains(Fixture.secret))
            }
        }
    }

    @Test func helperEnvironmentDropsReplacedCredentials() {
        let env = ProcessProvider.helperEnvironment(["PATH=/bin", "AWS_ACCESS_KEY_ID=old", "AWS_SESSION_TOKEN=t",
                                                     "AWS_PROFILE=p", "AWS_REGION=eu-west-1", "HOME=/h"])
        #expect(env == ["PATH=/bin", "AWS_PROFILE=p", "AWS_REGION=eu-west-1", "HOME=/h"])
    }
}

/// The helper runner with real processes: `sh -c` scripts written here.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HelperProcessTests {
    /// The helper's run, on a thread of its own (it waits for the helper, up to its stop timeout).
    func run(_ script: String, millis: Int64 = 5000, limit: Int = 64 * 1024) async throws(CredentialError) -> HelperProcess.Outcome {
        try await offThePool { () -> Result<HelperProcess.Outcome, CredentialError> in
            Result { () throws(CredentialError) in
                try HelperProcess.run(["/bin/sh", "-c", script], environment: ["PATH=/usr/bin:/bin"], limit: limit,
                                      wait: Wait(millis: millis, clock: SystemClock()))
            }
        }.get()
    }

    @Test func collectsStdoutAndStatus() async throws {
        let outcome = try await run("printf '{\"a\":1}'; echo err >&2; read x; exit 3")
        #expect(outcome.stdout == Array("{\"a\":1}".utf8))
        #expect(outcome.exit == .exited(3))
    }

    @Test func stdinIsDevNullNotOurs() async throws {
        // Our stdin made a pipe holding a line, for the length of this run: the helper must not get it.
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let saved = dup(0)
        dup2(fds[0], 0)
        _ = write(fds[1], "ours\n", 5)
        defer { dup2(saved, 0); close(saved); close(fds[0]); close(fds[1]) }
        let outcome = try await run("readlink /proc/self/fd/0; if read line; then echo \"got $line\"; else echo eof; fi")
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "/dev/null\neof\n")
    }

    @Test func hangingHelperIsTerminated() async {
        let start = SystemClock().monotonicMillis()
        await #expect { try await run("sleep 30", millis: 300) } throws: { error in
            (error as? CredentialError)?.description.contains("did not finish in time; stopped it (SIGTERM)") == true
        }
        #expect(SystemClock().monotonicMillis() - start < 20_000)
    }

    @Test func helperIgnoringTermIsKilled() async throws {
        // The helper's pid comes back in a file of our own.
        let file = "/tmp/wrc-helper-pid-\(getpid())-\(SystemClock().monotonicMillis())"
        defer { unlink(file) }
        await #expect { try await run("trap '' TERM; echo $$ > \(file); while :; do sleep 1; done", millis: 300) } throws: { error in
            (error as? CredentialError)?.description.contains("SIGTERM, then SIGKILL") == true
        }
        let text = (try? readSmallFile(file, limit: 64)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } ?? ""
        let pid = pid_t(text.split(separator: "\n").first ?? "") ?? 0
        #expect(pid > 0 && kill(pid, 0) != 0, "the helper \(pid) is still there")
    }

    @Test func grandchildHoldingStdoutDoesNotHold() async throws {
        // The grandchild keeps stdout open for 30 s; the helper's exit ends the read.
        let outcome = try await run("(sleep 30 &) ; echo done", millis: 10_000)
        #expect(outcome.stdout == Array("done\n".utf8))
        #expect(outcome.exit == .exited(0))
    }

    @Test func tooMuchOutputIsRefused() async {
        await #expect { try await run("head -c 70000 /dev/zero; sleep 30", limit: 64 * 1024) } throws: { error in
            (error as? CredentialError)?.description.contains("more than 64 KiB") == true
        }
    }

    @Test func missingProgramIsOneLine() async {
        #expect { try HelperProcess.run(["/nonexistent/helper"], environment: [], limit: 1024,
                                        wait: Wait(millis: 1000, clock: SystemClock())) } throws: { error in
            (error as? CredentialError)?.description == "cannot run credential_process: /nonexistent/helper: command not found"
        }
    }

}

/// The supervisor's reaper pass beside a credential helper. Apart from HelperProcessTests: it waits
/// (ReapLock) until no launcher of LauncherTests is left unreaped, and must not hold those tests up.
@Suite(.timeLimit(.minutes(3))) struct ReaperPassTests {
    @Test func ownedChildIsLeftToItsOwner() async throws {
        try await ReapLock.exclusively { try ownedChildIsLeftToItsOwnerAlone() }
    }

    /// The reaper pass collects every exited child of this process: run only under `ReapLock`.
    func ownedChildIsLeftToItsOwnerAlone() throws {
        // An exited helper that a reaper pass (the supervisor's) meets must stay for its owner to reap.
        let ownership = ChildOwnership()
        let processes = LinuxProcesses(ownership: ownership)
        let owned = try ownership.start { () throws(SpawnError) -> pid_t in
            try Spawn.spawn(["/bin/sh", "-c", "exit 7"], environment: [], ownGroup: false)
        }
        let other = try Spawn.spawn(["/bin/sh", "-c", "exit 3"], environment: [], ownGroup: false)
        var reaped: [pid_t: Int32] = [:]
        // Until the unowned one is reaped (bounded): by then the owned one has long exited too.
        for _ in 0..<500 where reaped[other] == nil {
            #expect(!processes.adoptedOrphans(except: nil).contains(owned))
            for (pid, status) in processes.reap() { reaped[pid] = status }
            sleepMillis(10)
        }
        #expect(reaped[other].flatMap(ChildExit.init(waitStatus:)) == .exited(3))
        #expect(reaped[owned] == nil)
        let status = HelperProcess.reapIfExited(owned, block: true)
        #expect(status.flatMap(ChildExit.init(waitStatus:)) == .exited(7))
        ownership.release(owned)
    }
}
