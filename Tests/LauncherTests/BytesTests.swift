import Foundation
import Testing
@testable import RoleCreds

/// Like `env`, the launcher passes the command's arguments and inherited environment through as bytes,
/// UTF-8 or not. The bytes are made by `printf` in a shell, not by the test's own
/// Swift strings, so nothing of the code under test produces them.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct BytesTests {
    func run(_ script: String, mock: Mock) async throws -> RunResult {
        let dir = TempDir()
        let env = baseEnvironment().merging(["WRC": Paths.launcher, "URL": mock.url, "DIR": dir.url.path]) { $1 }
        return try await Running("/bin/sh", ["-c", script], environment: env).wait(timeout: 30)
    }

    @Test func anArgumentThatIsNotUTF8ReachesTheCommand() async throws {
        let mock = try await Mock()
        let result = try await run("""
            f="$DIR/$(printf 'caf\\351.txt')"
            printf 'latin-1 file\\n' > "$f"
            "$WRC" --imds-endpoint "$URL" -- cat "$f"
            """, mock: mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "latin-1 file\n")
    }

    @Test func anEnvironmentValueThatIsNotUTF8ArrivesUnchanged() async throws {
        let mock = try await Mock()
        // The child prints its own entry from /proc/self/environ as hex.
        let result = try await run("""
            WRC_BYTE="$(printf 'a\\377b\\351')" "$WRC" --imds-endpoint "$URL" -- \
              sh -c 'cat /proc/self/environ | tr "\\0" "\\n" | grep -a "^WRC_BYTE=" | od -An -tx1 | tr -s " \\n" " "'
            """, mock: mock)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == " 57 52 43 5f 42 59 54 45 3d 61 ff 62 e9 0a ", "\(result.stdout)")
    }

    @Test func aCommandNameThatIsNotUTF8IsReportedWithHexEscapes() async throws {
        let mock = try await Mock()
        let result = try await run("\"$WRC\" --imds-endpoint \"$URL\" -- \"$DIR/$(printf 'caf\\351')\"", mock: mock)
        #expect(result.status == 127)
        #expect(result.stderr.hasSuffix("caf\\xE9: command not found\n"), "\(result.stderr)")
    }
}
