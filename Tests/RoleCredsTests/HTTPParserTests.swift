import Testing
@testable import RoleCreds

// MARK: - Helpers

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// What a parser made of a byte stream.
private struct Fed {
    var response: HTTPResponse?
    var error: HTTPError?
    /// Bytes fed when the response completed or the error was thrown.
    var decidedAt: Int?
    var parser: ResponseParser
}

/// Feeds `wire` in pieces of `piece` bytes (nil: all at once), stopping at the first response or error.
private func feed(_ wire: [UInt8], piece: Int?, isHead: Bool = false) -> Fed {
    var parser = ResponseParser(isHead: isHead)
    let size = max(1, piece ?? wire.count)
    var offset = 0
    repeat {
        let end = min(wire.count, offset + size)
        do {
            if let response = try parser.feed(Array(wire[offset..<end])) {
                return Fed(response: response, decidedAt: end, parser: parser)
            }
        } catch {
            return Fed(error: error, decidedAt: end, parser: parser)
        }
        offset = end
    } while offset < wire.count
    return Fed(parser: parser)
}

/// The ways a response is cut up in the tests: whole, byte by byte, and in odd pieces.
private let pieces: [Int?] = [nil, 1, 2, 3, 7]

// MARK: - Responses that parse

struct GoodResponse: Sendable, CustomTestStringConvertible {
    let name: String
    let wire: [UInt8]
    let status: Int
    let body: [UInt8]
    /// Where the message ends; more bytes after it are trailing bytes.
    let length: Int
    let isHead: Bool
    let headers: [(String, String)]

    init(_ name: String, _ wire: String, status: Int = 200, body: String, trailing: String = "", isHead: Bool = false,
         headers: [(String, String)] = []) {
        self.name = name
        self.wire = bytes(wire) + bytes(trailing)
        self.status = status
        self.body = bytes(body)
        self.length = wire.utf8.count
        self.isHead = isHead
        self.headers = headers
    }

    init(_ name: String, raw: [UInt8], body: [UInt8]) {
        self.name = name; self.wire = raw; self.status = 200; self.body = body; self.length = raw.count
        self.isHead = false; self.headers = []
    }

    var hasTrailing: Bool { wire.count > length }
    var testDescription: String { name }
}

@Suite("ResponseParser")
struct ResponseParserTests {
    static let good: [GoodResponse] = [
        GoodResponse("Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", body: "hello",
                     headers: [("Content-Length", "5")]),
        GoodResponse("Content-Length: 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", body: ""),
        GoodResponse("HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", body: "hi"),
        GoodResponse("no reason phrase", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", status: 404, body: ""),
        GoodResponse("reason with spaces", "HTTP/1.1 401 Not Authorized Here\r\nContent-Length: 0\r\n\r\n", status: 401, body: ""),
        GoodResponse("429", "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 4\r\n\r\nslow", status: 429, body: "slow"),
        GoodResponse("599", "HTTP/1.1 599 X\r\nContent-Length: 0\r\n\r\n", status: 599, body: ""),
        GoodResponse("header names any case", "HTTP/1.1 200 OK\r\ncontent-LENGTH: 3\r\n\r\nabc", body: "abc"),
        GoodResponse("values trimmed", "HTTP/1.1 200 OK\r\nX-A:   spaced value \t\r\nX-B:\r\nContent-Length: 1\r\n\r\n!",
                     body: "!", headers: [("X-A", "spaced value"), ("X-B", "")]),
        GoodResponse("UTF-8 header value", "HTTP/1.1 200 OK\r\nX-Name: café\r\nContent-Length: 0\r\n\r\n", body: "",
                     headers: [("X-Name", "café")]),
        GoodResponse("obs-text tab in value", "HTTP/1.1 200 OK\r\nX-T: a\tb\r\nContent-Length: 0\r\n\r\n", body: "",
                     headers: [("X-T", "a\tb")]),
        GoodResponse("binary-safe body", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n\r\n\r\n", body: "\r\n\r\n"),
        GoodResponse("Content-Length shorter than what was sent",
                     "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", body: "hello", trailing: "EXTRA"),
        GoodResponse("204 ignores body headers", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n", status: 204, body: ""),
        GoodResponse("304 without length", "HTTP/1.1 304 Not Modified\r\n\r\n", status: 304, body: ""),
        GoodResponse("204 with bytes after", "HTTP/1.1 204 No Content\r\n\r\n", status: 204, body: "", trailing: "junk"),
        GoodResponse("HEAD response", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", body: "", isHead: true),
        GoodResponse("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
                     body: "hello world"),
        GoodResponse("chunked, TE in capitals", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n", body: "hi"),
        GoodResponse("chunked with extensions",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 ; a=\"b\"\r\n!\r\n0;last\r\n\r\n",
                     body: "hello!"),
        GoodResponse("chunked with trailers",
                     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n",
                     body: "abc"),
        GoodResponse("chunked hex sizes", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\nb\r\nabcdefghijk\r\n0005\r\nvwxyz\r\n0\r\n\r\n",
                     body: "0123456789abcdefghijkvwxyz"),
        GoodResponse("chunked size with trailing space", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 \r\nok\r\n0\r\n\r\n", body: "ok"),
        GoodResponse("chunked, no data chunks", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", body: ""),
        GoodResponse("chunked with bytes after", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
                     body: "x", trailing: "HTTP/1.1 200 OK\r\n"),
        GoodResponse("Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", body: "ok",
                     headers: [("connection", "close")]),
    ]

    @Test(arguments: good)
    func parses(_ c: GoodResponse) {
        for piece in pieces {
            let fed = feed(c.wire, piece: piece, isHead: c.isHead)
            guard let response = fed.response else {
                Issue.record("piece \(String(describing: piece)): no response (error: \(String(describing: fed.error)))")
                continue
            }
            #expect(response.status == c.status)
            #expect(response.body == c.body)
            for (name, value) in c.headers { #expect(response.headers[name] == value, "\(name)") }
            if piece == 1 {
                #expect(fed.decidedAt == c.length, "completed before or after the last byte of the message")
                #expect(!fed.parser.hasTrailingBytes)
            }
            if piece == nil { #expect(fed.parser.hasTrailingBytes == c.hasTrailing) }
        }
    }

    // MARK: read until close

    @Test(arguments: [
        ("HTTP/1.1 200 OK\r\n\r\nsome body", "some body"),
        ("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"a\":1}\r\n", "{\"a\":1}\r\n"),
        ("HTTP/1.1 500 Oops\r\n\r\n", ""),
    ])
    func readsUntilClose(_ wire: String, _ body: String) throws {
        for piece in pieces {
            var fed = feed(bytes(wire), piece: piece)
            #expect(fed.response == nil && fed.error == nil, "completed before the peer closed")
            let response = try fed.parser.finish()
            #expect(response.body == bytes(body))
        }
    }

    @Test func readUntilCloseAtTheLimit() throws {
        let body = [UInt8](repeating: 0x61, count: HTTPLimits.maxBodyBytes)
        var fed = feed(bytes("HTTP/1.1 200 OK\r\n\r\n") + body, piece: 4096)
        #expect(fed.error == nil)
        #expect(try fed.parser.finish().body == body)
    }

    @Test func finishWithoutAnythingIsClosed() {
        var parser = ResponseParser()
        #expect(parser.isEmpty)
        #expect(throws: HTTPError.closed) { try parser.finish() }
        _ = try? parser.feed(bytes("H"))
        #expect(!parser.isEmpty)
    }

    // MARK: limits, fed whole and in pieces alike

    /// A response whose head (start line and fields, without the blank line) is exactly `headBytes` long.
    static func response(headBytes: Int) -> [UInt8] {
        let prefix = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: "
        return bytes(prefix + String(repeating: "a", count: headBytes - prefix.utf8.count) + "\r\n\r\nhi")
    }

    @Test(arguments: [HTTPLimits.maxHeaderBytes - 1, HTTPLimits.maxHeaderBytes])
    func headerSectionAtTheLimit(_ size: Int) {
        for piece in pieces {
            let fed = feed(Self.response(headBytes: size), piece: piece)
            #expect(fed.error == nil, "piece \(String(describing: piece))")
            #expect(fed.response?.body == bytes("hi"), "piece \(String(describing: piece))")
        }
    }

    @Test(arguments: [HTTPLimits.maxHeaderBytes + 1, HTTPLimits.maxHeaderBytes + 2, HTTPLimits.maxHeaderBytes + 1000])
    func headerSectionOverTheLimit(_ size: Int) {
        for piece in pieces {
            let fed = feed(Self.response(headBytes: size), piece: piece)
            #expect(fed.error == .tooLarge("response headers"), "piece \(String(describing: piece))")
        }
    }

    @Test func bodiesAtTheLimit() {
        let body = [UInt8](repeating: 0x62, count: HTTPLimits.maxBodyBytes)
        let length = bytes("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n") + body
        var chunked = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<16 { chunked += bytes("1000\r\n") + [UInt8](repeating: 0x62, count: 4096) + bytes("\r\n") }
        chunked += bytes("0\r\n\r\n")
        for wire in [length, chunked] {
            for piece in [nil, 1, 4096] as [Int?] {
                let fed = feed(wire, piece: piece)
                #expect(fed.error == nil)
                #expect(fed.response?.body == body)
            }
        }
    }

    // MARK: Connection: close

    @Test(arguments: [
        ([], false), (["close"], true), (["Close"], true), (["CLOSE"], true), (["keep-alive"], false),
        (["keep-alive, close"], true), (["close,keep-alive"], true), (["upgrade,  close "], true), (["closed"], false),
        (["keep-alive", "close"], true), (["not-close"], false), ([""], false),
    ] as [([String], Bool)])
    func connectionClose(_ values: [String], _ closes: Bool) throws {
        var wire = "HTTP/1.1 200 OK\r\n"
        for v in values { wire += "Connection: \(v)\r\n" }
        wire += "Content-Length: 0\r\n\r\n"
        var parser = ResponseParser()
        let response = try #require(try parser.feed(bytes(wire)))
        #expect(response.closesConnection == closes)
        var built = HTTPHeaders()
        for v in values { built.add("connection", v) }
        #expect(HTTPResponse(status: 200, headers: built).closesConnection == closes)
    }

    @Test func headersKeepOrderAndDuplicates() throws {
        var parser = ResponseParser()
        let wire = "HTTP/1.1 200 OK\r\nSet-Thing: 1\r\nX: y\r\nset-thing: 2\r\nContent-Length: 0\r\n\r\n"
        let response = try #require(try parser.feed(bytes(wire)))
        #expect(response.headers.values("SET-THING") == ["1", "2"])
        #expect(response.headers["Set-Thing"] == "1")
        #expect(response.headers["missing"] == nil)
        #expect(response.headers.fields.map(\.name) == ["Set-Thing", "X", "set-thing", "Content-Length"])
    }

    @Test(arguments: [(bytes("{}"), "{}" as String?), ([0xFF, 0xFE], nil), ([], "")] as [([UInt8], String?)])
    func responseText(_ body: [UInt8], _ text: String?) {
        #expect(HTTPResponse(status: 200, body: body).text == text)
    }
}

// MARK: - Responses that must be refused

enum BadOutcome: Sendable, Equatable {
    /// `feed` throws this, however the bytes are split.
    case throwsError(HTTPError)
    /// `feed` keeps asking for more; when the peer closes, `finish()` throws `.closed`.
    case incomplete
}

struct BadResponse: Sendable, CustomTestStringConvertible {
    let name: String
    let wire: [UInt8]
    let expected: BadOutcome
    init(_ name: String, _ wire: String, _ expected: BadOutcome) {
        self.name = name; self.wire = bytes(wire); self.expected = expected
    }
    init(_ name: String, raw: [UInt8], _ expected: BadOutcome) {
        self.name = name; self.wire = raw; self.expected = expected
    }
    var testDescription: String { name }
}

private let ok = "HTTP/1.1 200 OK\r\n"
private let chunkedHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
private func malformed(_ why: String) -> BadOutcome { .throwsError(.malformed(why)) }

@Suite("ResponseParser bad input")
struct ResponseParserBadInputTests {
    static let cases: [BadResponse] = [
        // start line
        BadResponse("nothing at all", "", .incomplete),
        BadResponse("truncated status line", "HTTP/1.1 20", .incomplete),
        BadResponse("status line, no blank line", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n", .incomplete),
        BadResponse("status line without a code", "HTTP/1.1\r\n\r\n", malformed("bad status line")),
        BadResponse("HTTP/2 status line", "HTTP/2 200\r\n\r\n", malformed("bad status line")),
        BadResponse("HTTP/2.0 status line", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", malformed("bad status line")),
        BadResponse("lower-case protocol", "http/1.1 200 OK\r\n\r\n", malformed("bad status line")),
        BadResponse("not HTTP", "ICY 200 OK\r\n\r\n", malformed("bad status line")),
        BadResponse("HTML instead of HTTP", "<html><body>hi</body></html>\r\n\r\n", malformed("bad status line")),
        BadResponse("leading space", " HTTP/1.1 200 OK\r\n\r\n", malformed("bad status line")),
        BadResponse("empty start line", "\r\n\r\n", malformed("empty start line")),
        BadResponse("two-digit status", "HTTP/1.1 20 OK\r\n\r\n", malformed("bad status code")),
        BadResponse("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", malformed("bad status code")),
        BadResponse("status letters", "HTTP/1.1 abc OK\r\n\r\n", malformed("bad status code")),
        BadResponse("status with sign", "HTTP/1.1 +20 OK\r\n\r\n", malformed("bad status code")),
        BadResponse("1xx status", "HTTP/1.1 100 Continue\r\n\r\n", malformed("bad status code")),
        BadResponse("status 600", "HTTP/1.1 600 Nope\r\n\r\n", malformed("bad status code")),
        BadResponse("status 099", "HTTP/1.1 099 Nope\r\n\r\n", malformed("bad status code")),
        BadResponse("double space before status", "HTTP/1.1  200 OK\r\n\r\n", malformed("bad status code")),
        BadResponse("bare LF ends the status line", "HTTP/1.1 200 OK\nContent-Length: 2\r\n\r\nhi",
                    malformed("bare CR or LF in a header")),
        BadResponse("bare CR in the status line", "HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n",
                    malformed("bare CR or LF in a header")),
        // header section
        BadResponse("header flood, no end", ok + "X-Flood: " + String(repeating: "a", count: 17_000),
                    .throwsError(.tooLarge("response headers"))),
        BadResponse("header flood, many fields", ok + String(repeating: "X-F: 0123456789\r\n", count: 1100) + "\r\n",
                    .throwsError(.tooLarge("response headers"))),
        BadResponse("header without colon", ok + "X-No-Colon\r\n\r\n", malformed("header line without a colon")),
        BadResponse("folded header (space)", ok + "X-A: one\r\n two\r\n\r\n", malformed("folded header line")),
        BadResponse("folded header (tab)", ok + "X-A: one\r\n\ttwo\r\n\r\n", malformed("folded header line")),
        BadResponse("space before the colon", ok + "Content-Length : 0\r\n\r\n", malformed("bad header name")),
        BadResponse("space in header name", ok + "Bad Name: x\r\n\r\n", malformed("bad header name")),
        BadResponse("empty header name", ok + ": x\r\n\r\n", malformed("bad header name")),
        BadResponse("separator in header name", ok + "Bad(Name): x\r\n\r\n", malformed("bad header name")),
        BadResponse("non-ASCII header name", ok + "Nämé: x\r\n\r\n", malformed("bad header name")),
        BadResponse("control character in value", ok + "X-A: a\u{01}b\r\n\r\n", malformed("control character in header section")),
        BadResponse("NUL in header name", ok + "X\u{0}A: b\r\n\r\n", malformed("control character in header section")),
        BadResponse("DEL in value", ok + "X-A: \u{7F}\r\n\r\n", malformed("control character in header section")),
        BadResponse("ESC in reason phrase", "HTTP/1.1 200 \u{1B}[2J\r\n\r\n", malformed("control character in header section")),
        BadResponse("non-UTF-8 header value", raw: bytes(ok + "X-A: ") + [0xFF, 0xFE] + bytes("\r\n\r\n"),
                    malformed("header section is not UTF-8")),
        BadResponse("overlong UTF-8 in header", raw: bytes(ok + "X-A: ") + [0xC0, 0xAF] + bytes("\r\n\r\n"),
                    malformed("header section is not UTF-8")),
        BadResponse("truncated UTF-8 in header", raw: bytes(ok + "X-A: ") + [0xE2, 0x82] + bytes("\r\n\r\n"),
                    malformed("header section is not UTF-8")),
        BadResponse("bare CR in header value", ok + "X-A: a\rb\r\n\r\n", malformed("bare CR or LF in a header")),
        BadResponse("bare LF between headers", ok + "X-A: a\nX-B: b\r\n\r\n", malformed("bare CR or LF in a header")),
        // Content-Length
        BadResponse("Content-Length longer than the body", ok + "Content-Length: 10\r\n\r\nhello", .incomplete),
        BadResponse("Content-Length negative", ok + "Content-Length: -1\r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length non-numeric", ok + "Content-Length: abc\r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length empty", ok + "Content-Length: \r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length with plus", ok + "Content-Length: +5\r\n\r\nhello", malformed("bad Content-Length")),
        BadResponse("Content-Length hex", ok + "Content-Length: 0x10\r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length with inner space", ok + "Content-Length: 5 5\r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length list", ok + "Content-Length: 5, 5\r\n\r\nhello", malformed("bad Content-Length")),
        BadResponse("Content-Length 19 digits", ok + "Content-Length: 1234567890123456789\r\n\r\n", malformed("bad Content-Length")),
        BadResponse("Content-Length Arabic digit", ok + "Content-Length: \u{0665}\r\n\r\nhello", malformed("bad Content-Length")),
        BadResponse("two Content-Lengths, equal", ok + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
                    malformed("more than one Content-Length")),
        BadResponse("two Content-Lengths, different", ok + "Content-Length: 5\r\ncontent-length: 6\r\n\r\nhello!",
                    malformed("more than one Content-Length")),
        BadResponse("Content-Length over 64 KiB", ok + "Content-Length: 65537\r\n\r\n", .throwsError(.tooLarge("body"))),
        BadResponse("Content-Length huge", ok + "Content-Length: 999999999999\r\n\r\n", .throwsError(.tooLarge("body"))),
        // Transfer-Encoding
        BadResponse("Content-Length and Transfer-Encoding", ok + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                    malformed("both Content-Length and Transfer-Encoding")),
        BadResponse("Transfer-Encoding and Content-Length", ok + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n",
                    malformed("both Content-Length and Transfer-Encoding")),
        BadResponse("Transfer-Encoding gzip", ok + "Transfer-Encoding: gzip\r\n\r\n", malformed("unsupported Transfer-Encoding")),
        BadResponse("Transfer-Encoding gzip, chunked", ok + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
                    malformed("unsupported Transfer-Encoding")),
        BadResponse("Transfer-Encoding chunked twice in a list", ok + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
                    malformed("unsupported Transfer-Encoding")),
        BadResponse("Transfer-Encoding chunked in two fields", ok + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                    malformed("unsupported Transfer-Encoding")),
        BadResponse("Transfer-Encoding identity", ok + "Transfer-Encoding: identity\r\n\r\nhello", malformed("unsupported Transfer-Encoding")),
        BadResponse("Transfer-Encoding empty", ok + "Transfer-Encoding: \r\n\r\nhello", malformed("unsupported Transfer-Encoding")),
        // chunked framing
        BadResponse("chunk size not hex", chunkedHead + "zz\r\nhello\r\n0\r\n\r\n", malformed("bad chunk size")),
        BadResponse("chunk size too long", chunkedHead + "123456789\r\n", malformed("bad chunk size")),
        BadResponse("chunk size empty", chunkedHead + "\r\nhello\r\n", malformed("bad chunk size")),
        BadResponse("chunk size negative", chunkedHead + "-5\r\nhello\r\n0\r\n\r\n", malformed("bad chunk size")),
        BadResponse("chunk size with leading space", chunkedHead + " 5\r\nhello\r\n0\r\n\r\n", malformed("bad chunk size")),
        BadResponse("chunk size 0x-prefixed", chunkedHead + "0x5\r\nhello\r\n0\r\n\r\n", malformed("bad chunk size")),
        BadResponse("chunk extension without size", chunkedHead + ";ext\r\nhello\r\n0\r\n\r\n", malformed("bad chunk size")),
        BadResponse("chunk not followed by CRLF", chunkedHead + "5\r\nhelloXX0\r\n\r\n", malformed("chunk not followed by CRLF")),
        BadResponse("chunk longer than its size", chunkedHead + "3\r\nhello\r\n0\r\n\r\n", malformed("chunk not followed by CRLF")),
        BadResponse("chunk followed by LF only", chunkedHead + "5\r\nhello\n0\r\n\r\n", malformed("chunk not followed by CRLF")),
        BadResponse("chunk size line over 1 KiB", chunkedHead + "1;" + String(repeating: "x", count: 1100),
                    malformed("chunk size line too long")),
        BadResponse("one chunk over 64 KiB", chunkedHead + "10001\r\n", .throwsError(.tooLarge("body"))),
        BadResponse("chunk of 4 GiB", chunkedHead + "FFFFFFFF\r\n", .throwsError(.tooLarge("body"))),
        BadResponse("chunks adding up to over 64 KiB",
                    chunkedHead + "8000\r\n" + String(repeating: "a", count: 0x8000) + "\r\n8001\r\n",
                    .throwsError(.tooLarge("body"))),
        BadResponse("one trailer line over 16 KiB", chunkedHead + "0\r\nX-T: " + String(repeating: "t", count: 17_000),
                    .throwsError(.tooLarge("trailers"))),
        BadResponse("trailer lines adding up to over 16 KiB",
                    chunkedHead + "0\r\n" + String(repeating: "X-T: 0123456789\r\n", count: 1100),
                    .throwsError(.tooLarge("trailers"))),
        BadResponse("chunked body cut in a chunk", chunkedHead + "5\r\nhel", .incomplete),
        BadResponse("chunked body without last chunk", chunkedHead + "5\r\nhello\r\n", .incomplete),
        BadResponse("last chunk without final CRLF", chunkedHead + "0\r\n", .incomplete),
        BadResponse("trailer section never ends", chunkedHead + "0\r\nX-T: 1\r\n", .incomplete),
        BadResponse("bare LF after chunk size", chunkedHead + "5\nhello\r\n0\r\n\r\n",
                    .throwsError(.malformed("bare LF in chunked framing"))),
        BadResponse("bare CR after chunk size", chunkedHead + "5\rhello\r\n0\r\n\r\n",
                    .throwsError(.malformed("bare CR in chunked framing"))),
        BadResponse("one-byte chunks with long extensions", chunkedHead
                    + String(repeating: "1;" + String(repeating: "e", count: 1000) + "\r\nx\r\n", count: 160),
                    .throwsError(.tooLarge("body"))),
        // read until close
        BadResponse("read-until-close body over 64 KiB", ok + "\r\n" + String(repeating: "z", count: 65_537),
                    .throwsError(.tooLarge("body"))),
    ]

    @Test(arguments: cases)
    func refuses(_ c: BadResponse) {
        for piece in pieces {
            var fed = feed(c.wire, piece: piece)
            let label = "piece \(String(describing: piece))"
            #expect(fed.response == nil, "accepted: \(label)")
            switch c.expected {
            case .throwsError(let expected):
                #expect(fed.error == expected, "\(label)")
            case .incomplete:
                #expect(fed.error == nil, "\(label)")
                #expect(throws: HTTPError.closed) { try fed.parser.finish() }
            }
        }
    }

    /// What cannot start a status line (an SSH banner, HTML, another protocol) is refused at the first byte
    /// that is not `HTTP/`, fed byte by byte: the parser never waits for a header section that will not come.
    @Test(arguments: [("SSH-2.0-OpenSSH_9.6\r\n", 1), ("ICY 200 OK\r\n", 1), ("<html>", 1), (" HTTP/1.1 200 OK\r\n", 1),
                      ("http/1.1 200 OK\r\n", 1), ("HTTP 200 OK\r\n", 5), ("HTTX/1.1 200 OK\r\n", 4)])
    func notHTTPIsRefusedAtTheFirstByteThatCannotStartAStatusLine(_ banner: String, refusedAfter: Int) {
        let fed = feed(bytes(banner), piece: 1)
        #expect(fed.error == .malformed("bad status line"))
        #expect(fed.decidedAt == refusedAfter)
    }

    /// Every error is one line and never contains the bytes that caused it.
    @Test(arguments: cases)
    func errorsDoNotEchoInput(_ c: BadResponse) {
        guard let error = feed(c.wire, piece: nil).error else { return }
        #expect(!error.description.contains("\n") && !error.description.contains("\r"))
        #expect(!error.description.contains("hello") && !error.description.contains("X-"))
    }
}

// MARK: - Requests

@Suite("RequestParser")
struct RequestParserTests {
    @Test(arguments: ["Host: a\r\nHost: b\r\n", "Host: a\r\nhost: a\r\n", "HOST: a\r\nX: y\r\nHost: a\r\n"])
    func twoHostHeadersAreMalformed(headers: String) {
        var parser = RequestParser()
        #expect(throws: HTTPError.malformed("more than one Host header")) {
            try parser.feed(bytes("GET / HTTP/1.1\r\n\(headers)\r\n"))
        }
    }

    @Test func parsesAGet() throws {
        var parser = RequestParser()
        let wire = "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:4242\r\nAuthorization: tok\r\n\r\n"
        let request = try #require(try parser.feed(bytes(wire)))
        #expect(request.method == "GET")
        #expect(request.target == "/credentials")
        #expect(request.path == "/credentials")
        #expect(request.query == "")
        #expect(request.headers["authorization"] == "tok")
        #expect(request.headers["host"] == "127.0.0.1:4242")
        #expect(request.body.isEmpty)
        #expect(!parser.hasPartial)
    }

    @Test(arguments: [
        ("GET /a?b=c HTTP/1.1\r\n\r\n", "GET", "/a?b=c", "/a", "b=c", ""),
        ("GET /a?b=c?d HTTP/1.1\r\n\r\n", "GET", "/a?b=c?d", "/a", "b=c?d", ""),
        ("GET /? HTTP/1.1\r\n\r\n", "GET", "/?", "/", "", ""),
        ("DELETE / HTTP/1.0\r\n\r\n", "DELETE", "/", "/", "", ""),
        ("PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n",
         "PUT", "/latest/api/token", "/latest/api/token", "", ""),
        ("POST /x HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", "POST", "/x", "/x", "", "hello"),
    ] as [(String, String, String, String, String, String)])
    func parsesWholeAndByteByByte(_ wire: String, _ method: String, _ target: String, _ path: String, _ query: String,
                                  _ body: String) throws {
        let all = bytes(wire)
        var whole = RequestParser()
        let request = try #require(try whole.feed(all))
        #expect(request.method == method)
        #expect(request.target == target)
        #expect(request.path == path)
        #expect(request.query == query)
        #expect(request.body == bytes(body))
        #expect(!whole.hasPartial)
        // byte by byte: nothing until the last byte, then the same request
        var parser = RequestParser()
        for (i, b) in all.enumerated() {
            let got = try parser.feed([b])
            if i < all.count - 1 {
                #expect(got == nil, "complete after \(i + 1) of \(all.count) bytes")
            } else {
                #expect(got?.method == method && got?.target == target && got?.body == bytes(body))
            }
        }
    }

    @Test func pipelinedRequests() throws {
        var parser = RequestParser()
        let wire = "GET /one HTTP/1.1\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /thr"
        let first = try #require(try parser.feed(bytes(wire)))
        #expect(first.target == "/one")
        let second = try #require(try parser.next())
        #expect(second.target == "/two" && second.body == bytes("abc"))
        #expect(try parser.next() == nil)
        #expect(parser.hasPartial)
        let third = try #require(try parser.feed(bytes("ee HTTP/1.1\r\n\r\n")))
        #expect(third.target == "/three")
        #expect(!parser.hasPartial)
    }

    @Test func waitsForTheBody() throws {
        var parser = RequestParser()
        #expect(try parser.feed(bytes("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab")) == nil)
        #expect(parser.hasPartial)
        let request = try #require(try parser.feed(bytes("cd")))
        #expect(request.body == bytes("abcd"))
    }

    @Test func serializedRequestsRoundTrip() throws {
        var headers = HTTPHeaders()
        headers.add("X-aws-ec2-metadata-token-ttl-seconds", "21600")
        headers.add("Accept", "*/*")
        let put = HTTPRequest(method: "PUT", path: "/latest/api/token", headers: headers)
        let wire = put.serialized(authority: "[fd00:ec2::254]")
        #expect(String(decoding: wire, as: UTF8.self) ==
            "PUT /latest/api/token HTTP/1.1\r\nHost: [fd00:ec2::254]\r\nX-aws-ec2-metadata-token-ttl-seconds: 21600\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n")
        var parser = RequestParser()
        let parsed = try #require(try parser.feed(wire))
        #expect(parsed.method == "PUT" && parsed.target == "/latest/api/token")
        #expect(parsed.headers.values("host") == ["[fd00:ec2::254]"])
        #expect(parsed.headers["x-aws-ec2-metadata-token-ttl-seconds"] == "21600")

        let get = HTTPRequest(method: "GET", path: "/latest/meta-data/iam/security-credentials/")
        #expect(String(decoding: get.serialized(authority: "h"), as: UTF8.self) ==
            "GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\r\nHost: h\r\n\r\n")
        let post = HTTPRequest(method: "POST", path: "/p", body: bytes("xyz"))
        var p2 = RequestParser()
        #expect(try p2.feed(post.serialized(authority: "h"))?.body == bytes("xyz"))
    }

    static let bad: [(String, [UInt8], HTTPError)] = [
        ("HTTP/2 request line", bytes("GET / HTTP/2\r\n\r\n"), .malformed("bad request line")),
        ("no version", bytes("GET /\r\n\r\n"), .malformed("bad request line")),
        ("double space", bytes("GET  / HTTP/1.1\r\n\r\n"), .malformed("bad request line")),
        ("absolute form", bytes("GET http://x/ HTTP/1.1\r\n\r\n"), .malformed("bad request line")),
        ("no method", bytes(" / HTTP/1.1\r\n\r\n"), .malformed("bad request line")),
        ("asterisk target", bytes("OPTIONS * HTTP/1.1\r\n\r\n"), .malformed("bad request line")),
        ("bare LF in target", bytes("GET /a\nb HTTP/1.1\r\n\r\n"), .malformed("bare CR or LF in a header")),
        ("empty start line", bytes("\r\n\r\n"), .malformed("empty start line")),
        ("chunked body", bytes("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
         .malformed("chunked request bodies are not supported")),
        ("CL and TE", bytes("POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
         .malformed("both Content-Length and Transfer-Encoding")),
        ("bad Content-Length", bytes("POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), .malformed("bad Content-Length")),
        ("two Content-Lengths", bytes("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"),
         .malformed("more than one Content-Length")),
        ("body over 64 KiB", bytes("POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"), .tooLarge("body")),
        ("header without colon", bytes("GET / HTTP/1.1\r\nNoColon\r\n\r\n"), .malformed("header line without a colon")),
        ("folded header", bytes("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"), .malformed("folded header line")),
        ("control character", bytes("GET / HTTP/1.1\r\nA: \u{0}\r\n\r\n"), .malformed("control character in header section")),
        ("not UTF-8", bytes("GET / HTTP/1.1\r\nA: ") + [0xFF] + bytes("\r\n\r\n"), .malformed("header section is not UTF-8")),
        ("header flood, no end", bytes("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17_000)), .tooLarge("request headers")),
        ("header flood with an end", bytes("GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 17_000) + "\r\n\r\n"),
         .tooLarge("request headers")),
    ]

    @Test(arguments: bad)
    func refuses(_ name: String, _ wire: [UInt8], _ expected: HTTPError) {
        // Byte by byte only for short inputs: this parser rescans its buffer on every feed.
        for piece in wire.count < 2000 ? [wire.count, 1] : [wire.count, 1000] {
            var parser = RequestParser()
            var thrown: HTTPError?
            var offset = 0
            while offset < wire.count, thrown == nil {
                let end = min(wire.count, offset + piece)
                do {
                    let request = try parser.feed(Array(wire[offset..<end]))
                    #expect(request == nil, "\(name): accepted")
                } catch {
                    thrown = error
                }
                offset = end
            }
            #expect(thrown == expected, "\(name), pieces of \(piece)")
        }
    }

    /// The request head may be exactly 16 KiB, whether it arrives at once or in small pieces.
    @Test(arguments: [1, 3, 4096, Int.max])
    func headerSectionAtTheLimit(_ piece: Int) throws {
        let prefix = "GET / HTTP/1.1\r\nX-Pad: "
        let head = prefix + String(repeating: "a", count: HTTPLimits.maxHeaderBytes - prefix.utf8.count)
        let wire = bytes(head + "\r\n\r\n")
        var parser = RequestParser()
        var result: ServerRequest?
        var offset = 0
        // Pieces of 1 byte make this parser rescan its buffer each time; only the last 8 bytes go one by one.
        if piece < 4096 {
            result = try parser.feed(Array(wire[0..<(wire.count - 8)]))
            offset = wire.count - 8
        }
        while offset < wire.count, result == nil {
            let end = min(wire.count, offset + min(piece, wire.count))
            result = try parser.feed(Array(wire[offset..<end]))
            offset = end
        }
        #expect(result?.headers["x-pad"]?.count == HTTPLimits.maxHeaderBytes - prefix.utf8.count)
    }
}

@Suite("HTTPError")
struct HTTPErrorTests {
    @Test(arguments: [
        (HTTPError.transport(TransportError(.connect, "refused")), true), (.timedOut(connected: true), true),
        (.timedOut(connected: false), true), (.closed, true), (.transport(TransportError(.io, "reset")), true),
        (.transport(TransportError(.notAllowed, "not loopback")), false), (.malformed("x"), false), (.tooLarge("body"), false),
    ])
    func transience(_ error: HTTPError, _ transient: Bool) {
        #expect(error.isTransient == transient)
        #expect(!error.description.isEmpty)
    }

    @Test func descriptions() {
        #expect(HTTPError.tooLarge("body").description == "body over the limit")
        #expect(HTTPError.malformed("bad chunk size").description == "malformed HTTP response (bad chunk size)")
        #expect(HTTPError.timedOut(connected: true).description != HTTPError.timedOut(connected: false).description)
    }
}
