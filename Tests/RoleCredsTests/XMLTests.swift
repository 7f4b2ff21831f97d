import Testing
@testable import RoleCreds

private func parse(_ text: String) throws(XMLError) -> XMLElement { try XML.parse(Array(text.utf8)) }

@Test("XML reads elements, text, entities, references, CDATA; skips declaration, comments, PIs")
func xmlGood() throws {
    let doc = try parse("""
        \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
        <!-- before -->
        <A xmlns="https://sts.amazonaws.com/doc/2011-06-15/" b='1'>
          <B>x &amp; &lt;y&gt; &quot;z&quot; &apos;w&apos; &#65;&#x42;&#x1F600;</B>
          <C><![CDATA[<not & markup>]]>tail<?pi data?><!-- in --></C>
          <D/><E ></E>
          <ns:F>prefixed</ns:F>
        </A>
        <!-- after -->
        """)
    #expect(doc.name == "A")
    #expect(doc.children.map(\.name) == ["B", "C", "D", "E", "ns:F"])
    #expect(doc.child("B")?.text == "x & <y> \"z\" 'w' AB😀")
    #expect(doc.child("C")?.text == "<not & markup>tail")
    #expect(doc.child("D") == XMLElement(name: "D"))
    #expect(doc.find("ns:F")?.text == "prefixed")
    #expect(doc.find("B", "nothing") == nil)
    #expect(try parse("<a>1\r\n2\r3</a>").text == "1\n2\n3", "line ends normalised")
    #expect(try parse("<a>&#13;</a>").text == "\r", "a CR by reference stays")
}

@Test("XML serialization parses back to the same tree", arguments: [
    "<a>x &amp; &lt;y&gt; ]]&gt; &#13; \t\n</a>",
    "<r><s>1</s>mixed<t><u/></t>text</r>",
    "<x>😀 é</x>",
])
func xmlRoundTrip(text: String) throws {
    let doc = try parse(text)
    #expect(try parse(doc.serialized) == doc)
}

@Test("XML refuses malformed input", arguments: [
    ("empty", ""),
    ("text only", "hello"),
    ("unclosed", "<a>"),
    ("mismatched", "<a></b>"),
    ("two roots", "<a/><b/>"),
    ("text after root", "<a/>x"),
    ("bad entity", "<a>&nbsp;</a>"),
    ("unterminated entity", "<a>&amp</a>"),
    ("bare ampersand", "<a>a & b</a>"),
    ("reference to NUL", "<a>&#0;</a>"),
    ("reference to surrogate", "<a>&#xD800;</a>"),
    ("reference too big", "<a>&#x110000;</a>"),
    ("reference not digits", "<a>&#12a;</a>"),
    ("empty reference", "<a>&#;</a>"),
    ("control character", "<a>\u{1}</a>"),
    ("U+FFFE", "<a>\u{FFFE}</a>"),
    ("doctype", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"),
    ("doctype inside", "<a><!DOCTYPE a></a>"),
    ("unterminated comment", "<a><!-- x</a>"),
    ("double dash in comment", "<a><!-- x -- y --></a>"),
    ("unterminated CDATA", "<a><![CDATA[x</a>"),
    ("]]> in text", "<a>x]]>y</a>"),
    ("lt in attribute", "<a b=\"<\"/>"),
    ("unquoted attribute", "<a b=c/>"),
    ("repeated attribute", "<a b='1' b='2'/>"),
    ("attribute without space", "<a b='1'c='2'/>"),
    ("bad name", "<1a/>"),
    ("end tag with attribute", "<a></a b='1'>"),
    ("unterminated PI", "<?xml version='1.0'<a/>"),
    ("PI without target", "<??><a/>"),
    ("PI target then junk", "<?x|y?><a/>"),
])
func xmlBad(name: String, text: String) {
    #expect(throws: XMLError.self, "\(name)") { try parse(text) }
}

@Test("XML refuses invalid UTF-8", arguments: [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] as [[UInt8]])
func xmlBadUTF8(bad: [UInt8]) {
    #expect(throws: XMLError.self) { try XML.parse(Array("<a>".utf8) + bad + Array("</a>".utf8)) }
}

@Test("XML limits: size, depth, element count, name length, attributes")
func xmlLimits() throws {
    var limits = XML.Limits()
    limits.maxBytes = 100
    #expect(throws: XMLError.self) { try XML.parse(Array(("<a>" + String(repeating: "x", count: 94) + "</a>").utf8), limits: limits) }
    #expect(try XML.parse(Array(("<a>" + String(repeating: "x", count: 93) + "</a>").utf8), limits: limits).text.count == 93)

    let depth = XML.Limits().maxDepth
    func nested(_ n: Int) -> [UInt8] { Array((String(repeating: "<a>", count: n) + String(repeating: "</a>", count: n)).utf8) }
    #expect(throws: Never.self) { try XML.parse(nested(depth)) }
    #expect(throws: XMLError.self) { try XML.parse(nested(depth + 1)) }
    // Far deeper than the stack could take if the reader recursed: refused, not a crash.
    #expect(throws: XMLError.self) { try XML.parse(nested(10_000), limits: { var l = XML.Limits(); l.maxBytes = 1 << 20; return l }()) }

    let count = XML.Limits().maxElements
    func flat(_ n: Int) -> [UInt8] { Array(("<r>" + String(repeating: "<e/>", count: n - 1) + "</r>").utf8) }
    #expect(throws: Never.self) { try XML.parse(flat(count)) }
    #expect(throws: XMLError.self) { try XML.parse(flat(count + 1)) }

    let long = String(repeating: "n", count: XML.Limits().maxNameLength)
    #expect(throws: Never.self) { try parse("<\(long)/>") }
    #expect(throws: XMLError.self) { try parse("<\(long)n/>") }

    let attributes = (0..<XML.Limits().maxAttributes).map { " a\($0)='v'" }.joined()
    #expect(throws: Never.self) { try parse("<x\(attributes)/>") }
    #expect(throws: XMLError.self) { try parse("<x\(attributes) z='v'/>") }
}

@Test("XML errors never quote the document")
func xmlErrorsDoNotQuote() {
    do {
        _ = try parse("<SecretAccessKey>SECRETVALUE1234 &bogus;</SecretAccessKey>")
        Issue.record("accepted a bad entity")
    } catch {
        #expect(!error.description.contains("SECRETVALUE"))
        #expect(!error.description.contains("bogus"))
    }
}

extension XMLElement {
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
