/// The reader behind `XML.parse`: a cursor over the document's bytes and the count of elements seen.
struct XMLReader {
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

    /// An element being read: the element so far and its own character data.
    typealias OpenElement = (element: XMLElement, text: [UInt8])

    /// An element and everything in it, iteratively: depth is bounded by `limits.maxDepth`, not the stack.
    mutating func element() throws(XMLError) -> XMLElement {
        var open: [OpenElement] = []
        while true {
            // At `<` of a start tag.
            let tagStart = i
            i += 1
            let name = try name()
            elements += 1
            guard elements <= limits.maxElements else { throw XMLError("more than \(limits.maxElements) elements", at: tagStart) }
            guard open.count < limits.maxDepth else { throw XMLError("nested deeper than \(limits.maxDepth) elements", at: tagStart) }
            if try attributes() {
                let done = XMLElement(name: name)
                if open.isEmpty { return done }
                open[open.count - 1].element.children.append(done)
            } else {
                open.append((XMLElement(name: name), []))
            }
            if let root = try content(&open) { return root }
        }
    }

    /// Content up to the next start tag (nil), or up to the end of the outermost element (that element).
    mutating func content(_ open: inout [OpenElement]) throws(XMLError) -> XMLElement? {
        while !open.isEmpty {
            guard let b = peek else { throw XMLError("unterminated element", at: i) }
            if b == UInt8(ascii: "<") {
                if looking(at: "</") {
                    if let root = try endTag(&open) { return root }
                } else if looking(at: "<!--") {
                    try comment()
                } else if looking(at: "<![CDATA[") {
                    try cdata(&open)
                } else if looking(at: "<?") {
                    try processingInstruction()
                } else if looking(at: "<!") {
                    throw XMLError("unexpected declaration", at: i)
                } else {
                    return nil // a child's start tag
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
        return nil
    }

    /// The end tag at `</`: closes the innermost open element; returns it when it was the outermost.
    mutating func endTag(_ open: inout [OpenElement]) throws(XMLError) -> XMLElement? {
        let closeAt = i
        i += 2
        let closing = try name()
        skipSpace()
        guard peek == UInt8(ascii: ">") else { throw XMLError("expected '>'", at: i) }
        i += 1
        var (finished, text) = open.removeLast()
        guard closing == finished.name else { throw XMLError("end tag does not match its start tag", at: closeAt) }
        finished.text = String(decoding: text, as: UTF8.self)
        if open.isEmpty { return finished }
        open[open.count - 1].element.children.append(finished)
        return nil
    }

    /// A CDATA section at `<![CDATA[`: its text, as it is, goes to the innermost open element.
    mutating func cdata(_ open: inout [OpenElement]) throws(XMLError) {
        i += 9
        let start = i
        while true {
            guard !atEnd else { throw XMLError("unterminated CDATA section", at: start) }
            if looking(at: "]]>") { break }
            try checkChar()
        }
        appendText(&open, normalizingNewlines: bytes[start..<i])
        i += 3
    }

    /// Appends literal text with CR LF and lone CR made LF (XML 1.0 §2.11).
    func appendText(_ open: inout [OpenElement], normalizingNewlines text: ArraySlice<UInt8>) {
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
            guard let v = Hex.value(d).map(UInt32.init), v < radix else { throw XMLError("bad character reference", at: start) }
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
