/// AWS Signature Version 4 for headers (the `Authorization` header), as documented in "Create a signed
/// AWS API request" and proven against the published suite (awslabs/aws-c-auth
/// `tests/aws-signing-test-suite/v4/`) and against botocore's `SigV4Auth`. The canonicalisation is ours;
/// SHA-256 and HMAC come from libcrypto. Pure: the clock is a parameter.
public enum SigV4 {
    /// Headers that proxies and clients change on the way, which botocore never signs.
    static let unsignedHeaders: Set<String> = ["user-agent", "expect", "x-amzn-trace-id", "authorization"]

    /// `request` with `X-Amz-Date`, `X-Amz-Security-Token` (when the credentials have a session token) and
    /// `Authorization` added. `authority` is the `Host` header `HTTPRequest.serialized(authority:)` will
    /// send (`host[:port]`, without a default port); `time` is Unix seconds. An empty session token
    /// means long-term keys. The path is normalised and the token signed, as every non-S3 SDK does.
    public static func sign(_ request: HTTPRequest, authority: String, credentials: Credentials, region: String,
                            service: String, time: Int64) -> HTTPRequest {
        var out = request
        out.headers.add("X-Amz-Date", amzDate(time))
        if !credentials.sessionToken.isEmpty { out.headers.add("X-Amz-Security-Token", credentials.sessionToken.reveal()) }
        return authorize(out, authority: authority, normalizePath: true, accessKeyId: credentials.accessKeyId,
                         secretAccessKey: credentials.secretAccessKey, region: region, service: service).request
    }

    /// `request`, whose `X-Amz-Date` (and any other header to sign) is already there, with `Authorization`
    /// added, and each intermediate of the signature. `canonicalRequest` may hold a session token: it is
    /// never printed.
    static func authorize(_ request: HTTPRequest, authority: String, normalizePath: Bool, accessKeyId: String,
                          secretAccessKey: Secret, region: String, service: String)
        -> (request: HTTPRequest, canonicalRequest: String, stringToSign: String, signature: String) {
        let amzDate = request.headers["X-Amz-Date"] ?? ""
        let date = String(amzDate.prefix(8))
        let (canonicalRequest, signedHeaders) = canonical(request, authority: authority, normalizePath: normalizePath)
        let scope = "\(date)/\(region)/\(service)/aws4_request"
        let stringToSign = Self.stringToSign(algorithm: "AWS4-HMAC-SHA256", amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        var key = HMAC256.mac(key: Array(("AWS4" + secretAccessKey.reveal()).utf8), Array(date.utf8))
        for part in [region, service, "aws4_request"] { key = HMAC256.mac(key: key, Array(part.utf8)) }
        let signature = Hex.lowercase(HMAC256.mac(key: key, Array(stringToSign.utf8)))
        var out = request
        out.headers.add("Authorization",
                        "AWS4-HMAC-SHA256 Credential=\(accessKeyId)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
        return (out, canonicalRequest, stringToSign, signature)
    }

    /// The canonical request of `request` as it will be sent (every header it has signed, but
    /// `unsignedHeaders`), and the signed header list. Shared with the X.509 variant (`X509Signer`).
    static func canonical(_ request: HTTPRequest, authority: String, normalizePath: Bool) -> (request: String, signedHeaders: String) {
        let (headerBlock, signedHeaders) = canonicalHeaders(request.headers, authority: authority)
        let (path, query) = splitTarget(request.path)
        let text = [
            request.method,
            canonicalPath(path, normalize: normalizePath),
            canonicalQuery(query),
            headerBlock,
            signedHeaders,
            SHA256.hex(request.body),
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// `ALGORITHM \n date \n scope \n hex(SHA-256(canonical request))`.
    static func stringToSign(algorithm: String, amzDate: String, scope: String, canonicalRequest: String) -> String {
        "\(algorithm)\n\(amzDate)\n\(scope)\n\(SHA256.hex(Array(canonicalRequest.utf8)))"
    }

    /// `YYYYMMDDTHHMMSSZ`.
    static func amzDate(_ time: Int64) -> String {
        // Timestamp.format gives YYYY-MM-DDTHH:MM:SSZ.
        String(Timestamp.format(time).filter { $0 != "-" && $0 != ":" })
    }

    /// The request target split at the first `?`.
    static func splitTarget(_ target: String) -> (path: Substring, query: Substring) {
        guard let q = target.firstIndex(of: "?") else { return (Substring(target), "") }
        return (target[..<q], target[target.index(after: q)...])
    }

    /// The canonical URI: the path as sent, optionally normalised, then URI-encoded once more (every
    /// non-S3 service expects the path encoded twice: once on the wire, once here).
    static func canonicalPath(_ path: Substring, normalize: Bool) -> String {
        var text = path.isEmpty ? "/" : String(path)
        if normalize { text = normalizedPath(text) }
        return uriEncode(Array(text.utf8), keepSlash: true)
    }

    /// `path` without empty, `.` and `..` segments (RFC 3986 §5.2.4 plus collapsed slashes), keeping a
    /// leading and a trailing slash.
    static func normalizedPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var out = "/" + segments.joined(separator: "/")
        if !segments.isEmpty, path.hasSuffix("/") { out += "/" }
        return out
    }

    /// The query's parameters decoded, re-encoded and sorted by name, then value.
    static func canonicalQuery(_ query: Substring) -> String {
        var pairs: [(String, String)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                name = part[..<eq]; value = part[part.index(after: eq)...]
            } else {
                name = part; value = ""
            }
            pairs.append((uriEncode(Hex.percentDecoded(name, lenient: true) ?? [], keepSlash: false), uriEncode(Hex.percentDecoded(value, lenient: true) ?? [], keepSlash: false)))
        }
        pairs.sort { $0.0 != $1.0 ? Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) : Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8)) }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// The canonical header block (each `name:value` line ending in a newline) and the signed header list.
    static func canonicalHeaders(_ headers: HTTPHeaders, authority: String) -> (block: String, signed: String) {
        var merged: [String: [String]] = [:]
        for field in headers.fields {
            let name = field.name.lowercased()
            if unsignedHeaders.contains(name) { continue }
            merged[name, default: []].append(collapsed(field.value))
        }
        // The Host field `HTTPRequest.serialized` adds, unless the caller gave one.
        if merged["host"] == nil { merged["host"] = [authority] }
        let names = merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        var block = ""
        for name in names { block += "\(name):\(merged[name]!.joined(separator: ","))\n" }
        return (block, names.joined(separator: ";"))
    }

    /// A header value trimmed, with each run of white space made one space.
    static func collapsed(_ value: String) -> String {
        var out: [UInt8] = []
        var pendingSpace = false
        for b in value.utf8 {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace { out.append(0x20); pendingSpace = false }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3986 encoding: unreserved characters (`A-Z a-z 0-9 - . _ ~`) as they are, every other byte `%XX`.
    static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: "/") where keepSlash:
                out.append(b)
            default:
                out += Hex.percentEscape(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
