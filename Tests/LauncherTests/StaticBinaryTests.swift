import Foundation
import Testing
@testable import RoleCreds

/// The fully static release build that scripts/build-release makes; scripts/test names its directory
/// in `WRC_RELEASE_BIN_DIR`. Without it these tests are skipped with that reason shown, except under
/// CI (`CI` set), where a missing release binary is a failure.
enum ReleaseBinary {
    static var dir: String {
        if let dir = ProcessInfo.processInfo.environment["WRC_RELEASE_BIN_DIR"], !dir.isEmpty { return dir }
        return Paths.root.appendingPathComponent(".build/release").path
    }
    static var launcher: String { dir + "/with-role-creds" }
    static var present: Bool { FileManager.default.isExecutableFile(atPath: launcher) }
    static var required: Bool { !(ProcessInfo.processInfo.environment["CI"] ?? "").isEmpty }
}

/// A root-only shell script in private mount and network namespaces (`unshare --mount --net`): the
/// mounts it makes vanish with it and its loopback carries all its traffic.
private func inPrivateNamespaces(_ script: String, _ extra: [String: String] = [:]) async throws -> RunResult {
    let env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "MOCK": Paths.mock,
               "WRC": ReleaseBinary.launcher, "LC_ALL": "C"].merging(extra) { $1 }
    // --one-file-system: never into a bind-mounted /proc, should the unmount fail.
    let setup = "ip link set lo up || exit 1\n" + startMock("127.0.0.1:0") + """
        trap 'kill $mock 2>/dev/null; umount "$dir/root/proc" 2>/dev/null; rm -rf --one-file-system "$dir"' EXIT
        url=$(cat "$dir/url"); port=${url##*:}

        """
    return try await Running("/usr/bin/unshare", ["--mount", "--net", "sh", "-c", setup + script], environment: env).wait(timeout: 90)
}

@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: ReleaseBinary.present || ReleaseBinary.required,
                "no release binary in \(ReleaseBinary.dir): run scripts/build-release first (scripts/test does)"))
struct StaticBinaryTests {
    func requireBinary() -> Bool {
        if !ReleaseBinary.present { Issue.record("CI is set and \(ReleaseBinary.launcher) is missing: scripts/build-release must run first") }
        return ReleaseBinary.present
    }

    @Test func theReleaseBinaryIsAStaticPIEWithFullRELRO() async throws {
        guard requireBinary() else { return }
        let result = try await Running("/bin/sh", ["-c", "readelf -lW \"$1\"; readelf -d \"$1\"", "sh", ReleaseBinary.launcher],
                                 environment: baseEnvironment()).wait()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("DYN (Position-Independent Executable file)"), "not PIE")
        #expect(!result.stdout.contains("INTERP"), "asks for a dynamic loader")
        #expect(!result.stdout.contains("NEEDED"), "needs shared libraries")
        #expect(result.stdout.contains("GNU_RELRO"))
        #expect(result.stdout.contains("BIND_NOW"))
        #expect(!result.stdout.contains("RPATH") && !result.stdout.contains("RUNPATH"))
    }

    /// With an nsswitch.conf that names modules glibc would load from the host (mdns4, resolve,
    /// systemd, sss), resolving `localhost` opens no `libnss_*` and no `libc.so`: only the built-in
    /// `files` and `dns` are used (Socket.useBuiltInResolverOnly).
    @Test func resolvingAHostNameLoadsNoNSSModule() async throws {
        guard requireBinary() else { return }
        let result = try await inPrivateNamespaces("""
            printf 'hosts: mdns4 resolve systemd sss files dns\\n' > "$dir/nsswitch.conf"
            printf '127.0.0.1 localhost\\n' > "$dir/hosts"
            mount --bind "$dir/nsswitch.conf" /etc/nsswitch.conf
            mount --bind "$dir/hosts" /etc/hosts
            env -i AWS_ENDPOINT_URL_STS=http://127.0.0.1:9/ AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 PATH=/usr/bin:/bin \\
              strace -f -qq -e trace=openat,open,execve -o "$dir/trace" \\
              "$WRC" --imds-endpoint "http://localhost:$port" -- sh -c 'echo "key=$AWS_ACCESS_KEY_ID"'
            echo "status=$?"
            echo "--- trace"
            cat "$dir/trace"
            """)
        let parts = result.stdout.components(separatedBy: "--- trace\n")
        #expect(parts.first?.contains("key=ASIAMOCK000000000001") == true, "\(result.stdout) \(result.stderr)")
        #expect(parts.first?.contains("status=0") == true)
        let opened = launcherLines(parts.count > 1 ? parts[1] : "")
        #expect(!opened.isEmpty, "no trace of the launcher")
        #expect(opened.contains { $0.contains("/etc/hosts") }, "localhost was not looked up in /etc/hosts")
        let loaded = opened.filter { $0.contains("libnss_") || $0.contains("libc.so") }
        #expect(loaded.isEmpty, "the launcher opened \(loaded)")
    }

    /// The release binary alone in an empty root (only /etc/hosts and a bind-mounted /proc, which the
    /// Swift runtime reads), against the mock on loopback by the name `localhost`, starting a static
    /// child that prints the key and region it got.
    @Test func runsAloneInAnEmptyRoot() async throws {
        guard requireBinary() else { return }
        let work = TempDir()
        let source = work.path("printkey.c")
        try """
            #include <stdio.h>
            #include <stdlib.h>
            int main(void) {
                const char *key = getenv("AWS_ACCESS_KEY_ID"), *region = getenv("AWS_REGION");
                printf("key=%s region=%s\\n", key ? key : "-", region ? region : "-");
                return key ? 0 : 1;
            }
            """.write(toFile: source, atomically: true, encoding: .utf8)
        let result = try await inPrivateNamespaces("""
            root="$dir/root"
            mkdir -p "$root/etc" "$root/proc"
            cp "$WRC" "$root/with-role-creds"
            gcc -static -O2 -o "$root/printkey" "$SRC"
            printf '127.0.0.1 localhost\\n' > "$root/etc/hosts"
            mount --bind /proc "$root/proc"
            echo "files: $(cd "$root" && find . -path ./proc -prune -o -type f -print | sort | tr '\\n' ' ')"
            env -i AWS_ENDPOINT_URL_STS=http://127.0.0.1:9/ AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 \\
              "$(command -v chroot)" "$root" /with-role-creds --imds-endpoint "http://localhost:$port" -- /printkey
            echo "status=$?"
            """, ["SRC": source])
        #expect(result.stdout.contains("files: ./etc/hosts ./printkey ./with-role-creds \n"), "\(result.stdout)")
        #expect(result.stdout.contains("key=ASIAMOCK000000000001 region=eu-west-1\n"), "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("status=0"))
    }
}

/// The same check in an older distribution's root, when one is at hand: `WRC_OLD_ROOTFS` names a
/// directory made by e.g. `debootstrap --variant=minbase bullseye DIR` (glibc 2.31, older than the
/// build host's). The launcher runs there with that root's own `/etc` and starts its dynamic `env`.
private let oldRootfs = ProcessInfo.processInfo.environment["WRC_OLD_ROOTFS"] ?? ""

@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: !oldRootfs.isEmpty && ReleaseBinary.present,
                "WRC_OLD_ROOTFS names no older root (debootstrap one to run this) or the release binary is missing"))
struct OlderUserlandTests {
    @Test func runsInAnOlderDistributionsRoot() async throws {
        let result = try await inPrivateNamespaces("""
            root="$OLD"
            cp "$WRC" "$root/usr/local/bin/with-role-creds"
            # debootstrap leaves no /etc/hosts; the launcher resolves `localhost` from it.
            [ -e "$root/etc/hosts" ] || printf '127.0.0.1 localhost\n' > "$root/etc/hosts"
            mount --bind /proc "$root/proc"
            env -i AWS_ENDPOINT_URL_STS=http://127.0.0.1:9/ AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:9 PATH=/usr/bin:/bin \
              "$(command -v chroot)" "$root" /usr/local/bin/with-role-creds --imds-endpoint "http://localhost:$port" -- \
              sh -c 'echo "key=$AWS_ACCESS_KEY_ID region=$AWS_REGION"; ldd --version | head -n 1'
            echo "status=$?"
            umount "$root/proc"; rm -f "$root/usr/local/bin/with-role-creds"
            """, ["OLD": oldRootfs])
        #expect(result.stdout.contains("key=ASIAMOCK000000000001 region=eu-west-1\n"), "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("status=0"))
    }
}

/// The `strace -f` lines of the launcher itself: every process's lines up to its own `execve` of
/// another program (the child's shell is dynamic and rightly opens libc.so).
func launcherLines(_ trace: String) -> [String] {
    var execed = Set<Substring>()
    var seen = Set<Substring>()
    var lines: [String] = []
    for line in trace.split(separator: "\n") {
        guard let pid = line.split(separator: " ").first else { continue }
        if execed.contains(pid) { continue }
        let first = seen.insert(pid).inserted && lines.isEmpty
        if line.contains("execve(") && !first { execed.insert(pid); continue }
        lines.append(String(line))
    }
    return lines
}
