import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

// Inputs that once failed the fuzz target's checks, run through those same checks (FuzzOracle.swift),
// and every committed seed with them. Each input is also in Fuzz/corpus/ under the name given here.

/// Selector bytes (see `FuzzOracle.check`): what is parsed, cut byte by byte.
private let responseInput: UInt8 = 0, requestInput: UInt8 = 2, documentInput: UInt8 = 3

/// A chunked response whose chunk-size line (with its extension) is 1,100 bytes long.
private let longChunkLine = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;\(String(repeating: "x", count: 1098))\r\na\r\n0\r\n\r\n".utf8)

/// A 15.5 KiB request head announcing a 50,000-byte body, and the body.
private let slowRequest: [UInt8] = {
    var head = "POST / HTTP/1.1\r\n"
    for i in 0..<140 {
        let name = String(i)
        head += "X-H\(String(repeating: "0", count: 4 - name.count) + name): \(String(repeating: "v", count: 100))\r\n"
    }
    head += "Content-Length: 50000\r\n\r\n"
    return Array(head.utf8) + [UInt8](repeating: UInt8(ascii: "b"), count: 50_000)
}()

/// Inputs that once violated a fuzz property, with their corpus file names.
private let regressions: [(name: String, input: [UInt8])] = [
    // Found by scripts/fuzz: the Token of a refused document was quoted back as part of its Code.
    ("regression-token-in-code", [documentInput] + Array(#"""
        {"Code":"AssumlgUnauthoed:ccess","Message":"EC2 cannot axRfm the role","SecretAccessKey":"XAMPLEKEY","Token":"mlgUnauthoed:ccess","Message":"EC2 cannot IJpZ2luX2VjEJr"}
        """#.utf8)),
    // Found by scripts/fuzz: a RoleArn carrying the Token was kept, and `--check` prints the ARN.
    ("regression-token-in-role-arn", [documentInput] + Array(#"""
        {"AccessKeyId":"D","SecretAccessKey":"A","Token":"oE+ZZZ==","RoleArn":"arn:oE+ZZZ==","Expiration":"6330-06-01T06:00:00+02:00"}
        """#.utf8)),
    // Found by hand with the same check: a long chunk-size line was refused when it arrived in pieces
    // but accepted when it arrived in one read.
    ("regression-chunk-line-long", [responseInput] + longChunkLine),
    // Found by hand with the fuzzer's timeout: each byte of a slowly sent body re-parsed the whole head.
    ("regression-slow-request", [requestInput] + slowRequest),
]

@Test("fuzz regression passes the fuzz checks", .timeLimit(.minutes(1)), arguments: regressions.map(\.name))
func fuzzRegression(name: String) throws {
    let input = try #require(regressions.first { $0.name == name }).input
    #expect(FuzzOracle.check(input) == nil)
    #expect(readCorpusFile(name) == input, "Fuzz/corpus/\(name) holds the same input")
}

@Test("every committed fuzz corpus input passes the fuzz checks")
func fuzzCorpus() throws {
    let names = corpusFileNames()
    #expect(names.count >= 20)
    for name in names {
        let input = try #require(readCorpusFile(name))
        #expect(FuzzOracle.check(input) == nil, "Fuzz/corpus/\(name)")
    }
}

/// The values a refused document carries never show in its error, whether in Code or Message, cut
/// by the length limit or written with a control character.
@Test("a refused document's secrets are redacted from its Code and Message", arguments: [
    (#"{"Code":"Denied SECRETSECRET","SecretAccessKey":"SECRETSECRET"}"#, "metadata service answered Code Denied <redacted>"),
    (#"{"Code":"Denied","Message":"token TOKENTOKEN was revoked","Token":"TOKENTOKEN"}"#,
     "metadata service answered Code Denied: token <redacted> was revoked"),
    (#"{"Code":"Denied","Message":"bad\tKEY\nVALUE1","SecretAccessKey":"KEY VALUE1"}"#,
     "metadata service answered Code Denied: bad <redacted>"),
    (#"{"Code":"Denied","Message":"Access denied","SecretAccessKey":"unrelated-secret"}"#,
     "metadata service answered Code Denied: Access denied"),
])
func refusedDocumentRedacts(document: String, expected: String) {
    #expect(throws: CredentialError(expected, transient: true)) {
        try CredentialDocument.decode(Array(document.utf8), now: FuzzOracle.now)
    }
}

@Test("a secret that straddles the quoting limit is redacted whole")
func redactedAcrossLimit() throws {
    let secret = String(repeating: "S", count: 30)
    let message = String(repeating: "m", count: 150) + secret + "tail"
    let document = #"{"Code":"Denied","Message":"\#(message)","Token":"\#(secret)"}"#
    let error = try #require(throws: CredentialError.self) {
        try CredentialDocument.decode(Array(document.utf8), now: FuzzOracle.now)
    }
    #expect(error.description == "metadata service answered Code Denied: " + String(repeating: "m", count: 150) + "<redacted>tail")
    #expect(!error.description.contains("SSSSSSSS"))
}

/// A chunk-size line of 1,023 bytes before its CRLF is the longest accepted, however it arrives.
@Test("chunk-size line limit is the same whole and in pieces", arguments: [(1023, true), (1024, false), (1100, false)])
func chunkLineLimit(length: Int, accepted: Bool) throws {
    let line = "1;" + String(repeating: "x", count: length - 2)
    let wire = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(line)\r\na\r\n0\r\n\r\n".utf8)
    for pattern in 0..<8 {
        let outcome = FuzzOracle.parseResponse(wire, cuts: FuzzOracle.pieces(wire.count, pattern: pattern), isHead: false)
        #expect((outcome != .failed) == accepted, "pattern \(pattern)")
    }
    var parser = ResponseParser()
    if accepted {
        #expect(try parser.feed(wire)?.body == Array("a".utf8))
    } else {
        #expect(throws: HTTPError.malformed("chunk size line too long")) { try parser.feed(wire) }
    }
}

@Test("a request whose body arrives byte by byte is parsed once it is complete", .timeLimit(.minutes(1)))
func slowRequestBody() throws {
    var parser = RequestParser()
    var requests: [ServerRequest] = []
    for byte in slowRequest {
        if let request = try parser.feed([byte]) { requests.append(request) }
    }
    #expect(requests.count == 1)
    #expect(requests.first?.headers.fields.count == 141)
    #expect(requests.first?.body.count == 50_000)
    #expect(!parser.hasPartial)
}

/// A RoleArn that carries the secret or the token is dropped, as a malformed one is; the account it
/// names is not taken from it either.
@Test("a RoleArn carrying a key is not kept", arguments: [
    ("arn:aws:iam::123456789012:role/SECRETSECRET", nil),
    ("arn:aws:iam::123456789012:role/TOKENTOKEN\u{301}", nil),
    ("arn:aws:iam::123456789012:role/app", "arn:aws:iam::123456789012:role/app"),
] as [(String, String?)])
func roleArnCarryingKey(arn: String, kept: String?) throws {
    let document = JSON.encode([("AccessKeyId", "ASIAEXAMPLE"), ("SecretAccessKey", "SECRETSECRET"), ("Token", "TOKENTOKEN"),
                                ("Expiration", "2030-01-01T00:00:00Z"), ("RoleArn", arn)])
    let credentials = try CredentialDocument.decode(Array(document.utf8), now: FuzzOracle.now)
    #expect(credentials.roleArn == kept)
    #expect(credentials.accountId == kept.map { _ in "123456789012" })
}

@Test("a container endpoint's error document never quotes its keys")
func containerErrorDetailRedacts() {
    let body = #"{"code":"Forbidden SECRETSECRET","message":"see TOKENTOKEN","SecretAccessKey":"SECRETSECRET","Token":"TOKENTOKEN"}"#
    #expect(ContainerProvider.errorDetail(Array(body.utf8)) == ": Forbidden <redacted>: see <redacted>")
}

// MARK: - The corpus on disk

/// Fuzz/corpus/ of this checkout.
private let corpusDirectory: String = {
    var path = #filePath
    for _ in 0..<3 { path = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) }
    return path + "/Fuzz/corpus"
}()

private func corpusFileNames() -> [String] {
    guard let dir = opendir(corpusDirectory) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if !name.hasPrefix(".") { names.append(name) }
    }
    return names.sorted()
}

private func readCorpusFile(_ name: String) -> [UInt8]? {
    guard let file = fopen(corpusDirectory + "/" + name, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        bytes += buffer[0..<n]
        if n < buffer.count { return ferror(file) == 0 ? bytes : nil }
    }
}
