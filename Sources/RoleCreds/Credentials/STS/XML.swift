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
    public static func escape(_ text: String) -> String { SafeText.replacing(text) { escapes[$0] } }

    /// What `escape` writes instead of a scalar.
    static let escapes: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"]
}
