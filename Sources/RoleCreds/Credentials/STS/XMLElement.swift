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
}
