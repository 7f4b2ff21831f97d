/// The text of `--help` and `--version`.
public enum HelpText {
    public static let version = "with-role-creds 0.1.0"

    /// Where descriptions start in the option lists: every line of `usage` fits 80 columns.
    static let descriptionColumn = 29

    public static let usage = """
    Usage: with-role-creds [OPTIONS] -- COMMAND [ARG...]
           with-role-creds --check [--json] [OPTIONS]

    Runs COMMAND with the temporary credentials of the role this machine, container
    or pod runs under, in COMMAND's environment only, and supervises it. Sources,
    as the AWS SDKs try them: web identity (EKS IRSA, OIDC CI), the container
    endpoint (ECS, CodeBuild, EKS Pod Identity), EC2 instance metadata (IMDSv2).
    Nothing is written to disk; the launcher's own environment is left alone.

    Credentials:
      --source SOURCE            auto (default), web-identity, container or imds
      --profile NAME             profile of the AWS config file (or AWS_PROFILE)
      --role-arn ARN             web identity role (or AWS_ROLE_ARN)
      --web-identity-token-file PATH
                                 web identity token (or AWS_WEB_IDENTITY_TOKEN_FILE)
      --assume-role ARN          then assume this role: COMMAND gets its keys
      --role-session-name NAME   STS session name (or AWS_ROLE_SESSION_NAME)
      --external-id ID           STS external id for --assume-role
      --duration DURATION        STS session length, 15m to 12h
      --session-policy FILE      JSON session policy: COMMAND gets at most what
                                 both the role and the policy allow

    Instance metadata:
      --role NAME                IMDS role name, skips discovery
                                 (or AWS_EC2_INSTANCE_PROFILE_NAME)
      --imds-endpoint URL        (or AWS_EC2_METADATA_SERVICE_ENDPOINT,
                                 AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE)
      --allow-imdsv1             permit the unauthenticated IMDSv1 fallback
                                 (AWS_EC2_METADATA_V1_DISABLED=true refuses it)
      --timeout DURATION         per request, connect + read (default 1s;
                                 or AWS_METADATA_SERVICE_TIMEOUT in seconds)
      --attempts N               attempts per request (default 3;
                                 or AWS_METADATA_SERVICE_NUM_ATTEMPTS)

    COMMAND:
      --no-region                do not set AWS_REGION / AWS_DEFAULT_REGION
      --no-core-dumps            COMMAND may not write a core file with its
                                 keys (its RLIMIT_CORE is set to 0)
      --on-rotate none|restart|signal[:SIG]
                                 what happens to COMMAND when the credentials
                                 rotate (default none; signal needs --serve)
      --refresh-before DURATION  refresh this long before expiry (default 15m)
      --stop-signal SIG          signal that stops COMMAND (default TERM)
      --stop-timeout DURATION    wait this long before SIGKILL (default 10s)
      --serve                    serve credentials on a local endpoint instead
                                 of static keys
      --exec                     replace this process with COMMAND
                                 (no supervision, no rotation)

    Other:
      --check                    fetch once, print a summary without secrets, exit
      --json                     with --check: the summary as one JSON object
      -v, --verbose              say what is fetched, on stderr
      -q, --quiet                print only errors
      --version                  print the version
      -h, --help                 print this help

    DURATION: 90, 90s, 15m, 1h, 1h30m, 500ms.  SIG: HUP, SIGHUP or a number.

    Exit status: COMMAND's; if COMMAND dies of a signal, so does the launcher.
      125  the launcher failed (usage, configuration, credentials)
      126  COMMAND was found but could not be run
      127  COMMAND was not found
    """
}
