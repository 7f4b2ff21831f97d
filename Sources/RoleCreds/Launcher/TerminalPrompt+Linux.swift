#if canImport(Glibc)
import Glibc
#endif

/// Asks on the controlling terminal (`/dev/tty`, whatever stdin and stdout are), as botocore's prompter
/// does: the prompt names the profile and the device, the typed code is not echoed, and a Ctrl-C or
/// SIGTERM meanwhile is acted on at once (the wait's interrupt), with the terminal's echo restored first.
public struct TerminalPrompt: MFAPrompt {
    public init() {}

    public func code(serial: String, profile: String, wait: Wait) throws(CredentialError) -> Secret {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw CredentialError("cannot open the terminal to ask for the MFA code: \(Errno.current)") }
        // close(2): never retried on EINTR.
        defer { _ = close(fd) }
        var saved = termios()
        let hasModes = tcgetattr(fd, &saved) == 0
        if hasModes {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(fd, TCSANOW, &quiet)
        }
        let restore = { if hasModes { var modes = saved; _ = tcsetattr(fd, TCSANOW, &modes) } }
        defer { restore() }
        // The interrupt may end the process: the echo comes back first.
        let watched = wait.interrupt.map { original in Interrupt(fd: original.fd) { restore(); original.handler() } }
        let promptWait = Wait(deadline: wait.deadline, clock: wait.clock, interrupt: watched)
        write(fd, "MFA code for profile \(profile) (\(serial)): ")
        let line = try readLine(fd, promptWait)
        write(fd, "\n")
        guard IAMValues.isMFACode(line) else {
            throw CredentialError("the MFA code for profile \(profile) must be 6 digits; nothing was sent")
        }
        return Secret(line)
    }

    private func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = (try? retryingInterrupts { bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } }) ?? -1
            guard n > 0 else { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// One line, at most 64 bytes kept (a code is 6), without its newline; the wait bounds it.
    private func readLine(_ fd: Int32, _ wait: Wait) throws(CredentialError) -> String {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let ready: Bool
            do { ready = try wait.ready(fd: fd, events: Int16(POLLIN)) } catch {
                throw CredentialError("cannot read the MFA code from the terminal: \(error)")
            }
            guard ready else { throw CredentialError("no MFA code was typed in time") }
            let n: Int
            do { n = try retryingInterrupts { read(fd, &byte, 1) } } catch {
                throw CredentialError("cannot read the MFA code from the terminal: \(error)")
            }
            if n == 0 || byte == UInt8(ascii: "\n") { break }
            if line.count < 64 { line.append(byte) }
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
