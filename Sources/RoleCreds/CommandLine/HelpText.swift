/// The text of `--help` and `--version`; the option lists are made from `OptionTable`.
public enum HelpText {
    public static var version: String { BuildInfo.versionLine }

    /// Where descriptions start in the option lists: every line of `usage` fits 80 columns.
    static let descriptionColumn = 29
    static let width = 80

    static let header = """
    Usage: with-role-creds [OPTIONS] -- COMMAND [ARG...]
           with-role-creds --check [--json] [OPTIONS]
           eval "$(with-role-creds --agent)"    with-role-creds --agent-stop

    Runs COMMAND with the temporary credentials of the role this machine, container
    or pod runs under, in COMMAND's environment only, and supervises it. Sources,
    as the AWS SDKs try them: web identity (EKS IRSA, OIDC CI), the container
    endpoint (ECS, CodeBuild, EKS Pod Identity), EC2 instance metadata (IMDSv2).
    Outside AWS: IAM Roles Anywhere (--source roles-anywhere), or a profile's
    credential_process helper. Nothing is written to disk; the launcher's own
    environment is left alone.
    """

    static let footer = """
    DURATION: 90, 90s, 15m, 1h, 1h30m, 500ms.  SIG: HUP, SIGHUP or a number.

    Exit status: COMMAND's; if COMMAND dies of a signal, so does the launcher.
      125  the launcher failed (usage, configuration, credentials)
      126  COMMAND was found but could not be run
      127  COMMAND was not found
    """

    /// The whole `--help` text.
    public static var usage: String {
        var lines = [header]
        for group in OptionSpec.Group.allCases {
            lines.append("\n\(group.rawValue):")
            for spec in OptionTable.all where spec.group == group { lines += optionLines(spec) }
        }
        lines.append("\n" + footer)
        return lines.joined(separator: "\n")
    }

    /// One option: its synopsis at column 3 and its description from `descriptionColumn`, on the same line
    /// when the synopsis leaves room, wrapped at word boundaries.
    static func optionLines(_ spec: OptionSpec) -> [String] {
        let indent = String(repeating: " ", count: descriptionColumn)
        let words = wrap(spec.fullHelp, width: width - descriptionColumn)
        let synopsis = "  " + spec.synopsis
        var lines: [String] = []
        var rest = words[...]
        if synopsis.count + 2 <= descriptionColumn, let first = rest.first {
            lines.append(synopsis.padding(to: descriptionColumn) + first)
            rest = rest.dropFirst()
        } else {
            lines.append(synopsis)
        }
        return lines + rest.map { indent + $0 }
    }

    /// `text` in lines of at most `width` columns, broken between words.
    public static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty { line = String(word) } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}

extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
