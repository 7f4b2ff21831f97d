import Foundation
import Testing
@testable import RoleCreds

/// `--version` names the build: a plain `swift build` says it is no release, the release build says
/// which version, commit and target it is (scripts/build-release passes them; scripts/test-package checks the
/// exact values against git and scripts/arch).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct VersionTests {
    @Test func aDevelopmentBuildSaysSo() async throws {
        let result = try await launch(["--version"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == "with-role-creds 0.0.0-dev (unknown, development build)\n")
    }

    @Test(.enabled(if: ReleaseBinary.present, "no release binary in \(ReleaseBinary.dir)"))
    func theReleaseBuildNamesItsCommitAndTarget() async throws {
        let result = try await Running(ReleaseBinary.launcher, ["--version"], environment: baseEnvironment()).wait()
        #expect(result.status == 0)
        // with-role-creds VERSION (COMMIT, ARCH-linux-static)
        let words = result.stdout.dropLast().split(separator: " ")
        #expect(words.count == 4 && words[0] == "with-role-creds" && result.stdout.hasSuffix("-linux-static)\n"), "\(result.stdout)")
        guard words.count == 4 else { return }
        #expect(words[1].first?.isNumber == true, "version \(words[1])")
        let commit = words[2].dropFirst().dropLast()   // (abc1234,
        let hash = commit.hasSuffix("-dirty") ? commit.dropLast(6) : commit
        #expect(words[2].hasPrefix("(") && words[2].hasSuffix(","), "\(result.stdout)")
        #expect(hash.count == 7 && hash.allSatisfy(\.isHexDigit), "commit \(commit) is not a short hash")
    }
}
