import Foundation
import Testing
@testable import RoleCreds

/// Runs `script` with `sh` inside a fresh network namespace (`unshare --net`) whose loopback carries
/// the metadata addresses: traffic to them never leaves the namespace. Needs root, as in CI.
func inNetworkNamespace(_ script: String, addresses: [String], timeout: Double = 60) async throws -> RunResult {
    var setup = "set -e; ip link set lo up\n"
    for address in addresses {
        setup += address.contains(":") ? "ip -6 addr add \(address)/128 dev lo nodad\n" : "ip addr add \(address)/32 dev lo\n"
    }
    let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MOCK": Paths.mock,
               "WRC": Paths.launcher, "LC_ALL": "C"]
    return try await Running("/usr/bin/unshare", ["--net", "sh", "-c", setup + "set +e\n" + script], environment: env).wait(timeout: timeout)
}

/// Starts the mock on `listen` in the background and waits for it (shell snippet).
func startMock(_ listen: String, _ arguments: String = "") -> String {
    """
    dir=$(mktemp -d); trap 'kill $mock 2>/dev/null; rm -rf "$dir"' EXIT
    "$MOCK" --listen '\(listen)' --url-file "$dir/url" --log "$dir/log" \(arguments) >/dev/null 2>&1 & mock=$!
    i=0; while [ ! -s "$dir/url" ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i+1)); done

    """
}

@Suite(.serialized, .timeLimit(.minutes(2)))
struct NamespaceTests {
    @Test func defaultEndpointIs169_254_169_254() async throws {
        let result = try await inNetworkNamespace(startMock("169.254.169.254:80") + """
            "$WRC" -- sh -c 'echo "$AWS_ACCESS_KEY_ID $AWS_REGION"'
            echo "requests: $(wc -l < "$dir/log")"
            """, addresses: ["169.254.169.254"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ASIAMOCK000000000001 eu-west-1"), "\(result.stdout)")
        #expect(result.stdout.contains("requests: 4"))
    }

    @Test func ipv6ModeUsesFd00Ec2_254() async throws {
        let result = try await inNetworkNamespace(startMock("[fd00:ec2::254]:80") + """
            AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=ipv6 "$WRC" -- sh -c 'echo "$AWS_ACCESS_KEY_ID"'
            """, addresses: ["fd00:ec2::254"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ASIAMOCK000000000001"), "\(result.stdout)")
    }

    @Test func ipv4DefaultIsNotUsedInIPv6Mode() async throws {
        // The mock listens on the IPv4 address only: IPv6 mode must not find it.
        let result = try await inNetworkNamespace(startMock("169.254.169.254:80") + """
            AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 "$WRC" --timeout 200ms -- true
            """, addresses: ["169.254.169.254", "fd00:ec2::254"])
        #expect(result.status == 125)
        #expect(result.stderr.contains("[fd00:ec2::254]"), "\(result.stderr)")
    }
}
