/// The manual page `with-role-creds.1` (roff), made from `OptionTable` and the essentials of the reference
/// in docs/ (packaged with the release; `man ./with-role-creds.1` renders it).
public enum ManPage {
    /// The page; `date` (`YYYY-MM-DD`) and `version` go into its title line.
    public static func render(version: String, date: String) -> String {
        var out = [".TH WITH-ROLE-CREDS 1 \"\(date)\" \"with-role-creds \(roff(version))\" \"User Commands\""]
        out += [".SH NAME", "with\\-role\\-creds \\- run a command with the temporary credentials of a role, in its environment only",
                ".SH SYNOPSIS",
                ".B with\\-role\\-creds", "[\\fIOPTIONS\\fR] \\fB\\-\\-\\fR \\fICOMMAND\\fR [\\fIARG\\fR...]", ".br",
                ".B with\\-role\\-creds", "\\fB\\-\\-check\\fR [\\fB\\-\\-json\\fR] [\\fIOPTIONS\\fR]"]
        out += section("DESCRIPTION", description)
        for group in OptionSpec.Group.allCases {
            out.append(".SH OPTIONS: \(roff(group.rawValue.uppercased()))")
            for spec in OptionTable.all where spec.group == group {
                let names = spec.names.map { "\\fB\(roff($0))\\fR" }.joined(separator: ", ")
                out += [".TP", names + (spec.placeholder.map { " \\fI\(roff($0))\\fR" } ?? "")]
                var text = roff(spec.fullHelp)
                if let key = spec.profileKey { text += ". Profile key: \\fB\(roff(key))\\fR" }
                out.append(text + ".")
            }
        }
        out += section("DURATIONS AND SIGNALS", ["DURATION: 90, 90s, 15m, 1h, 1h30m, 500ms. SIG: HUP, SIGHUP or a number."])
        out += [".SH ENVIRONMENT"]
        for (name, text) in environment { out += [".TP", "\\fB\(roff(name))\\fR", roff(text)] }
        out += section("FILES", files)
        out += [".SH EXIT STATUS"] + exitStatus.flatMap { [".TP", "\\fB\($0.0)\\fR", roff($0.1)] }
        out += section("SECURITY", security)
        out += [".SH SEE ALSO", "\\fBaws\\fR(1), \\fBenv\\fR(1), \\fBtimeout\\fR(1); the reference in the docs/ folder of the source."]
        return out.joined(separator: "\n") + "\n"
    }

    static func section(_ title: String, _ paragraphs: [String]) -> [String] {
        [".SH \(title)"] + paragraphs.enumerated().flatMap { $0.offset == 0 ? [roff($0.element)] : [".PP", roff($0.element)] }
    }

    /// Text made safe for roff: backslashes escaped, hyphens as `\-`, a leading dot or quote guarded.
    static func roff(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            default: out.append(c)
            }
        }
        if out.hasPrefix(".") || out.hasPrefix("'") { out = "\\&" + out }
        return out
    }

    static let description = [
        "with-role-creds fetches the temporary credentials of the role that the machine, container or pod runs under, puts AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (and the region) into COMMAND's environment only, supervises COMMAND (signals, exit status, terminal) and keeps it supplied when the credentials rotate. Nothing is written to disk; the launcher's own environment is left alone.",
        "Sources, in the order the AWS SDKs try them: web identity (EKS IRSA, GitHub Actions and other OIDC CI), the container endpoint (ECS, CodeBuild, EKS Pod Identity), EC2 instance metadata (IMDSv2). A profile of the shared config file may name the source and a chain of roles to assume; --assume-role adds one more, optionally with a session policy.",
        "With --on-rotate restart the command is restarted with new keys before the old ones expire; with --serve it gets a local credential endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that the AWS SDKs poll by themselves.",
    ]

    static let environment: [(String, String)] = [
        ("AWS_PROFILE, AWS_DEFAULT_PROFILE", "the profile of the shared config file, when --profile is not given."),
        ("AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "the shared config and credentials files (default ~/.aws/config and ~/.aws/credentials)."),
        ("AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME", "web identity (EKS IRSA, OIDC CI)."),
        ("ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN", "a GitHub Actions job's OIDC token, exchanged for AWS_ROLE_ARN."),
        ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN, AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "the container credential endpoint."),
        ("AWS_EC2_METADATA_DISABLED", "true: instance metadata is never contacted."),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, AWS_EC2_METADATA_V1_DISABLED, AWS_METADATA_SERVICE_TIMEOUT, AWS_METADATA_SERVICE_NUM_ATTEMPTS", "instance metadata settings, as the SDKs read them."),
        ("AWS_REGION, AWS_DEFAULT_REGION", "the region COMMAND gets (else the profile's, else the instance's)."),
        ("AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT", "where STS is."),
        ("AWS_CA_BUNDLE, SSL_CERT_FILE, SSL_CERT_DIR", "trust for https (added to the system trust store)."),
        ("HTTPS_PROXY, NO_PROXY", "a proxy for STS (never for the metadata endpoints)."),
    ]

    static let files = [
        "~/.aws/config and ~/.aws/credentials, read as the AWS SDKs read them; a path that is not a regular file (/dev/null) reads as empty.",
    ]

    static let exitStatus: [(String, String)] = [
        ("0\\-124", "COMMAND's exit status; if COMMAND dies of a signal, so does with-role-creds."),
        ("125", "with-role-creds itself failed (usage, configuration, credentials), with one line on standard error."),
        ("126", "COMMAND was found but could not be run."),
        ("127", "COMMAND was not found."),
    ]

    static let security = [
        "Secrets go only into COMMAND's environment, into --serve answers to the holder of the endpoint's token, and to standard output where asked for explicitly; never to a file, a log line or an error message. The launcher is not dumpable. Plain http carries a token or signature only to a loopback address; https is verified against the system trust.",
    ]
}
