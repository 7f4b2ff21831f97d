import RoleCreds

struct MockUsage: Error { let message: String }

/// The mock's command line.
struct MockSettings {
    enum Mode: String { case v2, v1, both }
    var host = "127.0.0.1"
    var port: UInt16 = 0
    var mode = Mode.v2
    var role: String? = "mock-role"
    var region = "eu-west-1"
    var account = "123456789012"
    var rotateSeconds: Int64 = 0
    var generationOffset: Int64 = 0
    var lifetimeSeconds: Int64 = 6 * 3600
    var extended = true
    var maxTokenTTL = 21600
    var ttlHeader = true
    var fault = Fault.none
    var faultCount = -1
    var containerPath = "/v1/credentials"
    var containerToken: String?
    var containerTokenFile: String?
    var logPath: String?
    var urlFile: String?

    static let usage = """
    usage: imds-mock [--listen HOST:PORT] [--mode v2|v1|both] [--role NAME|--no-role] [--region R]
                     [--account ID] [--rotate SECONDS] [--lifetime SECONDS] [--generation-offset N] [--no-extended]
                     [--token-ttl N] [--no-ttl-header] [--fault KIND[:COUNT]]
                     [--container-path PATH] [--container-token T | --container-token-file F]
                     [--log FILE] [--url-file FILE]
    faults: \(Fault.allCases.map(\.rawValue).joined(separator: " "))
    run time: PUT /mock/fault (body KIND[:COUNT]), PUT /mock/rotate, PUT /mock/role (body NAME),
              GET /mock/current
    """

    static func parse(_ args: [String]) throws -> MockSettings {
        var s = MockSettings()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw MockUsage(message: "\(args[i - 1]) needs a value") }
            return args[i]
        }
        func number(_ text: String) throws -> Int64 {
            guard let n = Int64(text), n >= 0 else { throw MockUsage(message: "not a number: \(text)") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--listen":
                let v = try value()
                guard let colon = v.lastIndex(of: ":"), let port = UInt16(v[v.index(after: colon)...]) else {
                    throw MockUsage(message: "--listen wants HOST:PORT")
                }
                var host = String(v[..<colon])
                if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
                s.host = host; s.port = port
            case "--mode":
                guard let m = Mode(rawValue: try value()) else { throw MockUsage(message: "--mode is v2, v1 or both") }
                s.mode = m
            case "--role": s.role = try value()
            case "--no-role": s.role = nil
            case "--region": s.region = try value()
            case "--account": s.account = try value()
            case "--rotate": s.rotateSeconds = try number(try value())
            case "--lifetime": s.lifetimeSeconds = try number(try value())
            case "--generation-offset": s.generationOffset = try number(try value())
            case "--no-extended": s.extended = false
            case "--token-ttl": s.maxTokenTTL = Int(try number(try value()))
            case "--no-ttl-header": s.ttlHeader = false
            case "--fault":
                guard let (f, n) = Fault.parse(try value()) else { throw MockUsage(message: "unknown fault") }
                s.fault = f; s.faultCount = n
            case "--container-path": s.containerPath = try value()
            case "--container-token": s.containerToken = try value()
            case "--container-token-file": s.containerTokenFile = try value()
            case "--log": s.logPath = try value()
            case "--url-file": s.urlFile = try value()
            default: throw MockUsage(message: "unknown option \(args[i])")
            }
            i += 1
        }
        return s
    }
}

/// What the mock does wrong, on purpose.
enum Fault: String, CaseIterable {
    case none
    /// 500 / 429 on credential requests.
    case status500 = "500", status429 = "429"
    /// A credential document that is not JSON.
    case json
    /// A document with Code other than Success.
    case code
    /// Credentials that expired an hour ago.
    case expired
    /// A credential request that is never answered.
    case stall
    /// The connection closed without an answer on a credential request.
    case drop
    /// A 100 KiB credential body.
    case oversized
    /// A credential answer sent one byte a second.
    case trickle
    /// Every request, token included, never answered (a black hole).
    case blackhole
    /// Only the token PUT is never answered (a container behind a hop limit of 1).
    case tokenStall = "token-stall"
    /// The role list answers 404 (no role attached).
    case noRole = "no-role"
    /// A GET with a token answers 401 as if the token had expired.
    case unauthorized
    /// The extended credentials path answers 500 (the classic path still works).
    case extended500 = "extended-500"

    /// `KIND` or `KIND:COUNT` (the fault applies COUNT times, then stops).
    static func parse(_ text: String) -> (Fault, Int)? {
        let parts = text.trimmed().split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let fault = Fault(rawValue: String(first)) else { return nil }
        if parts.count == 2 { guard let n = Int(parts[1]) else { return nil }; return (fault, n) }
        return (fault, -1)
    }
}
