import CSystem
import Foundation
@testable import RoleCreds

/// An interactive bash on a pseudo-terminal of its own, driven like a user at a keyboard: what is
/// typed goes to the master side, what the terminal shows is read back from it (pty(7)).
///
/// bash starts in a new session (POSIX_SPAWN_SETSID) and opens the slave on 0, 1 and 2 without
/// O_NOCTTY; glibc runs setsid before the file actions, so the slave becomes the session's
/// controlling terminal and bash runs its jobs with job control, as in a terminal emulator.
/// No fork: the test process is multi-threaded.
final class PseudoTerminal {
    /// The shell's prompt, unique enough never to appear in other output.
    static let prompt = "wrc-pty-prompt> "

    let master: Int32
    let shellPid: pid_t
    private var output: [UInt8] = []
    private var consumed = 0

    /// Starts `bash --norc --noprofile --noediting -i` with `environment` (plus PS1, TERM, an empty HISTFILE).
    init(environment: [String: String]) throws {
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw HarnessError("posix_openpt: \(Errno.current)") }
        var name = [CChar](repeating: 0, count: 128)
        guard grantpt(master) == 0, unlockpt(master) == 0, ptsname_r(master, &name, name.count) == 0 else {
            let error = Errno.current
            close(master)
            throw HarnessError("cannot set up a pseudo-terminal: \(error)")
        }
        let slave = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)

        // An empty HISTFILE: nothing is saved (bash(1)); as root, a history file of /dev/null would be replaced.
        let env = environment.merging(["PS1": Self.prompt, "TERM": "dumb", "HISTFILE": ""]) { $1 }
        let argv = ["/bin/bash", "--norc", "--noprofile", "--noediting", "-i"]
        // The new session opens the slave first, so it becomes the controlling terminal (glibc runs setsid
        // before the file actions).
        do {
            shellPid = try spawnClean(argv, environment: env.map { "\($0.key)=\($0.value)" }, newSession: true) { actions in
                posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
                posix_spawn_file_actions_adddup2(&actions, 0, 1)
                posix_spawn_file_actions_adddup2(&actions, 0, 2)
            }
        } catch {
            close(master)
            throw HarnessError("cannot start bash on \(slave): \(error)")
        }
    }

    /// Ends everything started from this terminal (its session) and the shell.
    deinit {
        for process in ProcStat.all() where process.session == shellPid && process.pid != shellPid {
            kill(process.pid, SIGKILL)
        }
        kill(shellPid, SIGKILL)
        var status: Int32 = 0
        waitpid(shellPid, &status, 0)
        close(master)
    }

    /// Types `text` (control characters such as "\u{3}" for Ctrl-C included).
    func type(_ text: String) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
        }
    }

    /// Reads the screen until `marker` shows up after what earlier calls consumed, and returns the text
    /// up to and including it. Throws with the recent output when `timeout` seconds pass first.
    @discardableResult
    func expect(_ marker: String, timeout: Double = 20) async throws -> String {
        let needle = Array(marker.utf8)
        var open = true
        _ = await eventually(timeout: timeout) {
            while open && find(needle) == nil, let more = readSome() {
                open = more
            }
            return find(needle) != nil || !open
        }
        guard let range = find(needle) else {
            throw HarnessError("\(marker.debugDescription) did not show up; the terminal showed: \(screen.suffix(2000).debugDescription)")
        }
        let text = String(decoding: output[consumed..<range.upperBound], as: UTF8.self)
        consumed = range.upperBound
        return text
    }

    /// Waits for the shell's next prompt.
    @discardableResult
    func expectPrompt(timeout: Double = 20) async throws -> String { try await expect(Self.prompt, timeout: timeout) }

    /// Everything the terminal has shown so far.
    var screen: String { String(decoding: output, as: UTF8.self) }

    private func find(_ needle: [UInt8]) -> Range<Int>? {
        guard output.count - consumed >= needle.count else { return nil }
        for start in consumed...(output.count - needle.count) where output[start..<start + needle.count].elementsEqual(needle) {
            return start..<start + needle.count
        }
        return nil
    }

    /// Reads what the terminal shows now without waiting: true when something came, false when the
    /// terminal closed (EIO once every slave descriptor is closed), nil when nothing is there yet.
    private func readSome() -> Bool? {
        var fds = [pollfd(fd: master, events: Int16(POLLIN), revents: 0)]
        let n = poll(&fds, 1, 0)
        if n < 0 { return errno == EINTR ? nil : false }
        if n == 0 { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
        if count < 0 && errno == EINTR { return nil }
        guard count > 0 else { return false }
        output += buffer[0..<count]
        return true
    }
}
