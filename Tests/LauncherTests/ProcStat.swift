import Foundation

/// One process as `/proc/PID/stat` shows it (proc(5)): what `ps` would tell a user.
struct ProcStat {
    let pid: pid_t
    /// The executable's name, cut to 15 bytes by the kernel.
    let command: String
    /// `R`, `S`, `T` (stopped), `Z` (zombie), …
    let state: Character
    let parent: pid_t
    let group: pid_t
    let session: pid_t
    /// User plus system CPU time, in clock ticks.
    let cpuTicks: Int

    init?(pid: pid_t) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        // After the command name: field 3 (state) onwards; field n of proc(5) is fields[n - 3].
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let state = fields[0].first, let parent = pid_t(fields[1]), let group = pid_t(fields[2]),
              let session = pid_t(fields[3]), let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        self.pid = pid; self.command = String(text[text.index(after: open)..<close]); self.state = state; self.parent = parent; self.group = group; self.session = session
        self.cpuTicks = user + system
    }

    /// Every process visible now.
    static func all() -> [ProcStat] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0).flatMap(ProcStat.init(pid:)) }
    }

    /// The processes whose parent is `pid`.
    static func children(of pid: pid_t) -> [ProcStat] { all().filter { $0.parent == pid } }

    /// The processes of session `sid` that still run (zombies are dead, whoever reaps them).
    static func running(inSession sid: pid_t) -> [ProcStat] { all().filter { $0.session == sid && $0.state != "Z" } }

    /// Whether `pid` is gone or a zombie.
    static func isDead(_ pid: pid_t) -> Bool { ProcStat(pid: pid).map { $0.state == "Z" } ?? true }

    /// A line of `/proc/PID/status` (`voluntary_ctxt_switches` …) as a number.
    static func status(_ pid: pid_t, _ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return Int(line.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
