import Testing
@testable import RoleCreds
#if canImport(Glibc)
import Glibc
#endif

@Test("session policies are sent compact", arguments: [
    ("{ \"Version\" : \"2012-10-17\",\n  \"Statement\": [ { \"Effect\": \"Allow\", \"Action\": [\"s3:Get*\", \"s3:List*\"], \"Resource\": \"*\" } ] }\n",
     #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#),
    ("{\"a\": \"" + String(repeating: "x", count: 2040) + "\"}", "{\"a\":\"" + String(repeating: "x", count: 2040) + "\"}"),
    ("{\"a\": \"x y\\u00e9\\n\\/\", \"b\": [1, -2.5e3, true, false, null], \"c\": {}}",
     "{\"a\":\"x yé\\n/\",\"b\":[1,-2.5e3,true,false,null],\"c\":{}}"),
])
func sessionPolicyCompact(text: String, compact: String) throws {
    #expect(try SessionPolicy.compact(Array(text.utf8), path: "p.json") == compact)
    // Compact text is a fixed point.
    #expect(try SessionPolicy.compact(Array(compact.utf8), path: "p.json") == compact)
}

@Test("bad session policies are usage errors naming the file", arguments: [
    ("", "is not valid JSON"),
    ("{\"a\": }", "is not valid JSON"),
    ("{\"a\": 1} x", "is not valid JSON"),
    ("[1]", "is not a JSON object"),
    ("\"s\"", "is not a JSON object"),
    ("{\"a\":\"" + String(repeating: "x", count: 2041) + "\"}", "2049 characters once compacted"),
])
func sessionPolicyBad(text: String, says: String) {
    do {
        _ = try SessionPolicy.compact(Array(text.utf8), path: "/etc/policy.json")
        Issue.record("accepted")
    } catch {
        #expect(error.description.contains("/etc/policy.json"))
        #expect(error.description.contains(says), "\(error)")
    }
}

@Test("a session policy file is read, and a missing one is a usage error naming it")
func sessionPolicyFile() throws {
    var template = Array("/tmp/wrc-policy-XXXXXX".utf8CString)
    let fd = mkstemp(&template)
    try #require(fd >= 0)
    let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    defer { unlink(path) }
    let text = Array("{ \"Statement\": [] }\n".utf8)
    #expect(write(fd, text, text.count) == text.count)
    close(fd)
    #expect(try SessionPolicy.load(path: path) == #"{"Statement":[]}"#)
    #expect(throws: UsageError("cannot read the session policy file /nonexistent/p.json (No such file or directory)")) {
        try SessionPolicy.load(path: "/nonexistent/p.json")
    }
}
