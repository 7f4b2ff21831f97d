import Foundation
import Testing
@testable import RoleCreds

/// What a hostile local process or endpoint could still do, each as a user meets it:
/// core files of the command, token files that are not files, host names that look like addresses.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HardeningTests {
    // MARK: --no-core-dumps

    /// The command's `RLIMIT_CORE` as it reads it, and whether it can raise the soft limit again.
    func coreLimitSeenByTheCommand(_ options: [String], mock: Mock) async throws -> RunResult {
        // The launcher starts with a non-zero limit (soft 4096, hard 8192 bytes), so "inherited" and
        // "zero" differ whatever limit the test runner has.
        let probe = "grep '^Max core file size' /proc/self/limits; ulimit -S -c 8 2>/dev/null && echo raised || echo fixed"
        return try await Running("/usr/bin/prlimit", ["--core=4096:8192", Paths.launcher, "--imds-endpoint", mock.url]
                                               + options + ["--", "sh", "-c", probe],
                           environment: baseEnvironment()).wait()
    }

    @Test(arguments: [[], ["--exec"], ["--on-rotate", "restart"]])
    func noCoreDumpsGivesTheCommandACoreLimitOfZero(mode: [String]) async throws {
        let mock = try await Mock()
        let without = try await coreLimitSeenByTheCommand(mode, mock: mock)
        #expect(without.status == 0, "\(without.stderr)")
        let inherited = without.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init) ?? []
        #expect(inherited.suffix(3) == ["4096", "8192", "bytes"], "without the option the limit is inherited: \(without.stdout)")
        #expect(without.stdout.hasSuffix("raised\n"), "\(without.stdout)")

        let with = try await coreLimitSeenByTheCommand(["--no-core-dumps"] + mode, mock: mock)
        #expect(with.status == 0, "\(with.stderr)")
        let limit = with.stdout.split(separator: "\n").first?.split(separator: " ").map(String.init) ?? []
        #expect(limit.suffix(3) == ["0", "0", "bytes"], "soft and hard limit 0: \(with.stdout)")
        #expect(with.stdout.hasSuffix("fixed\n"), "the command raised its limit again: \(with.stdout)")
    }

    @Test func noCoreDumpsWithCheckIsAUsageError() async throws {
        let result = try await launch(["--check", "--no-core-dumps"])
        #expect(result.status == 125)
        #expect(result.stderrLines == ["with-role-creds: --no-core-dumps applies to COMMAND; --check runs none"], "\(result.stderr)")
    }

    // MARK: token files that are not regular files

    /// A container full URI on loopback whose token file is `path`: the launcher's run to its end.
    func launchWithTokenFile(_ path: String, mock: Mock) async throws -> RunResult {
        try await launch(["--", "sh", "-c", "echo ran"], environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": path,
        ], timeout: 20)
    }

    @Test func aFIFOAsTheContainerTokenFileFailsAtOnceInsteadOfHanging() async throws {
        let mock = try await Mock(["--container-token", "t"])
        let dir = TempDir()
        let fifo = dir.path("token")
        #expect(mkfifo(fifo, 0o600) == 0)
        // No writer ever opens it: a blocking open(2) would wait for one for good (fifo(7)); the run's
        // deadline then kills the launcher and records the hang.
        let result = try await launchWithTokenFile(fifo, mock: mock)
        #expect(result.status == 125, "\(result)")
        #expect(result.stderrLines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(fifo)") && result.stderr.contains("not a regular file"),
                "\(result.stderr)")
        #expect(result.stdout.isEmpty, "the command ran")
        #expect(mock.log().isEmpty, "the endpoint was asked without a token: \(mock.log())")
    }

    @Test func aDirectoryOrAnOversizedTokenFileIsOneLineAnd125() async throws {
        let mock = try await Mock(["--container-token", "t"])
        let dir = TempDir()
        let folder = dir.path("folder")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let big = dir.path("big")
        try String(repeating: "t", count: 17 * 1024).write(toFile: big, atomically: true, encoding: .utf8)
        for (path, reason) in [(folder, "not a regular file"), (big, "larger than 16 KiB")] {
            let result = try await launchWithTokenFile(path, mock: mock)
            #expect(result.status == 125, "\(path): \(result)")
            #expect(result.stderrLines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains(path) && result.stderr.contains(reason), "\(result.stderr)")
            #expect(!result.stderr.contains("tttttttt"), "the token file's content was shown")
            #expect(result.stdout.isEmpty, "the command ran")
        }
        #expect(mock.log().isEmpty, "\(mock.log())")
    }

    @Test func sigtermDuringStartUpEndsTheLauncherAtOnce() async throws {
        // The endpoint takes the request and never answers: the launcher is inside its start-up fetch,
        // with a deadline far away (3 attempts of 20 s), when SIGTERM comes.
        let dir = TempDir()
        try "t\n".write(toFile: dir.path("token"), atomically: true, encoding: .utf8)
        let mock = try await Mock(["--container-token", "t", "--fault", "stall"])
        let run = try Running(Paths.launcher, ["--timeout", "20s", "--", "sh", "-c", "echo ran"],
                              environment: baseEnvironment().merging([
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI": mock.url + "/v1/credentials",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir.path("token")]) { $1 })
        _ = await eventually { mock.log().contains { $0.contains("stall") } || !run.isRunning }
        #expect(mock.log().contains { $0.contains("auth=t ") && $0.contains("stall") }, "the request never arrived: \(mock.log())")
        kill(run.pid, SIGTERM)
        let result = await run.wait(timeout: 15)
        #expect(result.signal == SIGTERM, "the launcher did not die of SIGTERM: \(result)")
        #expect(result.stdout.isEmpty, "the command ran")
    }

    // MARK: host names that look like addresses, inside a private network namespace

    /// Full URIs whose host is no address `inet_pton` reads, nor `localhost`: `127.0.0.08` (8 is no
    /// octal digit, so getaddrinfo would ask DNS), the numbers-and-dots forms inet_aton(3) also reads
    /// (`0x7f.1`, `2130706433`, `127.1`, `0x7f000001`, `017700000001`) and a DNS name for loopback.
    static let lookalikeHosts = ["127.0.0.08", "0x7f.1", "2130706433", "127.1", "0x7f000001", "017700000001", "127.0.0.1.nip.io"]

    @Test func hostsThatLookNumericNeverReachTheResolverNorSendTheToken() async throws {
        // In a namespace of its own (network and mounts): a resolver at 10.0.0.53 that answers every name
        // with 10.0.0.8, where an endpoint waits that accepts the pod token. /etc/resolv.conf names that
        // resolver in this mount namespace only.
        let dns = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures/fake_dns.py").path
        var script = """
            set -e
            ip link set lo up
            ip addr add 10.0.0.8/32 dev lo
            ip addr add 10.0.0.53/32 dev lo
            dir=$(mktemp -d)
            trap 'kill $mock $dns 2>/dev/null; rm -rf "$dir"' EXIT
            printf 'nameserver 10.0.0.53\\noptions timeout:1 attempts:1\\n' > "$dir/resolv.conf"
            mount --bind "$dir/resolv.conf" /etc/resolv.conf
            python3 -B "$DNS" --listen 10.0.0.53 --answer 10.0.0.8 --log "$dir/dns.log" --ready "$dir/dns.ready" & dns=$!
            "$MOCK" --listen 10.0.0.8:8080 --container-token pod-token-1 --url-file "$dir/url" --log "$dir/mock.log" >/dev/null 2>&1 & mock=$!
            i=0; while { [ ! -e "$dir/dns.ready" ] || [ ! -s "$dir/url" ]; } && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done
            set +e
            touch "$dir/dns.log" "$dir/mock.log"

            """
        for host in Self.lookalikeHosts {
            script += """
                AWS_CONTAINER_CREDENTIALS_FULL_URI=http://\(host):8080/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN=pod-token-1 \\
                  "$WRC" -- sh -c 'echo ran' > "$dir/out" 2> "$dir/err"
                echo "run \(host) status=$? out=$(cat "$dir/out") err=$(cat "$dir/err")"

                """
        }
        script += """
            echo "dns after the runs: $(wc -l < "$dir/dns.log")"
            echo "endpoint after the runs: $(wc -l < "$dir/mock.log")"
            # Controls: the resolver answers in this namespace, and the endpoint takes the token when asked.
            echo "control resolve: $(getent ahostsv4 creds.example | head -n 1)"
            echo "control dns: $(cat "$dir/dns.log" | head -n 1)"
            python3 -B -c 'import urllib.request; urllib.request.urlopen(urllib.request.Request("http://10.0.0.8:8080/v1/credentials", headers={"Authorization": "pod-token-1"}))' \\
              && echo "control endpoint: $(cat "$dir/mock.log")"
            """
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MOCK": Paths.mock, "WRC": Paths.launcher,
                   "DNS": dns, "LC_ALL": "C", "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/"]
        let result = try await Running("/usr/bin/unshare", ["--net", "--mount", "sh", "-c", script], environment: env).wait(timeout: 90)
        let output = result.stdout.split(separator: "\n").map(String.init)
        for host in Self.lookalikeHosts {
            let line = output.first { $0.hasPrefix("run \(host) ") } ?? "no run line for \(host): \(result.stdout) \(result.stderr)"
            #expect(line.contains("status=125 out= err=with-role-creds: AWS_CONTAINER_CREDENTIALS_FULL_URI: host \(host) is not allowed"),
                    "\(line)")
        }
        #expect(output.contains("dns after the runs: 0"), "a look-alike host reached the resolver: \(result.stdout)")
        #expect(output.contains("endpoint after the runs: 0"), "the token reached 10.0.0.8: \(result.stdout)")
        #expect(output.contains { $0.hasPrefix("control resolve: 10.0.0.8 ") }, "the namespace's resolver does not answer: \(result.stdout) \(result.stderr)")
        #expect(output.contains("control dns: creds.example type=1"), "\(result.stdout)")
        #expect(output.contains { $0.hasPrefix("control endpoint: ") && $0.contains("auth=pod-token-1") }, "\(result.stdout)")
    }
}
