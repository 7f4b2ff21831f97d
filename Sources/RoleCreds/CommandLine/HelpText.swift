/// The text of `--help` and `--version`.
public enum HelpText {
    public static let version = "with-role-creds 0.1.0"

    public static let usage = """
    Usage: with-role-creds [OPTIONS] -- COMMAND [ARG...]
           with-role-creds --check

    Runs COMMAND with the temporary credentials of this machine's IAM role (EC2 instance metadata,
    IMDSv2) or of its container (ECS, CodeBuild, EKS Pod Identity) in COMMAND's environment only.
    Nothing is written to disk; the launcher's own environment is left alone.

    Options:
      --source auto|imds|container  where credentials come from (default: auto)
      --role NAME                IMDS role name, skips discovery (or AWS_EC2_INSTANCE_PROFILE_NAME)
      --imds-endpoint URL        IMDS endpoint (or AWS_EC2_METADATA_SERVICE_ENDPOINT,
                                 AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4|IPv6)
      --allow-imdsv1             permit the unauthenticated IMDSv1 fallback (refused by default;
                                 AWS_EC2_METADATA_V1_DISABLED=true refuses it even so)
      --timeout DURATION         per-request deadline, connect + read (default 1s;
                                 or AWS_METADATA_SERVICE_TIMEOUT in seconds)
      --attempts N               attempts per request (default 3; or AWS_METADATA_SERVICE_NUM_ATTEMPTS)
      --no-region                do not set AWS_REGION / AWS_DEFAULT_REGION
      --on-rotate none|restart|signal[:SIG]
                                 what happens to COMMAND when the credentials rotate (default none)
      --refresh-before DURATION  refresh this long before expiry (default 15m)
      --stop-signal SIG          signal that stops COMMAND for a restart (default TERM)
      --stop-timeout DURATION    how long a stop waits before SIGKILL (default 10s)
      --serve                    serve credentials on a local endpoint instead of static keys
      --exec                     replace this process with COMMAND (no supervision, no rotation)
      --check                    fetch once, print a summary without secrets, and exit
      -v, --verbose              say what is fetched, on stderr
      -q, --quiet                print only errors
      --version                  print the version
      -h, --help                 print this help

    DURATION: 90, 90s, 15m, 1h, 1h30m, 500ms.  SIG: HUP, SIGHUP or a number.

    Exit status: COMMAND's status; if COMMAND dies of a signal, the launcher dies of the same signal.
      125  the launcher failed (usage, configuration, credentials)
      126  COMMAND was found but could not be run
      127  COMMAND was not found
    """
}
