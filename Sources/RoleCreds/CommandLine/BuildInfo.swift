import CSystem

/// Which binary this is: the version, commit and target scripts/build-release gave the compiler
/// (CSystem's `WRC_BUILD_*`), so a bug report names the exact build.
public enum BuildInfo {
    /// The release version (`0.2.0`, from the tag or scripts/package's VERSION); `0.0.0-dev` outside a release build.
    public static var version: String { String(cString: csys_build_version()) }
    /// The commit it was built from (`abc1234`, `-dirty` when tracked files differed); `unknown` outside a release build.
    public static var commit: String { String(cString: csys_build_commit()) }
    /// The target (`x86_64-linux-static`), from scripts/arch's table; `development build` outside a release build.
    public static var target: String { String(cString: csys_build_target()) }

    /// The `--version` line: `with-role-creds 0.2.0 (abc1234, x86_64-linux-static)`.
    public static var versionLine: String { "with-role-creds \(version) (\(commit), \(target))" }
}
