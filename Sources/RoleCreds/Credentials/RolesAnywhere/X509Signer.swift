/// The X.509 variant of SigV4 that IAM Roles Anywhere's `CreateSession` takes (aws/rolesanywhere-
/// credential-helper's `signRequest`): the canonical request and scope of SigV4 (`SigV4.canonical`),
/// the string to sign under `AWS4-X509-RSA-SHA256` / `AWS4-X509-ECDSA-SHA256`, signed by the
/// private key over SHA-256; the certificate travels in `X-Amz-X509` (base64 DER), intermediates in
/// `X-Amz-X509-Chain` (comma-separated), and `Credential=` names the certificate's decimal serial.
public enum X509Signer {
    /// The service name in the scope.
    public static let service = "rolesanywhere"

    /// Every intermediate of one signature, for the tests.
    struct Signed {
        var request: HTTPRequest
        var canonicalRequest: String
        var stringToSign: String
    }

    /// `request` with `X-Amz-Date`, `X-Amz-X509`, `X-Amz-X509-Chain` (when `chain` is not empty) and
    /// `Authorization` added; `time` is Unix seconds.
    static func sign(_ request: HTTPRequest, authority: String, certificate: X509Certificate, chain: [X509Certificate],
                     key: X509PrivateKey, region: String, time: Int64) throws(CredentialError) -> Signed {
        let amzDate = SigV4.amzDate(time)
        var out = request
        out.headers.add("X-Amz-Date", amzDate)
        out.headers.add("X-Amz-X509", base64(certificate.der))
        if !chain.isEmpty { out.headers.add("X-Amz-X509-Chain", chain.map { base64($0.der) }.joined(separator: ",")) }
        let (canonicalRequest, signedHeaders) = SigV4.canonical(out, authority: authority, normalizePath: true)
        let scope = "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request"
        let stringToSign = SigV4.stringToSign(algorithm: key.algorithm, amzDate: amzDate, scope: scope, canonicalRequest: canonicalRequest)
        let signature = Hex.lowercase(try key.sign(Array(stringToSign.utf8)))
        out.headers.add("Authorization",
                        "\(key.algorithm) Credential=\(certificate.serial)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
        return Signed(request: out, canonicalRequest: canonicalRequest, stringToSign: stringToSign)
    }
}
