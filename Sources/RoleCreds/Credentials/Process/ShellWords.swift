/// Splits a `credential_process` command line into words as botocore does (`shlex.split`, POSIX mode,
/// no comments): no shell runs, so no expansion, globbing, pipes or redirections. Pure.
public enum ShellWords {
    /// Why a command line cannot be split; never quotes the line (it may hold a secret argument).
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// The words of `line`. Outside quotes a backslash takes the next character literally; inside
    /// single quotes nothing is special; inside double quotes a backslash escapes only `"` and `\`
    /// (Python's shlex: `escapedquotes = '"'`, `escape = '\\'`). `''` is an empty word.
    public static func split(_ line: String) throws(Failure) -> [String] {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        var quote: Unicode.Scalar?
        var escaped = false
        // Scalars, not Characters: "\r\n" is one Character but two separators to shlex.
        for ch in line.unicodeScalars {
            if escaped {
                // Inside double quotes a backslash before anything but `"` or `\` stays (shlex).
                if quote == "\"" && ch != "\"" && ch != "\\" { word.append("\\" as Unicode.Scalar) }
                word.append(ch)
                escaped = false
                continue
            }
            switch quote {
            case "'":
                if ch == "'" { quote = nil } else { word.append(ch) }
            case "\"":
                if ch == "\"" { quote = nil } else if ch == "\\" { escaped = true } else { word.append(ch) }
            default:
                if isSpace(ch) {
                    if inWord { words.append(String(word)); word = String.UnicodeScalarView(); inWord = false }
                } else if ch == "'" || ch == "\"" {
                    quote = ch; inWord = true
                } else if ch == "\\" {
                    escaped = true; inWord = true
                } else {
                    word.append(ch); inWord = true
                }
            }
        }
        if quote != nil { throw Failure(description: "credential_process has no closing quotation") }
        if escaped { throw Failure(description: "credential_process ends in a lone backslash") }
        if inWord { words.append(String(word)) }
        guard !words.isEmpty else { throw Failure(description: "credential_process is empty") }
        return words
    }

    /// shlex's `whitespace`: space, tab, line feed, carriage return.
    static func isSpace(_ ch: Unicode.Scalar) -> Bool { ch == " " || ch == "\t" || ch == "\n" || ch == "\r" }
}
