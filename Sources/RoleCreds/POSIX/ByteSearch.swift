/// Substring search on UTF-8 bytes. The standard library's `firstRange(of:)` and `contains(_:)` for
/// collections live in `_StringProcessing`, which the static link leaves out as long as nothing calls it
/// (it is ~1 MiB of code and relocations every start would pay for); bytes are also what secret matching must compare.
extension Substring {
    /// The range of the first occurrence of `needle`'s bytes, or nil. An empty needle is found at the start.
    public func firstByteRange(of needle: String) -> Range<Index>? {
        let bytes = utf8, pattern = needle.utf8
        var i = bytes.startIndex
        while true {
            if bytes[i...].starts(with: pattern) { return i..<bytes.index(i, offsetBy: pattern.count) }
            if i == bytes.endIndex { return nil }
            bytes.formIndex(after: &i)
        }
    }

    /// Whether `needle`'s bytes occur in this text.
    public func containsBytes(of needle: String) -> Bool { firstByteRange(of: needle) != nil }
}
