/// Durations as users type them: `90`, `90s`, `15m`, `1h`, `1h30m`, `500ms`, `1.5s`.
public enum DurationText {
    /// Milliseconds, or nil when `text` is not a duration. A bare number means seconds.
    public static func parseMillis(_ text: String) -> Int64? {
        guard !text.isEmpty, text.count <= 32 else { return nil }
        // A bare number is seconds and obeys the same one-year cap as `…s`.
        if let seconds = decimalMillis(Substring(text), unit: 1000) { return seconds > 365 * 24 * 3_600_000 ? nil : seconds }
        var total: Int64 = 0
        var rest = Substring(text)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            let scale: Int64
            switch unit {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            default: return nil
            }
            guard let part = decimalMillis(number, unit: scale) else { return nil }
            total += part
            if total > 365 * 24 * 3_600_000 { return nil }
        }
        return total
    }

    private static func decimalMillis(_ text: Substring, unit: Int64) -> Int64? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
              text.filter({ $0 == "." }).count <= 1, text.first != ".", text.last != "." else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts[0].count <= 9, let whole = Int64(parts[0]) else { return nil }
        var millis = whole * unit
        if parts.count == 2 {
            let frac = parts[1].prefix(6)
            guard let f = Int64(frac) else { return nil }
            var denominator: Int64 = 1
            for _ in 0..<frac.count { denominator *= 10 }
            millis += f * unit / denominator
        }
        return millis
    }

    /// `1h30m`, `15m`, `10s`, `500ms` for messages.
    public static func format(millis: Int64) -> String {
        if millis % 1000 != 0 || millis == 0 { return "\(millis)ms" }
        var s = millis / 1000
        var out = ""
        if s >= 3600 { out += "\(s / 3600)h"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)m"; s %= 60 }
        if s > 0 { out += "\(s)s" }
        return out
    }
}
