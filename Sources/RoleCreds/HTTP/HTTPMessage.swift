/// Header fields in order; names compare case-insensitively.
public struct HTTPHeaders: Sendable, Equatable {
    public var fields: [(name: String, value: String)] = []
    public init(_ fields: [(String, String)] = []) { self.fields = fields.map { (name: $0.0, value: $0.1) } }

    /// The first value of `name`, or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// Every value of `name`.
    public func values(_ name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// ASCII case-insensitive comparison of header names (RFC 9110 §5.1), byte by byte.
    static func sameName(_ a: String, _ b: String) -> Bool {
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c | 0x20 : c }
        return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8) { lower($0) == lower($1) }
    }

    public mutating func add(_ name: String, _ value: String) { fields.append((name: name, value: value)) }

    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool {
        a.fields.count == b.fields.count && zip(a.fields, b.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

/// A request to send: serialized into one buffer so it goes out in one write.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(method: String, path: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.method = method; self.path = path; self.headers = headers; self.body = body
    }

    /// The bytes on the wire, with `Host` and, for bodies or PUT/POST, `Content-Length`.
    public func serialized(authority: String) -> [UInt8] {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: \(authority)\r\n"
        for field in headers.fields { text += "\(field.name): \(field.value)\r\n" }
        if !body.isEmpty || method == "PUT" || method == "POST" { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        return Array(text.utf8) + body
    }
}

/// A received response.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status; self.headers = headers; self.body = body
    }

    /// The body as UTF-8 text, or nil when it is not valid UTF-8.
    public var text: String? { String(validating: body, as: UTF8.self) }

    /// True when the server will close the connection after this response.
    public var closesConnection: Bool {
        headers.values("Connection").contains { $0.lowercased().split(separator: ",").contains { $0.trimmingCharacters() == "close" } }
    }
}

extension Substring {
    /// The text without leading and trailing spaces and tabs.
    func trimmingCharacters() -> Substring {
        var s = self
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return s
    }
}

extension String {
    /// The text without leading and trailing white space (spaces, tabs, CR, LF).
    public func trimmed() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
