import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

// The published SigV4 test suite (awslabs/aws-c-auth tests/aws-signing-test-suite/v4/, vendored in
// SigV4Suite/ with SOURCES.md): every case is signed here and compared at each step with the suite's
// canonical request, string to sign, signature and signed request.
//
// Run: all 38 v4 cases, header signing, each with its context's `normalize`, `sign_body` and
// `omit_session_token`.
// Skipped, with reasons:
// - every case's query-*.txt (presigned URLs, `X-Amz-Signature` in the query): this tool only signs
//   headers, so those files are not vendored;
// - the v4a/ directory: SigV4a is ECDSA over P-256 with a derived key, not used by STS;
// - `expiration_in_seconds` in context.json: it only applies to presigned URLs.

/// Tests/RoleCredsTests/ of this checkout.
let testsDirectory: String = {
    let path = #filePath
    return String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
}()

/// The whole content of a file, or nil.
func readTestFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        bytes += buffer[0..<n]
        if n < buffer.count { return ferror(file) == 0 ? bytes : nil }
    }
}

/// The names of the entries of a directory, sorted.
func directoryEntries(_ path: String) -> [String] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted()
}

private let suiteDirectory = testsDirectory + "/SigV4Suite"
private let suiteCases = directoryEntries(suiteDirectory).filter { !$0.hasSuffix(".md") }

/// One suite case's request.txt: method, target, headers (without Host), the Host value, the body.
struct SuiteRequest {
    var request: HTTPRequest
    var authority: String

    /// Parses the suite's HTTP text: the target may contain spaces, and a line starting with white
    /// space continues the previous header (obsolete line folding, joined with a space).
    init(_ text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = lines.removeFirst()
        let space = try #require(first.firstIndex(of: " "))
        try #require(first.hasSuffix(" HTTP/1.1"))
        let method = String(first[..<space])
        let target = String(first[first.index(after: space)...].dropLast(" HTTP/1.1".count))
        var fields: [(String, String)] = []
        var body = ""
        while !lines.isEmpty {
            let line = lines.removeFirst()
            if line.isEmpty { body = lines.joined(separator: "\n"); break }
            if line.first == " " || line.first == "\t" {
                fields[fields.count - 1].1 += " " + line.trimmed()
                continue
            }
            let colon = try #require(line.firstIndex(of: ":"))
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        authority = try #require(fields.first { $0.0.lowercased() == "host" }).1
        request = HTTPRequest(method: method, path: target, headers: HTTPHeaders(fields.filter { $0.0.lowercased() != "host" }),
                              body: Array(body.utf8))
    }
}

private func suiteText(_ name: String, _ file: String) throws -> String {
    let bytes = try #require(readTestFile("\(suiteDirectory)/\(name)/\(file)"), "\(name)/\(file)")
    return try #require(String(validating: bytes, as: UTF8.self))
}

@Test("the vendored SigV4 suite is all there")
func sigV4SuiteIsComplete() {
    #expect(suiteCases.count == 38)
}

@Test("SigV4 signs each case of the published suite as the suite does", arguments: suiteCases)
func sigV4Suite(name: String) throws {
    let context = try JSON.parse(Array(try suiteText(name, "context.json").utf8))
    guard case .string(let keyId)? = context["credentials"]?["access_key_id"],
          case .string(let secret)? = context["credentials"]?["secret_access_key"],
          case .string(let region)? = context["region"], case .string(let service)? = context["service"],
          case .string(let timestamp)? = context["timestamp"], case .bool(let normalize)? = context["normalize"],
          case .bool(let signBody)? = context["sign_body"] else {
        Issue.record("\(name): context.json lacks a field"); return
    }
    var token: Secret?
    if case .string(let t)? = context["credentials"]?["token"] { token = Secret(t) }
    var omitToken = false
    if case .bool(let omit)? = context["omit_session_token"] { omitToken = omit }
    let time = try #require(Timestamp.parse(timestamp))
    let suite = try SuiteRequest(try suiteText(name, "request.txt"))

    let signed = SigV4.sign(suite.request, authority: suite.authority, accessKeyId: keyId, secretAccessKey: Secret(secret),
                            sessionToken: token, region: region, service: service, time: time,
                            options: SigV4.Options(normalizePath: normalize, signSessionToken: !omitToken, addContentSHA256: signBody))
    #expect(signed.canonicalRequest == (try suiteText(name, "header-canonical-request.txt")), "canonical request")
    #expect(signed.stringToSign == (try suiteText(name, "header-string-to-sign.txt")), "string to sign")
    #expect(signed.signature == (try suiteText(name, "header-signature.txt")), "signature")

    // The signed request: the same header lines, whatever their order.
    let expected = try SuiteRequest(try suiteText(name, "header-signed-request.txt"))
    // Names compare case-insensitively (the suite writes x-amz-content-sha256 in lowercase).
    func lines(_ r: SuiteRequest) -> [String] { r.request.headers.fields.map { "\($0.name.lowercased()):\($0.value)" }.sorted() }
    #expect(lines(SuiteRequest(request: signed.request, authority: suite.authority)) == lines(expected))
    #expect(signed.request.headers["Authorization"] == expected.request.headers["Authorization"])
}

extension SuiteRequest {
    init(request: HTTPRequest, authority: String) { self.request = request; self.authority = authority }
}

@Test("the public signer adds the same headers as the suite's signer for a session-token case")
func sigV4PublicSign() throws {
    let suite = try SuiteRequest(try suiteText("get-vanilla-with-session-token", "request.txt"))
    let credentials = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                  sessionToken: Secret("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
                                  expiration: 0)
    let signed = SigV4.sign(suite.request, authority: suite.authority, credentials: credentials, region: "us-east-1",
                            service: "service", time: try #require(Timestamp.parse("2015-08-30T12:36:00Z")))
    let expected = try SuiteRequest(try suiteText("get-vanilla-with-session-token", "header-signed-request.txt"))
    #expect(signed.headers["Authorization"] == expected.request.headers["Authorization"])
    #expect(signed.headers["X-Amz-Security-Token"] == credentials.sessionToken.reveal())
    // Long-term keys (no session token) send no token header.
    let longTerm = Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: credentials.secretAccessKey, sessionToken: Secret(""), expiration: 0)
    let plain = SigV4.sign(suite.request, authority: suite.authority, credentials: longTerm, region: "us-east-1",
                           service: "service", time: try #require(Timestamp.parse("2015-08-30T12:36:00Z")))
    #expect(plain.headers["X-Amz-Security-Token"] == nil)
    #expect(plain.headers["Authorization"]?.hasSuffix("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") == true)
}

@Test("SigV4 building blocks", arguments: [
    // (what, got, expected)
    ("amzDate", SigV4.amzDate(1_440_938_160), "20150830T123600Z"),
    ("collapse", SigV4.collapsed("  a \t b\r\n  c  "), "a b c"),
    ("encode keeps unreserved", SigV4.uriEncode(Array("Az09-._~".utf8), keepSlash: false), "Az09-._~"),
    ("encode slash in query", SigV4.uriEncode(Array("a/b c+d=".utf8), keepSlash: false), "a%2Fb%20c%2Bd%3D"),
    ("encode keeps slash in path", SigV4.uriEncode(Array("/a b/".utf8), keepSlash: true), "/a%20b/"),
    ("path encoded twice", SigV4.canonicalPath("/a%20b", normalize: true), "/a%2520b"),
    ("normalize dots", SigV4.normalizedPath("/a/./b/../c/"), "/a/c/"),
    ("normalize above root", SigV4.normalizedPath("/../.."), "/"),
    ("query sorted by name then value", SigV4.canonicalQuery("b=2&a=2&a=1&c"), "a=1&a=2&b=2&c="),
    ("bad percent kept", SigV4.canonicalQuery("a=%zz%4"), "a=%25zz%254"),
])
func sigV4Blocks(what: String, got: String, expected: String) {
    #expect(got == expected, "\(what)")
}
