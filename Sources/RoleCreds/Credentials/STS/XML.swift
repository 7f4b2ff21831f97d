/// An XML element: just enough XML for STS answers. Attributes (STS sends only `xmlns`) are checked for
/// form and dropped; `text` is the element's own character data (text and CDATA, entities resolved),
/// without that of its children.
public struct XMLElement: Equatable, Sendable {
    public var name: String
    public var text: String
    public var children: [XMLElement]

    public init(name: String, text: String = "", children: [XMLElement] = []) {
        self.name = name; self.text = text; self.children = children
    }

    /// The first child named `name`, or nil.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// The element at the end of `path` (child names), or nil.
    public func find(_ path: String...) -> XMLElement? {
        var element = self
        for name in path {
            guard let next = element.child(name) else { return nil }
            element = next
        }
        return element
    }

    /// Every element of the tree, this one first, depth first.
    public var allElements: [XMLElement] {
        var out: [XMLElement] = []
        var stack = [self]
        while let e = stack.popLast() {
            out.append(e)
            stack.append(contentsOf: e.children.reversed())
        }
        return out
    }

    /// XML text for this element (no declaration), escaped so that `XML.parse` gives it back.
    public var serialized: String {
        var out = ""
        var stack: [(XMLElement, Bool)] = [(self, false)]
        while let (e, closing) = stack.popLast() {
            if closing { out += "</\(e.name)>"; continue }
            out += "<\(e.name)>" + XML.escape(e.text)
            stack.append((e, true))
            for child in e.children.reversed() { stack.append((child, false)) }
        }
        return out
    }
}

/// Why an XML text was refused. The sentence never quotes the input.
public struct XMLError: Error, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String, at offset: Int) { self.description = "\(description) at byte \(offset)" }
}

/// A small, bounded XML reader for STS answers: elements, attributes, character data, the five
/// predefined entities and numeric character references, CDATA, comments and processing instructions
/// (skipped). No DTD (a `<!DOCTYPE` is refused, so no entity expansion can blow up) and no namespaces
/// beyond keeping a prefixed name as it is.
public enum XML {
    /// The limits that keep hostile input cheap.
    public struct Limits: Sendable {
        public var maxBytes = 64 * 1024
        public var maxDepth = 32
        public var maxElements = 4096
        public var maxNameLength = 256
        public var maxAttributes = 32
        public init() {}
    }

    /// Parses a complete document from UTF-8 bytes: an optional declaration, comments and processing
    /// instructions around exactly one root element.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(XMLError) -> XMLElement {
        guard bytes.count <= limits.maxBytes else { throw XMLError("document larger than \(limits.maxBytes) bytes", at: limits.maxBytes) }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw XMLError("document is not valid UTF-8", at: 0) }
        var reader = XMLReader(bytes: bytes, limits: limits)
        // A byte order mark may start the document.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { reader.i = 3 }
        try reader.misc()
        guard reader.peek == UInt8(ascii: "<") else { throw XMLError("expected the root element", at: reader.i) }
        let root = try reader.element()
        try reader.misc()
        guard reader.atEnd else { throw XMLError("unexpected content after the root element", at: reader.i) }
        return root
    }

    /// `text` with `&`, `<`, `>` escaped, and each character XML 1.0 cannot carry literally (CR, which
    /// parsers fold into LF) as a character reference.
    public static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

private struct XMLReader {
    let bytes: [UInt8]
    let limits: XML.Limits
    var i = 0
    var elements = 0

    init(bytes: [UInt8], limits: XML.Limits) { self.bytes = bytes; self.limits = limits }

    var atEnd: Bool { i >= bytes.count }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    func looking(at text: String) -> Bool {
        var k = i
        for b in text.utf8 {
            guard k < bytes.count, bytes[k] == b else { return false }
            k += 1
        }
        return true
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    mutating func skipSpace() { while let b = peek, Self.isSpace(b) { i += 1 } }

    /// White space, comments and processing instructions (the declaration among them) outside the root.
    mutating func misc() throws(XMLError) {
        while true {
            skipSpace()
            if looking(at: "<?") {
                try processingInstruction()
            } else if looking(at: "<!--") {
                try comment()
            } else if looking(at: "<!") {
                throw XMLError("document type declarations are not accepted", at: i)
            } else {
                return
            }
        }
    }

    mutating func skip(past end: String, what: String) throws(XMLError) {
        let start = i
        while !atEnd {
            if looking(at: end) { i += end.utf8.count; return }
            try checkChar()
        }
        throw XMLError("unterminated \(what)", at: start)
    }

    mutating func processingInstruction() throws(XMLError) {
        i += 2
        _ = try name() // the target (`xml` for the declaration): nothing here depends on it
        guard let b = peek, Self.isSpace(b) || looking(at: "?>") else { throw XMLError("bad processing instruction", at: i) }
        try skip(past: "?>", what: "processing instruction")
    }

    mutating func comment() throws(XMLError) {
        let start = i
        i += 4
        while !atEnd {
            if looking(at: "--") {
                guard looking(at: "-->") else { throw XMLError("'--' inside a comment", at: i) }
                i += 3
                return
            }
            try checkChar()
        }
        throw XMLError("unterminated comment", at: start)
    }

    /// Accepts the byte at `i` if XML 1.0 allows the character it starts (tab, LF, CR and everything from
    /// space up but U+FFFE and U+FFFF; surrogates cannot occur in valid UTF-8) and moves past it.
    mutating func checkChar() throws(XMLError) {
        let b = bytes[i]
        if b < 0x20 && !Self.isSpace(b) { throw XMLError("control character", at: i) }
        // U+FFFE and U+FFFF (EF BF BE/BF) are not XML characters. The input is valid UTF-8.
        if b == 0xEF, i + 2 < bytes.count, bytes[i + 1] == 0xBF, bytes[i + 2] >= 0xBE { throw XMLError("non-character", at: i) }
        i += 1
    }

    static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_") || b == UInt8(ascii: ":") || b >= 0x80
    }

    static func isNameChar(_ b: UInt8) -> Bool {
        isNameStart(b) || (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    mutating func name() throws(XMLError) -> String {
        let start = i
        guard let b = peek, Self.isNameStart(b) else { throw XMLError("expected a name", at: i) }
        i += 1
        while let b = peek, Self.isNameChar(b) {
            i += 1
            guard i - start <= limits.maxNameLength else { throw XMLError("name longer than \(limits.maxNameLength) bytes", at: start) }
        }
        // Non-ASCII bytes are accepted as name characters as a whole UTF-8 sequence: the input is valid
        // UTF-8, and a name never ends inside a sequence because continuation bytes are >= 0x80.
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    /// An element and everything in it, iteratively: depth is bounded by `limits.maxDepth`, not the stack.
    mutating func element() throws(XMLError) -> XMLElement {
        var open: [(element: XMLElement, text: [UInt8])] = []
        while true {
            // At `<` of a start tag.
            let tagStart = i
            i += 1
            let name = try name()
            elements += 1
            guard elements <= limits.maxElements else { throw XMLError("more than \(limits.maxElements) elements", at: tagStart) }
            guard open.count < limits.maxDepth else { throw XMLError("nested deeper than \(limits.maxDepth) elements", at: tagStart) }
            let empty = try attributes()
            if empty {
                let done = XMLElement(name: name)
                if open.isEmpty { return done }
                open[open.count - 1].element.children.append(done)
            } else {
                open.append((XMLElement(name: name), []))
            }
            // Content until the next start tag, or until the stack is empty.
            while !open.isEmpty {
                guard let b = peek else { throw XMLError("unterminated element", at: i) }
                if b == UInt8(ascii: "<") {
                    if looking(at: "</") {
                        let closeAt = i
                        i += 2
                        let closing = try self.name()
                        skipSpace()
                        guard peek == UInt8(ascii: ">") else { throw XMLError("expected '>'", at: i) }
                        i += 1
                        var (finished, text) = open.removeLast()
                        guard closing == finished.name else { throw XMLError("end tag does not match its start tag", at: closeAt) }
                        finished.text = String(decoding: text, as: UTF8.self)
                        if open.isEmpty { return finished }
                        open[open.count - 1].element.children.append(finished)
                    } else if looking(at: "<!--") {
                        try comment()
                    } else if looking(at: "<![CDATA[") {
                        i += 9
                        let start = i
                        while true {
                            guard !atEnd else { throw XMLError("unterminated CDATA section", at: start) }
                            if looking(at: "]]>") { break }
                            try checkChar()
                        }
                        appendText(&open, normalizingNewlines: bytes[start..<i])
                        i += 3
                    } else if looking(at: "<?") {
                        try processingInstruction()
                    } else if looking(at: "<!") {
                        throw XMLError("unexpected declaration", at: i)
                    } else {
                        break // a child's start tag
                    }
                } else if b == UInt8(ascii: "&") {
                    let scalar = try reference()
                    open[open.count - 1].text += Array(String(scalar).utf8)
                } else {
                    let start = i
                    while let c = peek, c != UInt8(ascii: "<"), c != UInt8(ascii: "&") {
                        if looking(at: "]]>") { throw XMLError("']]>' in text", at: i) }
                        try checkChar()
                    }
                    appendText(&open, normalizingNewlines: bytes[start..<i])
                }
            }
        }
    }

    /// Appends literal text with CR LF and lone CR made LF (XML 1.0 §2.11).
    func appendText(_ open: inout [(element: XMLElement, text: [UInt8])], normalizingNewlines text: ArraySlice<UInt8>) {
        var k = text.startIndex
        while k < text.endIndex {
            let b = text[k]
            if b == 0x0D {
                open[open.count - 1].text.append(0x0A)
                if k + 1 < text.endIndex, text[k + 1] == 0x0A { k += 1 }
            } else {
                open[open.count - 1].text.append(b)
            }
            k += 1
        }
    }

    /// Attributes up to the end of a start tag; true when the tag was `/>`. Values are checked and dropped.
    mutating func attributes() throws(XMLError) -> Bool {
        var names: [String] = []
        while true {
            let hadSpace = peek.map(Self.isSpace) ?? false
            skipSpace()
            guard let b = peek else { throw XMLError("unterminated start tag", at: i) }
            if b == UInt8(ascii: ">") { i += 1; return false }
            if looking(at: "/>") { i += 2; return true }
            guard hadSpace else { throw XMLError("expected white space before an attribute", at: i) }
            let attribute = try name()
            guard !names.contains(attribute) else { throw XMLError("repeated attribute", at: i) }
            names.append(attribute)
            guard names.count <= limits.maxAttributes else { throw XMLError("more than \(limits.maxAttributes) attributes", at: i) }
            skipSpace()
            guard peek == UInt8(ascii: "=") else { throw XMLError("expected '='", at: i) }
            i += 1
            skipSpace()
            guard let quote = peek, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else {
                throw XMLError("expected a quoted attribute value", at: i)
            }
            i += 1
            while true {
                guard let c = peek else { throw XMLError("unterminated attribute value", at: i) }
                if c == quote { i += 1; break }
                if c == UInt8(ascii: "<") { throw XMLError("'<' in an attribute value", at: i) }
                if c == UInt8(ascii: "&") { _ = try reference() } else { try checkChar() }
            }
        }
    }

    /// An entity or character reference at `&`.
    mutating func reference() throws(XMLError) -> Unicode.Scalar {
        let start = i
        i += 1
        var body: [UInt8] = []
        while let b = peek, b != UInt8(ascii: ";") {
            body.append(b)
            i += 1
            guard body.count <= 10 else { throw XMLError("bad reference", at: start) }
        }
        guard peek == UInt8(ascii: ";") else { throw XMLError("unterminated reference", at: start) }
        i += 1
        switch String(decoding: body, as: UTF8.self) {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default: break
        }
        guard body.first == UInt8(ascii: "#"), body.count >= 2 else { throw XMLError("unknown entity", at: start) }
        var digits = body.dropFirst()
        var radix: UInt32 = 10
        if digits.first == UInt8(ascii: "x") { radix = 16; digits = digits.dropFirst() }
        guard !digits.isEmpty else { throw XMLError("bad character reference", at: start) }
        var value: UInt32 = 0
        for d in digits {
            let v: UInt32
            switch d {
            case 48...57: v = UInt32(d - 48)
            case 65...70 where radix == 16: v = UInt32(d - 55)
            case 97...102 where radix == 16: v = UInt32(d - 87)
            default: throw XMLError("bad character reference", at: start)
            }
            value = value * radix + v
            guard value <= 0x10FFFF else { throw XMLError("character reference out of range", at: start) }
        }
        // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
        let allowed = value == 0x9 || value == 0xA || value == 0xD || (0x20...0xD7FF).contains(value)
            || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
        guard allowed, let scalar = Unicode.Scalar(value) else { throw XMLError("character reference to a non-character", at: start) }
        return scalar
    }
}
