import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

// The inputs `scripts/fuzz` found, run through the fuzz target's own checks (FuzzOracle.swift), and
// every committed seed with them. Each input is also in Fuzz/corpus/ under the name given here.

/// The selector byte of a credential-document input.
private let documentInput: UInt8 = 3

/// Inputs that once violated a fuzz property, with their corpus file names.
private let regressions: [(name: String, input: [UInt8])] = [
    // The Token of a refused document was quoted back as part of its Code.
    ("regression-token-in-code", [documentInput] + Array(#"""
        {"Code":"AssumlgUnauthoed:ccess","Message":"EC2 cannot axRfm the role","SecretAccessKey":"XAMPLEKEY","Token":"mlgUnauthoed:ccess","Message":"EC2 cannot IJpZ2luX2VjEJr"}
        """#.utf8)),
]

@Test("fuzz regression passes the fuzz checks", arguments: regressions.map(\.name))
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

@Test("a container endpoint's error document never quotes its keys")
func containerErrorDetailRedacts() {
    let body = #"{"code":"Forbidden SECRETSECRET","message":"see TOKENTOKEN","SecretAccessKey":"SECRETSECRET","Token":"TOKENTOKEN"}"#
    #expect(ContainerSource.errorDetail(Array(body.utf8)) == ": Forbidden <redacted>: see <redacted>")
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
