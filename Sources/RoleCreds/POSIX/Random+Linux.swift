#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Bytes from the kernel's CSPRNG (getrandom(2)).
public func secureRandomBytes(_ count: Int) throws(Errno) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = bytes.withUnsafeMutableBytes { buf in
            csys_getrandom(buf.baseAddress! + filled, count - filled)
        }
        if n < 0 {
            let error = Errno.current
            if error == .interrupted { continue }
            throw error
        }
        filled += n
    }
    return bytes
}

/// A uniformly random integer in `0..<upperBound` for jitter; not for secrets.
public func jitter(_ upperBound: Int64) -> Int64 {
    guard upperBound > 0 else { return 0 }
    return Int64.random(in: 0..<upperBound)
}
