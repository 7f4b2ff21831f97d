/// The agent's protocol (spec §10, README "The agent"): over its Unix socket, each message is one line of
/// compact JSON ended by `\n`, at most `maxLine` bytes, with `"v": 2`. The client sends one request; the
/// agent answers `{"v":2,"status":"fetching"}` at once when it has to fetch, then one final answer, and
/// closes. Pure: encoding and decoding only.
public enum AgentProtocol {
    /// 2 since MFA chains are served: an agent of version 1 would ignore their MFA serials and codes and
    /// fetch without them, so the versions refuse each other and the launch fetches by itself.
    public static let version = 2
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
    /// them; `mfaCodes`: MFA serial → the code a launch read from its terminal, after a `needsMFA` answer.
    case get(AgentPlan, refreshBeforeMillis: Int64, mfaCodes: [String: Secret])
    /// How many plans it holds, its pid.
    case status
    /// End the agent.
    case stop

    /// The request as one line, newline included.
    public var line: String {
        var members: [(String, JSON)] = [("v", .number(String(AgentProtocol.version)))]
        switch self {
        case .get(let plan, let refreshBefore, let codes):
            members += [("op", .string("get")), ("refreshBefore", .number(String(refreshBefore))), ("plan", plan.wire)]
            if !codes.isEmpty {
                members.append(("mfaCodes", .object(codes.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value.reveal())) })))
            }
        case .status: members.append(("op", .string("status")))
        case .stop: members.append(("op", .string("stop")))
        }
        return JSON.object(members).compactText + "\n"
    }

    /// Reads one request line (without its newline).
    public static func decode(_ line: [UInt8]) throws(AgentProtocolError) -> AgentRequest {
        let r = try Reader(line: line, path: "request",
                           otherVersion: "protocol version not understood (this agent speaks \(AgentProtocol.version))")
        switch try r.string("op") {
        case "get":
            let refreshBefore = Int64(try r.int("refreshBefore", in: 0...86_400_000))
            return .get(try AgentPlan.decode(try r.member("plan")), refreshBeforeMillis: refreshBefore,
                        mfaCodes: try decodeCodes(r.json["mfaCodes"]))
        case "status": return .status
        case "stop": return .stop
        default: throw AgentProtocolError("request: unknown op")
        }
    }

    /// `{"SERIAL": "123456", …}`: each serial an MFA device's, each code 6 digits; never quoted back.
    static func decodeCodes(_ json: JSON?) throws(AgentProtocolError) -> [String: Secret] {
        guard let json, json != .null else { return [:] }
        guard case .object(let members) = json, members.count <= 16 else {
            throw AgentProtocolError("request: mfaCodes must be an object of at most 16 serials")
        }
        var codes: [String: Secret] = [:]
        for (serial, value) in members {
            guard IAMValues.isMFASerial(serial), case .string(let code) = value, IAMValues.isMFACode(code) else {
                throw AgentProtocolError("request: mfaCodes must map MFA device serials to 6-digit codes")
            }
            codes[serial] = Secret(code)
        }
        return codes
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
    /// The plan needs MFA codes the agent does not hold a result for: the launch with the terminal asks
    /// for the code of each of `serials` and sends the request again with them.
    case needsMFA(serials: [String])
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
        case .needsMFA(let serials): members += [("status", .string("mfa")), ("serials", .array(serials.map(JSON.string)))]
        case .status(let pid, let plans):
            members += [("status", .string("running")), ("pid", .number(String(pid))), ("plans", .number(String(plans)))]
        case .stopping: members.append(("status", .string("stopping")))
        }
        return JSON.object(members).compactText + "\n"
    }

    /// Reads one answer line (without its newline).
    public static func decode(_ line: [UInt8]) throws(AgentProtocolError) -> AgentAnswer {
        let r = try Reader(line: line, path: "answer", otherVersion: "the agent speaks another protocol version")
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
        case "mfa":
            guard case .array(let items)? = r.json["serials"], !items.isEmpty else { throw AgentProtocolError("answer: serials must be a list") }
            var serials: [String] = []
            for case .string(let serial) in items { serials.append(serial) }
            guard serials.count == items.count else { throw AgentProtocolError("answer: serials must be strings") }
            return .needsMFA(serials: serials)
        case "running": return .status(pid: Int32(clamping: try r.int("pid")), plans: try r.int("plans"))
        case "stopping": return .stopping
        default: throw AgentProtocolError("answer: unknown status")
        }
    }
}
