import RoleCreds

// The properties the fuzz target checks. `scripts/fuzz` compiles this file into the libFuzzer binary
// next to `Fuzz/FuzzTarget.swift`, and the regression tests run the inputs the fuzzer found through it,
// so both check exactly the same thing. It uses only the library's public API and no `Testing`.

/// Checks one fuzz input; returns the violated property, or nil.
///
/// The first byte chooses what is exercised (its low two bits) and how the rest is cut into pieces
/// (its high six bits); the rest is the input proper:
///
/// - 0: an HTTP response (`ResponseParser`), 1: the same as the answer to a HEAD request,
/// - 2: HTTP requests, possibly pipelined (`RequestParser`),
/// - 3: a credential document (`CredentialDocument.decode`, `JSON`) when the pattern is even; an STS
///   answer (`XML`, `STSResponse.decode`) when it is odd (first byte 0x07, 0x0F, …).
enum FuzzOracle {
    /// When credential documents are decoded: 2024-06-01T00:00:00Z.
    static let now: Int64 = 1_717_200_000
    /// Secret and token values this long must never show in a message.
    static let minimumSecretLength = 8

    static func check(_ data: [UInt8]) -> String? {
        guard let selector = data.first else { return nil }
        let input = Array(data.dropFirst())
        let pattern = Int(selector >> 2)
        switch selector & 3 {
        case 0: return checkResponse(input, pattern: pattern, isHead: false)
        case 1: return checkResponse(input, pattern: pattern, isHead: true)
        case 2: return checkRequests(input, pattern: pattern)
        default: return pattern & 1 == 0 ? checkDocument(input) : checkSTSAnswer(input, pattern: pattern)
        }
    }

    // MARK: - Pieces

    /// Where `count` bytes are cut for `pattern` (0...63): byte by byte, in twos and threes, in the
    /// client's 16 KiB reads, or in pseudo-random sizes of a few bounds. Deterministic.
    static func pieces(_ count: Int, pattern: Int) -> [Range<Int>] {
        var cuts: [Range<Int>] = []
        var state = UInt64(pattern) &* 0x9E37_79B9_7F4A_7C15 | 1
        let bounds = [4, 16, 64, 512, 4096]
        var offset = 0
        while offset < count {
            let size: Int
            switch pattern {
            case 0, 1, 2: size = pattern + 1
            case 3: size = 16 * 1024
            default:
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                size = 1 + Int((state >> 33) % UInt64(bounds[pattern % bounds.count]))
            }
            let end = min(count, offset + size)
            cuts.append(offset..<end)
            offset = end
        }
        return cuts
    }

    // MARK: - Responses

    /// What a `ResponseParser` made of a byte stream.
    enum ResponseOutcome: Equatable {
        case response(status: Int, headers: HTTPHeaders, body: [UInt8], trailing: Bool)
        case failed
    }

    /// Feeds `bytes` cut at `cuts` the way `HTTPClient` does: stops at the first response or error,
    /// and calls `finish()` when the bytes run out (the peer closed).
    static func parseResponse(_ bytes: [UInt8], cuts: [Range<Int>], isHead: Bool) -> ResponseOutcome {
        var parser = ResponseParser(isHead: isHead)
        do {
            for cut in cuts {
                if let r = try parser.feed(Array(bytes[cut])) {
                    return .response(status: r.status, headers: r.headers, body: r.body, trailing: parser.hasTrailingBytes)
                }
            }
            let r = try parser.finish()
            return .response(status: r.status, headers: r.headers, body: r.body, trailing: false)
        } catch {
            return .failed
        }
    }

    /// Differential: the response, or the refusal, must not depend on how the bytes arrived.
    static func checkResponse(_ bytes: [UInt8], pattern: Int, isHead: Bool) -> String? {
        let whole = parseResponse(bytes, cuts: bytes.isEmpty ? [] : [0..<bytes.count], isHead: isHead)
        let cut = parseResponse(bytes, cuts: pieces(bytes.count, pattern: pattern), isHead: isHead)
        switch (whole, cut) {
        case (.failed, .failed):
            return nil
        case let (.response(s1, h1, b1, t1), .response(s2, h2, b2, t2)):
            guard s1 == s2, h1 == h2, b1 == b2 else { return "response differs when fed in pieces (pattern \(pattern))" }
            // Fed whole, every byte after the message is trailing; in pieces, only those of the last piece.
            guard t1 || !t2 else { return "trailing bytes seen only when fed in pieces (pattern \(pattern))" }
            return nil
        default:
            return "response fed whole \(whole == .failed ? "fails" : "parses") but fed in pieces \(cut == .failed ? "fails" : "parses") (pattern \(pattern))"
        }
    }

    // MARK: - Requests

    /// One request as `RequestParser` returned it.
    struct Request: Equatable {
        var method: String
        var target: String
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Feeds `bytes` cut at `cuts` the way `HTTPServer` does: after each piece, every complete request.
    static func parseRequests(_ bytes: [UInt8], cuts: [Range<Int>]) -> (requests: [Request], failed: Bool, partial: Bool) {
        var parser = RequestParser()
        var requests: [Request] = []
        do {
            for cut in cuts {
                var next = try parser.feed(Array(bytes[cut]))
                while let r = next {
                    requests.append(Request(method: r.method, target: r.target, headers: r.headers, body: r.body))
                    next = try parser.next()
                }
            }
        } catch {
            return (requests, true, parser.hasPartial)
        }
        return (requests, false, parser.hasPartial)
    }

    /// Differential: the same requests, and the same refusal, however the bytes arrived.
    static func checkRequests(_ bytes: [UInt8], pattern: Int) -> String? {
        let whole = parseRequests(bytes, cuts: bytes.isEmpty ? [] : [0..<bytes.count])
        let cut = parseRequests(bytes, cuts: pieces(bytes.count, pattern: pattern))
        guard whole.requests == cut.requests else {
            return "requests differ when fed in pieces (pattern \(pattern)): \(whole.requests.count) whole, \(cut.requests.count) in pieces"
        }
        guard whole.failed == cut.failed else {
            return "requests fed whole \(whole.failed ? "fail" : "parse") but fed in pieces \(cut.failed ? "fail" : "parse") (pattern \(pattern))"
        }
        guard whole.failed || whole.partial == cut.partial else { return "partial request differs when fed in pieces (pattern \(pattern))" }
        return nil
    }

    // MARK: - Credential documents

    /// The decoder never echoes a secret; what it accepts matches the JSON; JSON round-trips.
    static func checkDocument(_ bytes: [UInt8]) -> String? {
        let json = try? JSON.parse(bytes)
        if let json {
            guard let again = try? JSON.parse(Array(serialize(json).utf8)), again == json else {
                return "JSON does not survive serialize → parse"
            }
        }
        // The secret values as the document states them (the last member wins, as in the decoder).
        var secrets: [String] = []
        for key in ["SecretAccessKey", "Token"] {
            if case .string(let value)? = json?[key], value.count >= minimumSecretLength { secrets.append(value) }
        }
        let result: Result<Credentials, CredentialError> = Result { () throws(CredentialError) in
            try CredentialDocument.decode(bytes, now: now)
        }
        switch result {
        case .success(let credentials):
            guard case .string(let secret)? = json?["SecretAccessKey"], case .string(let token)? = json?["Token"],
                  case .string(let keyId)? = json?["AccessKeyId"],
                  credentials.secretAccessKey.reveal() == secret, credentials.sessionToken.reveal() == token,
                  credentials.accessKeyId == keyId else {
                return "decoded credentials differ from the document"
            }
            guard credentials.expiration > now else { return "accepted expired credentials" }
            // What a description may show: the masked key id, the expiry, the account.
            let shown = [credentials.maskedKeyId, Timestamp.format(credentials.expiration), credentials.accountId ?? ""]
            var dumped = ""
            dump(credentials, to: &dumped)
            for text in [credentials.description, "\(credentials)", String(reflecting: credentials), dumped] {
                for secret in secrets where contains(text, secret) && !shown.contains(where: { contains($0, secret) }) {
                    return "a secret value shows in the description of the credentials"
                }
            }
            return nil
        case .failure(let failure):
            guard let json else { return nil }
            for secret in secrets where contains(failure.description, secret) {
                // A fixed part of the sentence may happen to spell the value: decode again with the
                // value changed everywhere in the document; if the sentence still has it, it is not
                // the document's. The expiry is printed as a time, which the change may break.
                let control = masking(json, secret)
                let controlError: String
                do { _ = try CredentialDocument.decode(Array(serialize(control).utf8), now: now); controlError = "" } catch {
                    controlError = error.description
                }
                if contains(controlError, secret) { continue }
                if case .string(let text)? = json["Expiration"], let t = Timestamp.parse(text), contains(Timestamp.format(t), secret) { continue }
                return "a secret value shows in a decode error"
            }
            return nil
        }
    }

    // MARK: - STS answers

    /// The role the fuzzed STS calls are made for.
    static let roleArn = "arn:aws:iam::123456789012:role/fuzz"

    /// XML round-trips; the STS decoder never echoes a secret: neither the answer's own
    /// `SecretAccessKey`/`SessionToken` nor the caller's web identity token (taken from the document's
    /// `WebIdentityToken` elements, so the fuzzer controls it) shows in an error or a description.
    /// The pattern's other bits choose the HTTP status.
    static func checkSTSAnswer(_ bytes: [UInt8], pattern: Int) -> String? {
        let tree = try? XML.parse(bytes)
        if let tree {
            guard let again = try? XML.parse(Array(tree.serialized.utf8)), again == tree else {
                return "XML does not survive serialized → parse"
            }
        }
        let statuses = [200, 400, 403, 500, 503, 429, 404, 200]
        let status = statuses[(pattern >> 1) % statuses.count]
        let call: STSCall = (pattern >> 4) & 1 == 0 ? .assumeRole : .assumeRoleWithWebIdentity
        func texts(_ names: Set<String>, in tree: XMLElement?) -> [String] {
            (tree?.allElements ?? []).filter { names.contains($0.name) }.map(\.text).filter { $0.count >= minimumSecretLength }
        }
        let tokens = texts(["WebIdentityToken"], in: tree)
        let secrets = texts(["SecretAccessKey", "SessionToken"], in: tree) + tokens
        func decode(_ body: [UInt8], hiding: [String]) -> Result<Credentials, CredentialError> {
            Result { () throws(CredentialError) in
                try STSResponse.decode(call: call, roleArn: roleArn, status: status, body: body, now: now, hiding: hiding)
            }
        }
        switch decode(bytes, hiding: tokens) {
        case .success(let credentials):
            guard (200..<300).contains(status) else { return "accepted credentials from an HTTP \(status) answer" }
            guard let result = tree?.child(call.rawValue + "Result"),
                  let keyId = result.find("Credentials", "AccessKeyId")?.text.trimmed(),
                  let secret = result.find("Credentials", "SecretAccessKey")?.text.trimmed(),
                  let token = result.find("Credentials", "SessionToken")?.text.trimmed(),
                  credentials.accessKeyId == keyId, credentials.secretAccessKey.reveal() == secret,
                  credentials.sessionToken.reveal() == token else {
                return "decoded credentials differ from the answer"
            }
            guard credentials.expiration > now else { return "accepted expired credentials" }
            let shown = [credentials.maskedKeyId, Timestamp.format(credentials.expiration), credentials.accountId ?? "", roleArn]
            var dumped = ""
            dump(credentials, to: &dumped)
            for text in [credentials.description, String(reflecting: credentials), dumped] {
                for secret in secrets where contains(text, secret) && !shown.contains(where: { contains($0, secret) }) {
                    return "a secret value shows in the description of STS credentials"
                }
            }
            return nil
        case .failure(let failure):
            guard let tree else { return nil }
            for secret in secrets where contains(failure.description, secret) {
                // As for documents: if the sentence still has the value once the answer's copy is changed,
                // it comes from fixed text (the role ARN, a status), not from the answer.
                let control = masking(tree, secret).serialized
                let controlTokens = tokens.map { String(decoding: replacingAll(Array($0.utf8), Array(secret.utf8), Array(changed(secret).utf8)), as: UTF8.self) }
                if case .failure(let again) = decode(Array(control.utf8), hiding: controlTokens), contains(again.description, secret) { continue }
                return "a secret value shows in an STS error"
            }
            return nil
        }
    }

    /// `tree` with every occurrence of `secret` in its text replaced by `changed(secret)`.
    static func masking(_ tree: XMLElement, _ secret: String) -> XMLElement {
        let needle = Array(secret.utf8), replacement = Array(changed(secret).utf8)
        func mask(_ e: XMLElement) -> XMLElement {
            XMLElement(name: e.name, text: String(decoding: replacingAll(Array(e.text.utf8), needle, replacement), as: UTF8.self),
                       children: e.children.map(mask))
        }
        return mask(tree)
    }

    /// `secret` changed in every character (same length, same control characters).
    static func changed(_ secret: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in secret.unicodeScalars {
            switch scalar.value {
            case 0x21...0x7E: out.append(Unicode.Scalar(0x21 + (scalar.value - 0x21 + 1) % 94)!)
            case 0x80...: out.append(scalar == "é" ? "è" : "é")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// `json` with every occurrence of `secret` inside string values replaced by a changed copy of it
    /// (same length, same control characters, printable ASCII stays printable ASCII).
    static func masking(_ json: JSON, _ secret: String) -> JSON {
        var changed = String.UnicodeScalarView()
        for scalar in secret.unicodeScalars {
            switch scalar.value {
            case 0x21...0x7E: changed.append(Unicode.Scalar(0x21 + (scalar.value - 0x21 + 1) % 94)!)
            case 0x80...: changed.append(scalar == "é" ? "è" : "é")
            default: changed.append(scalar)
            }
        }
        let replacement = Array(String(changed).utf8)
        let needle = Array(secret.utf8)
        func mask(_ value: JSON) -> JSON {
            switch value {
            case .object(let members): return .object(members.map { ($0.0, mask($0.1)) })
            case .array(let items): return .array(items.map(mask))
            case .string(let text): return .string(String(decoding: replacingAll(Array(text.utf8), needle, replacement), as: UTF8.self))
            default: return value
            }
        }
        return mask(json)
    }

    /// JSON text for `value`.
    static func serialize(_ value: JSON) -> String {
        switch value {
        case .object(let members): return "{" + members.map { JSON.quote($0.0) + ":" + serialize($0.1) }.joined(separator: ",") + "}"
        case .array(let items): return "[" + items.map(serialize).joined(separator: ",") + "]"
        case .string(let text): return JSON.quote(text)
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        }
    }

    /// Whether the UTF-8 of `text` contains that of `part` (bytes, not characters: a secret followed by a
    /// combining mark is still a secret).
    static func contains(_ text: String, _ part: String) -> Bool {
        let haystack = Array(text.utf8), needle = Array(part.utf8)
        return index(of: needle, in: haystack, from: 0) != nil
    }

    static func index(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    static func replacingAll(_ bytes: [UInt8], _ needle: [UInt8], _ replacement: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let j = index(of: needle, in: bytes, from: i) {
            out += bytes[i..<j] + replacement
            i = j + needle.count
        }
        return out + bytes[i...]
    }
}
