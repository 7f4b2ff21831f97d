/// A session policy (`--session-policy FILE`): checked locally before any call and sent compact, so a
/// typo is a usage error naming the file rather than an STS refusal after the base credentials were fetched.
public enum SessionPolicy {
    /// The longest policy STS accepts (its `sessionPolicyDocumentType`), counted once compacted.
    public static let maxLength = 2048

    /// Reads and checks the policy file at `path`; the compact JSON text.
    public static func load(path: String) throws(UsageError) -> String {
        do { return try compact(try readRequiredFile(path), path: path) } catch let error as FileReadError {
            throw UsageError("cannot read the session policy file \(path.quotable(limit: 200)) (\(error))")
        } catch let error as UsageError { throw error } catch { throw UsageError("\(error)") }
    }

    /// The compact JSON text of the policy document `bytes` (read from `path`, named in errors): a JSON
    /// object of at most `maxLength` characters once compacted.
    public static func compact(_ bytes: [UInt8], path: String) throws(UsageError) -> String {
        let name = path.quotable(limit: 200)
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw UsageError("session policy file \(name) is not valid JSON (\(error))") }
        guard case .object = json else { throw UsageError("session policy file \(name) is not a JSON object") }
        let text = json.compactText
        guard text.count <= maxLength else {
            throw UsageError("session policy file \(name) is \(text.count) characters once compacted; STS accepts at most \(maxLength)")
        }
        return text
    }
}
