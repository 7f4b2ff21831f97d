import Foundation
import Testing
@testable import RoleCreds

/// Host names on the way to a secret-carrying endpoint, each inside a network
/// and mount namespace of its own: a private /etc/hosts and /etc/resolv.conf, a fake name server at
/// 10.0.0.53, nothing reaching any real network.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct NameLookupTests {
    static let fixtures = Paths.root.appendingPathComponent("Tests/LauncherTests/Fixtures").path

    /// `sh` in a fresh network + mount namespace: lo up with 10.0.0.8 and 10.0.0.53, `$dir` a temp dir,
    /// /etc/hosts without `localhost` (so the name server is asked for it), /etc/resolv.conf naming
    /// 10.0.0.53 with `resolvOptions`, and the fake name server started with `dnsArguments`.
    func inNamespace(_ script: String, resolvOptions: String, dnsArguments: String, timeout: Double = 90) async throws -> RunResult {
        let setup = """
            set -e
            ip link set lo up; ip addr add 10.0.0.8/32 dev lo; ip addr add 10.0.0.53/32 dev lo
            dir=$(mktemp -d); pids=""
            trap 'kill $pids 2>/dev/null; rm -rf "$dir"' EXIT
            printf 'nameserver 10.0.0.53\\noptions \(resolvOptions)\\n' > "$dir/resolv.conf"
            mount --bind "$dir/resolv.conf" /etc/resolv.conf
            printf '127.0.0.1 loopback-only\\n' > "$dir/hosts"
            mount --bind "$dir/hosts" /etc/hosts
            python3 -B "$FIXTURES/fake_dns.py" --listen 10.0.0.53 \(dnsArguments) --log "$dir/dns.log" --ready "$dir/dns.ready" & pids="$pids $!"
            i=0; while [ ! -e "$dir/dns.ready" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done
            touch "$dir/dns.log"
            set +e

            """
        let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MOCK": Paths.mock,
                   "WRC": Paths.launcher, "FIXTURES": Self.fixtures, "LC_ALL": "C",
                   "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9/"]
        return try await Running("/usr/bin/unshare", ["--net", "--mount", "sh", "-c", setup + script], environment: env).wait(timeout: timeout)
    }

    // MARK: item 6: http://localhost is only as good as what it resolves to

    @Test func noSecretTravelsToWhereLocalhostResolvesOverPlainHTTP() async throws {
        // The name server answers `localhost` with 10.0.0.8, where a fake STS, GitHub token service and
        // container endpoint wait (one server) and log whatever reaches them.
        let script = """
            python3 -B "$FIXTURES/fake_sts.py" --listen 10.0.0.8 --port-file "$dir/port" --log "$dir/sts.log" \\
              --github-request-token gh-bearer-secret-1 --github-jwt gh.jwt.secret --container-token pod-token-secret-1 & pids="$pids $!"
            "$MOCK" --listen 127.0.0.1:0 --url-file "$dir/imds" --log "$dir/imds.log" >/dev/null 2>&1 & pids="$pids $!"
            i=0; while { [ ! -s "$dir/port" ] || [ ! -s "$dir/imds" ]; } && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done
            port=$(cat "$dir/port"); touch "$dir/sts.log"
            echo 'file.jwt.secret' > "$dir/jwt"
            run() { name=$1; shift; env "$@" -- sh -c 'echo ran' > "$dir/out" 2> "$dir/err"
                    echo "run $name status=$? out=$(cat "$dir/out") err=$(cat "$dir/err")"; }
            run web-identity AWS_ROLE_ARN=arn:aws:iam::111122223333:role/wi AWS_WEB_IDENTITY_TOKEN_FILE="$dir/jwt" \\
                AWS_ENDPOINT_URL_STS="http://localhost:$port/" "$WRC"
            run github AWS_ROLE_ARN=arn:aws:iam::111122223333:role/gh ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh-bearer-secret-1 \\
                ACTIONS_ID_TOKEN_REQUEST_URL="http://localhost:$port/_apis/idtoken?api-version=2" "$WRC"
            run container AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:$port/container-creds" \\
                AWS_CONTAINER_AUTHORIZATION_TOKEN=pod-token-secret-1 "$WRC"
            run assume-role -u AWS_EC2_METADATA_DISABLED AWS_EC2_METADATA_SERVICE_ENDPOINT="$(cat "$dir/imds")" \\
                AWS_ENDPOINT_URL_STS="http://localhost:$port/" "$WRC" --assume-role arn:aws:iam::111122223333:role/next
            mkdir "$dir/pki"; python3 -B "$FIXTURES/make_pki.py" --dir "$dir/pki" >/dev/null
            run roles-anywhere AWS_ENDPOINT_URL_ROLESANYWHERE="http://localhost:$port" "$WRC" --source roles-anywhere \
                --certificate "$dir/pki/leaf.pem" --private-key "$dir/pki/leaf.key" \
                --trust-anchor-arn arn:aws:rolesanywhere:eu-west-1:111122223333:trust-anchor/0f1e2d3c \
                --profile-arn arn:aws:rolesanywhere:eu-west-1:111122223333:profile/4b5a6978 --role-arn arn:aws:iam::111122223333:role/ra
            echo "reached 10.0.0.8: $(wc -l < "$dir/sts.log")"
            # Controls: the name server does send localhost to 10.0.0.8, and the endpoint there answers.
            echo "control resolve: $(getent ahostsv4 localhost | head -n 1)"
            python3 -B -c 'import sys, urllib.request; urllib.request.urlopen(urllib.request.Request("http://10.0.0.8:%s/container-creds" % sys.argv[1], headers={"Authorization": "pod-token-secret-1"}))' "$port" \\
              && echo "control endpoint: $(wc -l < "$dir/sts.log")"
            """
        let result = try await inNamespace(script, resolvOptions: "timeout:1 attempts:1", dnsArguments: "--answer 10.0.0.8")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        for name in ["web-identity", "github", "container", "assume-role", "roles-anywhere"] {
            let line = lines.first { $0.hasPrefix("run \(name) ") } ?? "no line for \(name): \(result.stdout) \(result.stderr)"
            #expect(line.contains("status=125 out= err=with-role-creds: "), "\(line)")
            #expect(line.contains("localhost resolves to 10.0.0.8, which is not allowed"), "\(line)")
            for secret in ["file.jwt.secret", "gh-bearer-secret-1", "pod-token-secret-1"] { #expect(!line.contains(secret)) }
        }
        #expect(lines.contains("reached 10.0.0.8: 0"), "a secret went to 10.0.0.8: \(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("control resolve: 10.0.0.8 ") }, "\(result.stdout) \(result.stderr)")
        #expect(lines.contains("control endpoint: 1"), "\(result.stdout)")
    }

    // MARK: item 7: a name server that never answers

    /// resolv.conf options under which glibc alone would wait 2 × 30 s per lookup (and more for AAAA).
    static let patientResolver = "timeout:30 attempts:2"

    @Test func theDeadlineBoundsAHostNameLookup() async throws {
        // IMDS by name, a 1 s timeout and one attempt: a start-up budget of 4 s. The `timeout 20` guard
        // would end a launcher still waiting for glibc (status 124).
        let script = """
            timeout 20 "$WRC" --imds-endpoint http://imds.blackhole.test --timeout 1s --attempts 1 -- sh -c 'echo ran' \\
              > "$dir/out" 2> "$dir/err"
            echo "status=$? out=$(cat "$dir/out") err=$(cat "$dir/err")"
            echo "queries: $(grep -c blackhole "$dir/dns.log")"
            """
        let result = try await inNamespace(script, resolvOptions: Self.patientResolver, dnsArguments: "--silent")
        let line = result.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(line.hasPrefix("status=125 out= err=with-role-creds: "), "\(result.stdout) \(result.stderr)")
        #expect(line.contains("imds.blackhole.test"), "\(line)")
        #expect(!result.stdout.contains("queries: 0"), "the name server was never asked: \(result.stdout)")
    }

    @Test func sigtermDuringAHostNameLookupEndsTheLauncherByThatSignal() async throws {
        // The default path: web identity, STS by name (https). SIGTERM once the name server has the query.
        let script = """
            echo 'jwt' > "$dir/jwt"
            AWS_ROLE_ARN=arn:aws:iam::111122223333:role/wi AWS_WEB_IDENTITY_TOKEN_FILE="$dir/jwt" \\
              AWS_ENDPOINT_URL_STS=https://sts.blackhole.test/ "$WRC" -- sh -c 'echo ran' > "$dir/out" 2> "$dir/err" & wrc=$!
            i=0; while ! grep -q blackhole "$dir/dns.log" && [ $i -lt 1000 ]; do sleep 0.01; i=$((i+1)); done
            echo "asked: $(grep -c blackhole "$dir/dns.log")"
            kill -TERM $wrc
            ( sleep 20; kill -KILL $wrc 2>/dev/null ) & guard=$!
            wait $wrc; echo "status=$? out=$(cat "$dir/out") err=$(cat "$dir/err")"
            kill $guard 2>/dev/null
            """
        let result = try await inNamespace(script, resolvOptions: Self.patientResolver, dnsArguments: "--silent")
        #expect(!result.stdout.contains("asked: 0"), "the name server was never asked: \(result.stdout)")
        // 143 = 128 + SIGTERM as the shell reports it; 137 would be the guard's SIGKILL, 125 an error exit.
        #expect(result.stdout.split(separator: "\n").contains("status=143 out= err="), "\(result.stdout) \(result.stderr)")
    }
}
