#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RoleCreds

/// Arguments and environment entries are bytes; the child must get them unchanged.
@Suite("bytes that are not UTF-8")
struct ByteTextTests {
    /// Byte strings that are not (all) valid UTF-8, or that hold what the escapes use.
    static let samples: [[UInt8]] = [
        Array("caf".utf8) + [0xE9] + Array(".txt".utf8),  // Latin-1 é
        [0xFF], [0x80], [0xC3], [0xC3, 0x28],             // lone continuation, truncated, bad continuation
        [0xE2, 0x82],                                      // truncated 3-byte sequence at the end
        [0xED, 0xA0, 0x80],                                // a UTF-16 surrogate encoded
        [0xC0, 0xAF],                                      // overlong "/"
        [0xF4, 0x90, 0x80, 0x80],                          // beyond U+10FFFF
        [0xF4, 0x8F, 0xBC, 0x80], [0xF4, 0x8F, 0xBF, 0xBF],  // real U+10FF00 and U+10FFFF (what escapes use)
        Array("x=".utf8) + [0xF4, 0x8F, 0xBF, 0xBF, 0xFF] + Array("é€😀".utf8),
        Array("plain ascii".utf8), Array("é€😀".utf8), [],
    ]

    @Test(arguments: samples)
    func roundTrips(_ bytes: [UInt8]) {
        let text = bytes.withUnsafeBufferPointer { ByteText.decode($0) }
        #expect(ByteText.encode(text) == bytes)
    }

    @Test func validUTF8StaysTheSameText() {
        for text in ["PATH=/usr/bin", "LANG=é€😀", ""] {
            let bytes = Array(text.utf8)
            #expect(bytes.withUnsafeBufferPointer { ByteText.decode($0) } == text)
        }
    }

    @Test func messagesShowEscapedBytesAsHex() {
        let text = (Array("caf".utf8) + [0xE9]).withUnsafeBufferPointer { ByteText.decode($0) }
        #expect(ByteText.printable(text) == "caf\\xE9")
        #expect(SpawnError(command: text, errno: .noEntry).description == "caf\\xE9: command not found")
    }

    /// The whole path an inherited entry takes: this process's environment → the child's environment →
    /// the C strings of the child's `envp`. `String(cString:)` used to turn 0xFF into U+FFFD here.
    @Test func anInheritedEntryReachesTheChildsEnvpUnchanged() {
        let value: [UInt8] = [0x61, 0xFF, 0x62, 0xE9]
        let cValue = value.map { CChar(bitPattern: $0) } + [0]
        setenv("WRC_BYTES_TEST", cValue, 1)
        defer { unsetenv("WRC_BYTES_TEST") }
        let inherited = EnvironmentLookup.current().entries
        let envp = ChildEnvironment.build(inherited: inherited, supply: .keys(Fixture.credentials), region: nil, setRegion: false)
        let prefix = Array("WRC_BYTES_TEST=".utf8)
        let found: [[UInt8]] = withCStrings(envp) { pointers in
            var found: [[UInt8]] = []
            var i = 0
            while let p = pointers[i] {
                let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p)))
                if bytes.starts(with: prefix) { found.append(Array(bytes.dropFirst(prefix.count))) }
                i += 1
            }
            return found
        }
        #expect(found == [value])
    }
}
