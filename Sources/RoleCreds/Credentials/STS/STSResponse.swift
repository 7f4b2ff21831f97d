/// Reads STS answers: `…Response/…Result/Credentials/{AccessKeyId, SecretAccessKey, SessionToken,
/// Expiration}` and `AssumedRoleUser/Arn`, or `ErrorResponse/Error/{Code, Message}`.
public enum STSResponse {
    /// Error codes worth another try (botocore retries them too); 5xx and 429 are retried whatever the code.
    public static let retryableCodes: Set<String> = ["Throttling", "IDPCommunicationError"]

    /// Whether an answer with this status and error code may succeed when asked again.
    public static func isRetryable(status: Int, code: String?) -> Bool {
        status >= 500 || status == 429 || code.map(retryableCodes.contains) == true
    }

    /// Decodes the answer to `call` for `roleArn`: credentials on success, else one `CredentialError` line
    /// naming the call, the role ARN, and the Code and Message (or what was wrong with the answer).
    /// `secrets` are values of ours the answer must never bring into a message (the web identity token,
    /// the base credentials); the answer's own `SecretAccessKey` and `SessionToken` are hidden too.
    /// `now` is Unix seconds: credentials already expired are refused.
    public static func decode(call: STSCall, roleArn: String, status: Int, body: [UInt8], now: Int64,
                              hiding secrets: [String] = []) throws(CredentialError) -> Credentials {
        let what = "STS \(call.rawValue) for \(roleArn.quotable(limit: 200))"
        let document: XMLElement?
        let parseError: XMLError?
        do { document = try XML.parse(body); parseError = nil } catch { document = nil; parseError = error }
        let hidden = secrets + (document.map(secretValues) ?? [])

        if let document, let error = errorElement(document) {
            let code = error.child("Code")?.text.trimmed() ?? ""
            let message = error.child("Message")?.text.trimmed() ?? ""
            let detail = errorDetail(code: code, message: message, secrets: hidden)
            throw CredentialError("\(what) failed (HTTP \(status)): \(detail.quotable(limit: 300, hiding: hidden))",
                                  transient: isRetryable(status: status, code: code))
        }
        guard (200..<300).contains(status) else {
            throw CredentialError("\(what) failed with HTTP \(status)\(parseError == nil ? "" : " and an unreadable body")",
                                  transient: isRetryable(status: status, code: nil))
        }
        guard let document else {
            throw CredentialError(.provider, "\(what): the answer is not XML (\(parseError.map { "\($0)" } ?? ""))", underlying: parseError)
        }
        let resultName = call.rawValue + "Result"
        guard document.name == call.rawValue + "Response", let result = document.child(resultName) else {
            throw CredentialError("\(what): the answer has no \(resultName)")
        }
        func field(_ name: String) throws(CredentialError) -> String {
            guard let element = result.find("Credentials", name) else { throw CredentialError("\(what): the answer has no Credentials/\(name)") }
            let text = element.text.trimmed()
            guard !text.isEmpty else { throw CredentialError("\(what): the answer's Credentials/\(name) is empty") }
            return text
        }
        let keyId = try field("AccessKeyId")
        let secret = try field("SecretAccessKey")
        let token = try field("SessionToken")
        guard let expiration = Timestamp.parse(try field("Expiration")) else {
            throw CredentialError("\(what): the answer's Credentials/Expiration is not an RFC 3339 time")
        }
        guard expiration > now else {
            throw CredentialError("\(what): the credentials STS gave expired at \(Timestamp.format(expiration))", transient: true)
        }
        if let problem = CredentialText.keyIdProblem(keyId) {
            throw CredentialError("\(what): the answer's Credentials/AccessKeyId \(problem)")
        }
        for (name, value) in [("SecretAccessKey", secret), ("SessionToken", token)] {
            if let problem = CredentialText.secretProblem(value) { throw CredentialError("\(what): the answer's Credentials/\(name) \(problem)") }
        }
        let account = result.find("AssumedRoleUser", "Arn").flatMap { accountId(fromArn: $0.text.trimmed()) }
        return Credentials(accessKeyId: keyId, secretAccessKey: Secret(secret), sessionToken: Secret(token),
                           expiration: expiration, accountId: account, roleArn: roleArn)
    }

    /// `Code: Message` for a message, without what may quote a secret. Every STS call carries one (a web
    /// identity token, or a signature made with keys whose session token travels along), and an
    /// endpoint may echo it changed (a character off, another case, split across Code and Message),
    /// where an exact search finds nothing: a Message sharing 12 characters in a row with a secret
    /// held (`secrets`, the registry's) is left out, and a Code that does so too.
    static func errorDetail(code: String, message: String, secrets: [String]) -> String {
        let held = secrets.map { Array($0.unicodeScalars) } + SecretRegistry.shared.secrets
        if Redaction.sharesRun(code, with: held) { return "an error whose code quotes part of a secret" }
        let codeText = code.isEmpty ? "no error code" : code
        guard !message.isEmpty else { return codeText }
        let quoting = [code + ": " + message, code + " " + message, code + message].contains { Redaction.sharesRun($0, with: held) }
        return quoting ? codeText + " (the message is not shown: it quotes part of a secret)" : codeText + ": " + message
    }

    /// `ErrorResponse/Error`, or any `Error` element with a `Code` (some gateways wrap it differently).
    static func errorElement(_ document: XMLElement) -> XMLElement? {
        if document.name == "ErrorResponse", let error = document.child("Error") { return error }
        return document.allElements.first { $0.name == "Error" && $0.child("Code") != nil }
    }

    /// The text of every `SecretAccessKey` and `SessionToken` in the document, as written and trimmed.
    static func secretValues(_ document: XMLElement) -> [String] {
        document.allElements.filter { $0.name == "SecretAccessKey" || $0.name == "SessionToken" }
            .flatMap { [$0.text, $0.text.trimmed()] }.filter { !$0.isEmpty }
    }

    /// The account of `arn:PARTITION:sts::ACCOUNT:assumed-role/ROLE/SESSION` (12 digits), or nil.
    public static func accountId(fromArn arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return String(parts[4])
    }
}
