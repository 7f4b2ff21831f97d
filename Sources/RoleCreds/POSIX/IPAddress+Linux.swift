#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as bytes (4 or 16), parsed only the way `inet_pton` accepts: no octal,
/// no hex, no shortened IPv4 (`127.1`), so what looks like an address is never handed to a resolver.
public struct IPAddress: Equatable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// Parses a literal (IPv6 without brackets); nil for anything else.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if !text.contains("%"), inet_pton(AF_INET6, text, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// `host` as it stands before `:port` in an authority: an IPv6 literal in brackets, else as it is.
    public static func bracketed(_ host: String) -> String { host.contains(":") ? "[\(host)]" : host }

    /// The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`), else self.
    public var unmapped: IPAddress {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return self }
        return IPAddress(bytes: Array(bytes[12...]))!
    }

    /// 127.0.0.0/8 or ::1 (also IPv4-mapped).
    public var isLoopback: Bool {
        let a = unmapped.bytes
        if a.count == 4 { return a[0] == 127 }
        return a == [UInt8](repeating: 0, count: 15) + [1]
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Socket.Address {
    /// The IP address of a resolved IPv4/IPv6 socket address.
    var ip: IPAddress? {
        withUnsafeBytes(of: storage) { raw in
            switch family {
            case AF_INET: return IPAddress(bytes: Array(raw[4..<8]))        // sin_addr
            case AF_INET6: return IPAddress(bytes: Array(raw[8..<24]))      // sin6_addr
            default: return nil
            }
        }
    }

    /// The socket address of `ip` and `port`: a `sockaddr_in` or `sockaddr_in6`, written at the offsets
    /// `ip` reads (netinet/in.h: the port at 2 in both, the address at 4 or 8; sin6_flowinfo and
    /// sin6_scope_id stay 0).
    init(ip: IPAddress, port: UInt16) {
        let v4 = ip.bytes.count == 4
        var storage = sockaddr_storage()
        storage.ss_family = sa_family_t(v4 ? AF_INET : AF_INET6)
        withUnsafeMutableBytes(of: &storage) { raw in
            raw.storeBytes(of: port.bigEndian, toByteOffset: 2, as: UInt16.self)
            UnsafeMutableRawBufferPointer(rebasing: raw[(v4 ? 4 : 8)...]).copyBytes(from: ip.bytes)
        }
        self.init(storage: storage, length: socklen_t(v4 ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size))
    }
}
