#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

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
                                 wait: Wait) throws(TransportError) -> TLSStream {
        let peer = IPAddress.bracketed(host) + ":\(port)"
        guard let ssl = SSL_new(context.context) else {
            throw TransportError(.configuration, "cannot start TLS with \(peer): \(openSSLReason(ERR_get_error()) ?? "out of memory")")
        }
        guard let input = BIO_new(BIO_s_mem()), let output = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw TransportError(.configuration, "cannot start TLS with \(peer): out of memory")
        }
        SSL_set_bio(ssl, input, output)  // the SSL object owns both from here
        let stream = TLSStream(socket: socket, ssl: ssl, input: input, output: output, peer: peer)
        cssl_set_moving_write_buffer(ssl)
        if IPAddress(host) != nil {
            // RFC 6066 forbids an IP address in SNI; the certificate must carry it as an iPAddress SAN.
            guard cssl_set_expected_ip(ssl, host) == 1 else { throw TransportError(.configuration, "cannot verify TLS for \(peer): bad address") }
        } else {
            cssl_set_strict_host_flags(ssl)
            guard SSL_set1_host(ssl, host) == 1, cssl_set_sni(ssl, host) == 1 else {
                throw TransportError(.configuration, "cannot verify TLS for \(peer): bad host name")
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
                    throw StepError.refused(TransportError(.handshake, "TLS handshake with \(peer) failed: connection closed by the server"))
                }
            } catch {
                switch error {
                case .timedOut: throw TransportError(.timedOut, "TLS handshake with \(peer) did not finish before the deadline")
                case .socket(let error): throw TransportError(.handshake, "TLS handshake with \(peer) failed: \(error)", underlying: error)
                case .failed(let why): throw TransportError(.handshake, "TLS handshake with \(peer) failed: \(why)")
                case .refused(let error): throw error
                }
            }
        }
        // SSL_VERIFY_PEER already fails the handshake on a bad chain; checked again so that no
        // configuration slip can let an unverified session carry a request.
        let verify = SSL_get_verify_result(ssl)
        guard verify == cssl_verify_ok(), SSL_get0_peer_certificate(ssl) != nil else {
            throw TransportError(.verification, "TLS handshake with \(peer) failed: certificate verify failed (\(verifyReason(verify)))")
        }
        return stream
    }

    /// How a step of the session failed: the socket's deadline or error, or a TLS refusal.
    private enum StepError: Error {
        case timedOut
        case socket(SocketError)
        case failed(String)
        case refused(TransportError)
    }

    /// The failed handshake in words: the verification result if that is what failed, else OpenSSL's reason.
    private func handshakeFailure() -> StepError {
        let code = ERR_get_error()
        ERR_clear_error()
        if let ssl {
            let verify = SSL_get_verify_result(ssl)
            if verify != cssl_verify_ok() {
                return .refused(TransportError(.verification, "TLS handshake with \(peer) failed: certificate verify failed (\(verifyReason(verify)))"))
            }
        }
        return .refused(TransportError(.handshake, "TLS handshake with \(peer) failed: \(openSSLReason(code) ?? "unknown reason")"))
    }

    /// Sends everything OpenSSL has produced.
    private func flush(wait: Wait) throws(StepError) {
        while BIO_ctrl_pending(output) > 0 {
            var chunk = [UInt8](repeating: 0, count: 16 * 1024 + 512)
            let n = chunk.withUnsafeMutableBytes { BIO_read(output, $0.baseAddress!, Int32($0.count)) }
            guard n > 0 else { return }
            chunk.removeSubrange(Int(n)...)
            do { try socket.sendAll(chunk, wait: wait) } catch .timedOut { throw .timedOut } catch { throw .socket(error) }
        }
    }

    /// Receives what the socket has (within `wait`) and hands it to OpenSSL; false when the peer closed.
    private func fill(wait: Wait) throws(StepError) -> Bool {
        let chunk: [UInt8]
        do { chunk = try socket.receive(max: 16 * 1024 + 512, wait: wait) } catch .timedOut { throw .timedOut } catch {
            throw .socket(error)
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
        case .socket(let error): return .failed("TLS \(what) \(peer) failed: \(error)", underlying: error)
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
