/// The agent's protocol (spec §10, README "The agent"): over its Unix socket, each message is one line of
/// compact JSON ended by `\n`, at most `maxLine` bytes, with `"v": 1`. The client sends one request; the
/// agent answers `{"v":1,"status":"fetching"}` at once when it has to fetch, then one final answer, and
/// closes. Pure: encoding and decoding only.
public enum AgentProtocol {
    public static let version = 1
    /// The longest line either side accepts (a request with a 10 KiB session policy fits many times).
    public static let maxLine = 64 * 1024
}

/// A mistake in a message: a sentence that names the member at fault, never a value.
public struct AgentProtocolError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What a client asks.
public enum AgentRequest: Equatable, Sendable {
    /// The credentials of `plan`, valid for at least `refreshBeforeMillis` more when the agent can have
    /// them; `mfaCode`: the code a launch read from its terminal for the plan's MFA device (reserved).
    case get(AgentPlan, refreshBeforeMillis: Int64, mfaCode: String?)
    /// How many plans it holds, its pid.
    case status
    /// End the agent.
    case stop

    /// The request as one line, newline included.
    public var line: String {
        var members: [(String, JSON)] = [("v", .number(String(AgentProtocol.version)))]
        switch self {
        case .get(let plan, let refreshBefore, let code):
            members += [("op", .string("get")), ("refreshBefore", .number(String(refreshBefore))), ("plan", plan.wire)]
            if let code { members.append(("mfaCode", .string(code))) }
        case .status: members.append(("op", .string("status")))
        case .stop: members.append(("op", .string("stop")))
        }
        return JSON.object(members).compactText + "\n"
    }

    /// Reads one request line (without its newline).
    public static func decode(_ line: [UInt8]) throws(AgentProtocolError) -> AgentRequest {
        let json: JSON
        do { json = try JSON.parse(line) } catch { throw AgentProtocolError("the request is not JSON: \(error)") }
        let r = Reader(json: json, path: "request")
        guard try r.int("v") == AgentProtocol.version else {
            throw AgentProtocolError("protocol version not understood (this agent speaks \(AgentProtocol.version))")
        }
        switch try r.string("op") {
        case "get":
            let refreshBefore = Int64(try r.int("refreshBefore", in: 0...86_400_000))
            return .get(try AgentPlan.decode(try r.member("plan")), refreshBeforeMillis: refreshBefore,
                        mfaCode: try r.optionalString("mfaCode"))
        case "status": return .status
        case "stop": return .stop
        default: throw AgentProtocolError("request: unknown op")
        }
    }
}

/// What the agent answers.
public enum AgentAnswer: Equatable, Sendable {
    /// Sent at once when the credentials must be fetched first: the agent is alive and working.
    case fetching
    /// The credentials; `fetchedAtMillis` is when the agent got them (Unix ms); `cached`: from memory.
    case credentials(Credentials, region: String?, fetchedAtMillis: Int64, cached: Bool)
    /// The fetch failed, or the request was refused: the sentence to show the user.
    case failure(String, transient: Bool)
    /// The plan needs an MFA code: the launch with the terminal asks for it and sends it (reserved).
    case needsMFA(serial: String)
    case status(pid: Int32, plans: Int)
    case stopping

    /// The answer as one line, newline included.
    public var line: String {
        var members: [(String, JSON)] = [("v", .number(String(AgentProtocol.version)))]
        switch self {
        case .fetching: members.append(("status", .string("fetching")))
        case .credentials(let c, let region, let fetchedAt, let cached):
            var document: [(String, JSON)] = [("AccessKeyId", .string(c.accessKeyId)), ("SecretAccessKey", .string(c.secretAccessKey.reveal())),
                                              ("Token", .string(c.sessionToken.reveal())), ("Expiration", .number(String(c.expiration)))]
            if let account = c.accountId { document.append(("AccountId", .string(account))) }
            if let arn = c.roleArn { document.append(("RoleArn", .string(arn))) }
            members += [("status", .string("ok")), ("credentials", .object(document)), ("region", region.map(JSON.string) ?? .null),
                        ("fetchedAt", .number(String(fetchedAt))), ("cached", .bool(cached))]
        case .failure(let message, let transient):
            members += [("status", .string("error")), ("error", .string(message)), ("transient", .bool(transient))]
        case .needsMFA(let serial): members += [("status", .string("mfa")), ("serial", .string(serial))]
        case .status(let pid, let plans):
            members += [("status", .string("running")), ("pid", .number(String(pid))), ("plans", .number(String(plans)))]
        case .stopping: members.append(("status", .string("stopping")))
        }
        return JSON.object(members).compactText + "\n"
    }

    /// Reads one answer line (without its newline).
    public static func decode(_ line: [UInt8]) throws(AgentProtocolError) -> AgentAnswer {
        let json: JSON
        do { json = try JSON.parse(line) } catch { throw AgentProtocolError("the answer is not JSON: \(error)") }
        let r = Reader(json: json, path: "answer")
        guard try r.int("v") == AgentProtocol.version else { throw AgentProtocolError("the agent speaks another protocol version") }
        switch try r.string("status") {
        case "fetching": return .fetching
        case "ok":
            let d = Reader(json: try r.member("credentials"), path: "answer.credentials")
            let credentials = Credentials(accessKeyId: try d.string("AccessKeyId"), secretAccessKey: Secret(try d.string("SecretAccessKey")),
                                          sessionToken: Secret(try d.string("Token")), expiration: Int64(try d.int("Expiration")),
                                          accountId: try d.optionalString("AccountId"), roleArn: try d.optionalString("RoleArn"))
            return .credentials(credentials, region: try r.optionalString("region"), fetchedAtMillis: Int64(try r.int("fetchedAt")),
                                cached: try r.bool("cached"))
        case "error": return .failure(try r.string("error"), transient: try r.bool("transient"))
        case "mfa": return .needsMFA(serial: try r.string("serial"))
        case "running": return .status(pid: Int32(clamping: try r.int("pid")), plans: try r.int("plans"))
        case "stopping": return .stopping
        default: throw AgentProtocolError("answer: unknown status")
        }
    }
}
