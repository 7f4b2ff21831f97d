/// The format of the shared config and credentials files, read as the AWS SDKs read it (the rules the
/// SDKs' shared test data pins down: `../shared/conformance/profile-parser-tests.json`). Pure.
///
/// - A line is blank, a comment (`#` or `;` in the first column), a section header (`[` in the first
///   column), a continuation (a space or tab in the first column) or a property (`key = value`).
/// - After a header, `#` and `;` start a comment anywhere; after a value only when a blank precedes them
///   (`value;x` keeps `;x`); a continuation line keeps them.
/// - A property with an empty value followed by indented lines has sub-properties, each of which must
///   itself be `key = value`.
/// - Keys are lower-cased. Sections and keys that are not identifiers (`[A-Za-z0-9_\-/.%@:+]`) are ignored.
/// - The config file names profiles `[profile NAME]` (and `[default]`); the credentials file `[NAME]`.
///   The other spelling is ignored. In the config file `[profile default]` hides `[default]`.
/// - A repeated section merges; a repeated key keeps the last value; the credentials file wins over the
///   config file.
public enum ConfigFile {
    /// Parses both files (either may be absent) into one set of profiles. `configPath` and
    /// `credentialsPath` only name the files in messages.
    public static func parse(configText: String?, credentialsText: String?,
                             configPath: String = "the config file",
                             credentialsPath: String = "the credentials file") throws(SettingsError) -> ProfileSet {
        var set = ProfileSet(configPath: configPath, credentialsPath: credentialsPath)
        if let configText {
            merge(try sections(of: configText, kind: .config, path: configPath), kind: .config, into: &set)
        }
        if let credentialsText {
            merge(try sections(of: credentialsText, kind: .credentials, path: credentialsPath), kind: .credentials, into: &set)
        }
        return set
    }

    typealias Line = ArraySlice<Unicode.Scalar>

    /// The sections of one file as written: header text (between the brackets) and properties.
    static func sections(of text: String, kind: ConfigFileKind, path: String) throws(SettingsError) -> [Profile] {
        var sections: [Profile] = []
        // The property that continuation lines extend, and whether they are sub-properties.
        var property: String?
        var isSubProperty = false
        func fail(_ number: Int, _ message: String) -> SettingsError {
            SettingsError(.syntax, "\(path), line \(number): \(message)")
        }
        for (offset, line) in lines(text).enumerated() {
            let number = offset + 1
            guard let first = line.first, !trimmed(line).isEmpty, first != "#", first != ";" else { continue }
            if first == "[" {
                let header = prepared(line, commentsNeedBlank: false)
                guard header.last == "]", header.count >= 2 else {
                    throw fail(number, "Profile definition must end with ']'")
                }
                sections.append(Profile(name: string(header.dropFirst().dropLast())))
                property = nil
                isSubProperty = false
            } else if isBlank(first) {
                guard !sections.isEmpty else { throw fail(number, "Expected a profile definition") }
                guard let key = property else {
                    throw fail(number, "Expected a property definition, found continuation")
                }
                if isSubProperty {
                    switch propertyLine(line) {
                    case .success: break
                    case .failure(.noEquals): throw fail(number, "Expected an '=' sign defining a sub-property")
                    case .failure(.noName): throw fail(number, "Sub-property did not have a name")
                    }
                }
                sections[sections.count - 1].appendLine(string(trimmed(line)), to: key)
            } else {
                guard !sections.isEmpty else { throw fail(number, "Expected a profile definition") }
                switch propertyLine(line) {
                case .success(let (key, value)):
                    sections[sections.count - 1].set(ProfileProperty(name: key, value: value, file: kind))
                    property = key
                    isSubProperty = value.isEmpty
                case .failure(.noEquals): throw fail(number, "Expected an '=' sign defining a property")
                case .failure(.noName): throw fail(number, "Property did not have a name")
                }
            }
        }
        return sections
    }

    /// Merges the sections of one file into `set`, dropping the ones the SDKs ignore.
    static func merge(_ sections: [Profile], kind: ConfigFileKind, into set: inout ProfileSet) {
        var valid: [(prefix: String?, name: String, section: Profile)] = []
        for section in sections {
            let (prefix, name) = splitHeader(section.name)
            guard isIdentifier(name) else { continue }
            switch kind {
            case .config: if prefix == nil && name != "default" { continue }
            case .credentials: if prefix != nil { continue }
            }
            valid.append((prefix, name, section))
        }
        let hasPrefixedDefault = valid.contains { $0.prefix == "profile" && $0.name == "default" }
        for (prefix, name, section) in valid {
            if hasPrefixedDefault && prefix == nil && name == "default" { continue }
            let properties = section.properties.filter { isIdentifier($0.name) }
            switch prefix {
            case nil, "profile": set.mergeProfile(name, properties, from: kind)
            case "sso-session": set.mergeSSOSession(name, properties)
            case let other?: set.mergeOther(prefix: other, name, properties)
            }
        }
    }

    /// `profile foo` → ("profile", "foo"); `foo` → (nil, "foo"). The first space or tab separates them.
    static func splitHeader(_ header: String) -> (prefix: String?, name: String) {
        let scalars = trimmed(Line(header.unicodeScalars))
        guard let gap = scalars.firstIndex(where: isBlank) else { return (nil, trimmingWhitespace(scalars)) }
        return (trimmingWhitespace(scalars[..<gap]), trimmingWhitespace(scalars[(gap + 1)...]))
    }

    /// Profile and key names: ASCII letters and digits and `_ - / . % @ : +`.
    static func isIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { c in
            c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "_-/.%@:+".unicodeScalars.contains(c))
        }
    }

    enum PropertyLineError: Error { case noEquals, noName }

    /// `key = value # comment` → (lower-cased key, value).
    static func propertyLine(_ line: Line) -> Result<(String, String), PropertyLineError> {
        let text = prepared(line, commentsNeedBlank: true)
        guard let eq = text.firstIndex(of: "=") else { return .failure(.noEquals) }
        let key = trimmed(text[..<eq])
        guard !key.isEmpty else { return .failure(.noName) }
        return .success((asciiLowercased(string(key)), string(trimmed(text[(eq + 1)...]))))
    }

    /// The line trimmed and cut at its comment. A comment character counts after any character in a
    /// header, but only after whitespace in a property, so `value;x` keeps `;x`.
    static func prepared(_ line: Line, commentsNeedBlank: Bool) -> Line {
        let line = trimmed(line)
        var previousIsWhitespace = false
        for i in line.indices {
            let c = line[i]
            if (c == "#" || c == ";") && (previousIsWhitespace || !commentsNeedBlank) {
                return trimmed(line[..<i])
            }
            previousIsWhitespace = c.properties.isWhitespace
        }
        return line
    }

    /// Lines split at LF, each without one trailing CR (CRLF files).
    static func lines(_ text: String) -> [Line] {
        let scalars = Array(text.unicodeScalars)
        var result: [Line] = []
        var start = 0
        for i in scalars.indices where scalars[i] == "\n" {
            result.append(withoutCR(scalars[start..<i]))
            start = i + 1
        }
        if start < scalars.count { result.append(withoutCR(scalars[start...])) }
        return result
    }

    private static func withoutCR(_ line: Line) -> Line {
        line.last == "\r" ? line.dropLast() : line
    }

    static func trimmed(_ line: Line) -> Line {
        guard let first = line.firstIndex(where: { !isBlank($0) }) else { return line[line.endIndex...] }
        return line[first...line.lastIndex(where: { !isBlank($0) })!]
    }

    /// Trimmed of any Unicode whitespace (the SDK trims section names this way).
    private static func trimmingWhitespace(_ line: Line) -> String {
        guard let first = line.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return string(line[first...line.lastIndex(where: { !$0.properties.isWhitespace })!])
    }

    static func string(_ line: Line) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: line)
        return String(view)
    }

    static func asciiLowercased(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        for c in text.unicodeScalars {
            view.append(("A"..."Z").contains(c) ? Unicode.Scalar(c.value + 32)! : c)
        }
        return String(view)
    }
}

extension Profile {
    /// A continuation line: appended to the value of `key` after a newline.
    mutating func appendLine(_ line: String, to key: String) {
        guard var property = self[key] else { return }
        property.value += "\n" + line
        set(property)
    }
}
