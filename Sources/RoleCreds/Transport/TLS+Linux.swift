#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// The client side of TLS over the operating system's OpenSSL: TLS 1.2 or newer, the peer's chain
/// verified against a `TrustStore`, its name (or IP address) checked. OpenSSL is initialised by the
/// first context, so the plain-http metadata path never runs any of it.
public final class TLSContext: @unchecked Sendable {
    // SSL_CTX is internally locked for the read-only use made of it after set-up (ssl(7) threads).
    let context: OpaquePointer
    /// Where the trusted CA certificates were loaded from.
    public let trust: TrustStore

    /// A context trusting exactly `trust`; a file that cannot be read or holds no certificate is an error.
    public init(trust: TrustStore) throws(TLSError) {
        _ = TLSLibrary.initialized
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "cannot create a TLS context: \(openSSLReason(ERR_get_error()) ?? "out of memory")")
        }
        self.context = context
        self.trust = trust
        guard cssl_ctx_require_tls12(context) == 1 else {
            throw TLSError(.configuration, "cannot require TLS 1.2: \(openSSLReason(ERR_get_error()) ?? "unknown reason")")
        }
        cssl_ctx_set_safe_options(context)
        SSL_CTX_set_verify(context, cssl_verify_peer(), nil)
        for file in trust.files { try Self.load(bundle: file, into: context) }
        for directory in trust.directories {
            // Only registers the directory: certificates are looked up by subject hash during verification.
            _ = SSL_CTX_load_verify_locations(context, nil, directory)
        }
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }

    /// The largest CA bundle read: the biggest real ones (every CA of every distribution, with
    /// comments) are under 1 MiB; a bigger file is a mistake, and each context would hold all of it.
    public static let bundleLimit = 16 * 1024 * 1024

    /// Reads `file` once, without blocking (a FIFO, a device or a directory is refused before any
    /// read) and within `bundleLimit`, then hands its certificates to the context's store.
    private static func load(bundle file: String, into context: OpaquePointer) throws(TLSError) {
        let bytes: [UInt8]
        do { bytes = try readRequiredFile(file, limit: bundleLimit) } catch {
            switch error {
            case .notRegularFile: throw TLSError(.trustStore, "the CA bundle \(file) is \(notRegularFileReason(file) ?? "not a regular file")")
            case .tooLarge: throw TLSError(.trustStore, "the CA bundle \(file) is larger than 16 MiB; name a bundle of CA certificates only")
            case .system(let errno): throw TLSError(.trustStore, "cannot read the CA bundle \(file): \(errno)")
            case .tooOpen: throw TLSError(.trustStore, "cannot read the CA bundle \(file): \(error)")   // not asked for here
            }
        }
        ERR_clear_error()
        let count = bytes.withUnsafeBytes { cssl_ctx_add_pem_bundle(context, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else {
            let reason = openSSLReason(ERR_get_error()) ?? "no certificate found"
            ERR_clear_error()
            throw TLSError(.trustStore, "cannot load CA certificates from \(file) (\(reason))")
        }
    }

    /// A context over the system trust store (`TrustStore.choose` with the real file system) plus
    /// `AWS_CA_BUNDLE` or the profile's `ca_bundle`.
    public static func system(environment: EnvironmentLookup = .current(), profileCABundle: String? = nil) throws(TLSError) -> TLSContext {
        let trust = try TrustStore.choose(environment: environment, profileCABundle: profileCABundle,
                                          fileExists: { notRegularFileReason($0) == nil }, directoryExists: { isDirectory($0) },
                                          whyNotAFile: { notRegularFileReason($0) ?? "not a regular file" })
        return try TLSContext(trust: trust)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

/// OpenSSL's one-time initialisation, run by the first `TLSContext` and never at start-up.
enum TLSLibrary {
    static let initialized: Bool = cssl_init() == 1
}

/// The reason text of an OpenSSL error code (`ERR_get_error`), or nil for none.
func openSSLReason(_ code: UInt) -> String? {
    guard code != 0 else { return nil }
    if let text = cssl_error_reason(code) { return String(cString: text) }
    var buffer = [CChar](repeating: 0, count: 256)
    ERR_error_string_n(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A TLS session over a connected socket, after a verified handshake. It owns the socket.
///
/// OpenSSL reads and writes memory buffers, never the descriptor: every byte goes through `Socket`,
/// so each wait honours the deadline and the interrupt descriptor, and every send uses MSG_NOSIGNAL
/// (OpenSSL's socket BIO uses write(2), which would raise SIGPIPE on a closed connection).
public final class TLSStream: ByteStream {
    let socket: Socket
    private var ssl: OpaquePointer?
    /// OpenSSL's input (ciphertext from the socket) and output (ciphertext for the socket).
    private let input: OpaquePointer
    private let output: OpaquePointer
    /// `host:port` of the verified peer, for messages.
    public let peer: String

    private init(socket: Socket, ssl: OpaquePointer, input: OpaquePointer, output: OpaquePointer, peer: String) {
        self.socket = socket; self.ssl = ssl; self.input = input; self.output = output; self.peer = peer
    }

    deinit { close() }

    /// Runs the handshake over `socket` within `wait`, verifying the chain against
    /// `context`'s trust and the certificate against `host` (a name, with SNI, or an IP address). No
    /// application byte is written before this returns, so an untrusted server never sees the request.
    /// `host` is the real server's, also through a proxy tunnel.
    public static func handshake(over socket: Socket, context: TLSContext, host: String, port: UInt16,
                                 wait: Wait) throws(TLSError) -> TLSStream {
        let peer = HTTPURL(host: host, port: port).authorityHost + ":\(port)"
        guard let ssl = SSL_new(context.context) else {
            throw TLSError(.configuration, "cannot start TLS with \(peer): \(openSSLReason(ERR_get_error()) ?? "out of memory")")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TLSError(.configuration, "cannot start TLS with \(peer): out of memory")
        }
        SSL_set_bio(ssl, input, output)  // the SSL object owns both from here
        let stream = TLSStream(socket: socket, ssl: ssl, input: input, output: output, peer: peer)
        cssl_set_moving_write_buffer(ssl)
        if isIPAddress(host) {
            // RFC 6066 forbids an IP address in SNI; the certificate must carry it as an iPAddress SAN.
            guard cssl_set_expected_ip(ssl, host) == 1 else { throw TLSError(.configuration, "cannot verify TLS for \(peer): bad address") }
        } else {
            cssl_set_strict_host_flags(ssl)
            guard SSL_set1_host(ssl, host) == 1, cssl_set_sni(ssl, host) == 1 else {
                throw TLSError(.configuration, "cannot verify TLS for \(peer): bad host name")
            }
        }
        while true {
            ERR_clear_error()
            let rc = SSL_connect(ssl)
            let error = SSL_get_error(ssl, rc)
            do throws(StepError) {
                // Whatever the step produced goes out first: the ClientHello, the Finished, or the
                // alert that tells a server why it was refused.
                try stream.flush(wait: wait)
                if rc == 1 { break }
                guard error == cssl_error_want_read() else { throw stream.handshakeFailure() }
                guard try stream.fill(wait: wait) else {
                    throw StepError.refused(TLSError(.handshake, "TLS handshake with \(peer) failed: connection closed by the server"))
                }
            } catch {
                switch error {
                case .timedOut: throw TLSError(.timedOut, "TLS handshake with \(peer) did not finish before the deadline")
                case .failed(let why): throw TLSError(.handshake, "TLS handshake with \(peer) failed: \(why)")
                case .refused(let error): throw error
                }
            }
        }
        // SSL_VERIFY_PEER already fails the handshake on a bad chain; checked again so that no
        // configuration slip can let an unverified session carry a request.
        let verify = SSL_get_verify_result(ssl)
        guard verify == cssl_verify_ok(), SSL_get0_peer_certificate(ssl) != nil else {
            throw TLSError(.verification, "TLS handshake with \(peer) failed: certificate verify failed (\(verifyReason(verify)))")
        }
        return stream
    }

    /// How a step of the session failed: the socket's deadline or error, or a TLS refusal.
    private enum StepError: Error {
        case timedOut
        case failed(String)
        case refused(TLSError)
    }

    /// The failed handshake in words: the verification result if that is what failed, else OpenSSL's reason.
    private func handshakeFailure() -> StepError {
        let code = ERR_get_error()
        ERR_clear_error()
        if let ssl {
            let verify = SSL_get_verify_result(ssl)
            if verify != cssl_verify_ok() {
                return .refused(TLSError(.verification, "TLS handshake with \(peer) failed: certificate verify failed (\(verifyReason(verify)))"))
            }
        }
        return .refused(TLSError(.handshake, "TLS handshake with \(peer) failed: \(openSSLReason(code) ?? "unknown reason")"))
    }

    /// Sends everything OpenSSL has produced.
    private func flush(wait: Wait) throws(StepError) {
        while BIO_ctrl_pending(output) > 0 {
            var chunk = [UInt8](repeating: 0, count: 16 * 1024 + 512)
            let n = chunk.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress!, Int32($0.count)) }
            guard n > 0 else { return }
            chunk.removeSubrange(Int(n)...)
            do { try socket.sendAll(chunk, wait: wait) } catch .timedOut { throw .timedOut } catch {
                throw .failed(error.description)
            }
        }
    }

    /// Receives what the socket has (within `wait`) and hands it to OpenSSL; false when the peer closed.
    private func fill(wait: Wait) throws(StepError) -> Bool {
        let chunk: [UInt8]
        do { chunk = try socket.receive(max: 16 * 1024 + 512, wait: wait) } catch .timedOut { throw .timedOut } catch {
            throw .failed(error.description)
        }
        guard !chunk.isEmpty else { return false }
        // A memory BIO takes every byte it is given.
        _ = chunk.withUnsafeBytes { BIO_write(input, $0.baseAddress!, Int32($0.count)) }
        return true
    }

    /// The step's failure as a stream error that names the peer.
    private func streamError(_ error: StepError, _ what: String) -> StreamError {
        switch error {
        case .timedOut: return .timedOut
        case .failed(let why): return .failed("TLS \(what) \(peer) failed: \(why)")
        case .refused(let error): return .failed(error.message)
        }
    }

    public func write(_ bytes: [UInt8], wait: Wait) throws(StreamError) {
        guard let ssl else { throw .failed("TLS connection to \(peer) is closed") }
        do throws(StepError) {
            var offset = 0
            while offset < bytes.count {
                ERR_clear_error()
                let n = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32(clamping: bytes.count - offset)) }
                if n > 0 { offset += Int(n); continue }
                let error = SSL_get_error(ssl, n)
                try flush(wait: wait)
                guard error == cssl_error_want_read() else { throw failure() }
                guard try fill(wait: wait) else { throw StepError.failed("connection closed") }
            }
            try flush(wait: wait)
        } catch {
            throw streamError(error, "write to")
        }
    }

    public func read(max: Int, wait: Wait) throws(StreamError) -> [UInt8] {
        guard let ssl else { throw .failed("TLS connection to \(peer) is closed") }
        var buffer = [UInt8](repeating: 0, count: max)
        do throws(StepError) {
            while true {
                ERR_clear_error()
                let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress!, Int32(clamping: max)) }
                let error = SSL_get_error(ssl, n)
                // Reading may produce output of its own (a KeyUpdate answer, an alert).
                try flush(wait: wait)
                if n > 0 { buffer.removeSubrange(Int(n)...); return buffer }
                if error == cssl_error_zero_return() { return [] }  // close_notify: a clean end of stream
                guard error == cssl_error_want_read() else { throw failure() }
                // A close without close_notify may be a truncation: an error, not an end of stream.
                guard try fill(wait: wait) else { throw StepError.failed("connection closed without close_notify") }
            }
        } catch {
            throw streamError(error, "read from")
        }
    }

    /// OpenSSL's reason for a failed read or write.
    private func failure() -> StepError {
        let reason = openSSLReason(ERR_get_error()) ?? "unknown reason"
        ERR_clear_error()
        return .failed(reason)
    }

    public func isStale() -> Bool {
        guard let ssl else { return true }
        var pfd = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, 0) > 0 else { return false }
        // Readable may mean only a TLS 1.3 session ticket, or a close: let OpenSSL look at the bytes.
        guard let more = try? fill(wait: Wait(deadline: 0, clock: SystemClock())), more else { return true }
        ERR_clear_error()
        var byte: UInt8 = 0
        let n = SSL_peek(ssl, &byte, 1)
        let stale = n > 0 || SSL_get_error(ssl, n) != cssl_error_want_read()
        ERR_clear_error()
        return stale
    }

    public func close() {
        guard let ssl else { return }
        // One close_notify, sent only if the socket takes it at once (the server may already be gone).
        _ = SSL_shutdown(ssl)
        try? flush(wait: Wait(deadline: 0, clock: SystemClock()))
        ERR_clear_error()
        SSL_free(ssl)  // frees both memory BIOs
        self.ssl = nil
        socket.close()
    }
}

/// The X.509 verification result in words ("unable to get local issuer certificate").
func verifyReason(_ result: Int) -> String {
    String(cString: X509_verify_cert_error_string(result))
}

/// True for an IPv4 or IPv6 literal (as parsed by inet_pton, not by looks).
func isIPAddress(_ host: String) -> Bool {
    var v4 = in_addr()
    var v6 = in6_addr()
    return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
}
