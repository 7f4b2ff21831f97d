@testable import RoleCreds

// The choices the published SigV4 suite varies, which the product never makes (it signs as every
// non-S3 SDK does): the suite's signer is the product's `authorize` with these headers around it.
extension SigV4 {
    struct Options: Sendable, Equatable {
        /// Remove `.`/`..` segments and repeated slashes from the path before encoding (all services but S3).
        var normalizePath = true
        /// Sign `X-Amz-Security-Token`; false adds it after signing (a few legacy services).
        var signSessionToken = true
        /// Add and sign `X-Amz-Content-SHA256` (S3 and a few others).
        var addContentSHA256 = false
    }

    /// Every intermediate of one signature.
    struct Signed {
        var request: HTTPRequest
        var canonicalRequest: String
        var stringToSign: String
        var signature: String
    }

    static func sign(_ request: HTTPRequest, authority: String, accessKeyId: String, secretAccessKey: Secret,
                     sessionToken: Secret?, region: String, service: String, time: Int64, options: Options) -> Signed {
        var out = request
        out.headers.add("X-Amz-Date", amzDate(time))
        if options.addContentSHA256 { out.headers.add("X-Amz-Content-SHA256", SHA256.hex(request.body)) }
        if let sessionToken, options.signSessionToken { out.headers.add("X-Amz-Security-Token", sessionToken.reveal()) }
        var signed = authorize(out, authority: authority, normalizePath: options.normalizePath, accessKeyId: accessKeyId,
                               secretAccessKey: secretAccessKey, region: region, service: service)
        if let sessionToken, !options.signSessionToken { signed.request.headers.add("X-Amz-Security-Token", sessionToken.reveal()) }
        return Signed(request: signed.request, canonicalRequest: signed.canonicalRequest, stringToSign: signed.stringToSign,
                      signature: signed.signature)
    }
}
