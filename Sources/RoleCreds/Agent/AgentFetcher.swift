#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Synchronization

/// Runs the agent's fetches, each on a thread of its own, so one slow source never holds up another
/// plan or the agent's loop. Results queue here; `fd` becomes readable when one waits.
final class AgentFetcher: @unchecked Sendable {
    private let readEnd: FileDescriptor
    private let writeEnd: FileDescriptor
    private let done = Mutex<[(String, Result<(Credentials, String?), CredentialError>)]>([])
    private let clock: any Clock
    private let log: Log

    init(clock: any Clock, log: Log) throws(Errno) {
        self.clock = clock; self.log = log
        var fds: [Int32] = [0, 0]
        guard csys_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw Errno.current }
        readEnd = FileDescriptor(fds[0])
        writeEnd = FileDescriptor(fds[1])
    }

    /// Readable when a result waits.
    var fd: Int32 { readEnd.rawValue }

    /// The bound on one fetch: the launch's own start-up budget for the same plan.
    static func budgetMillis(_ settings: Settings) -> Int64 { ProviderFactory.budgetMillis(settings) }

    /// Fetches `plan` on a new thread, with the MFA `codes` a launch sent for it; its result is queued under `key`.
    func start(key: String, plan: AgentPlan, codes: [String: Secret] = [:]) {
        let job = Job(fetcher: self, key: key, plan: plan, codes: MFACodes(codes))
        do {
            try DetachedThread.start(stackSize: 512 * 1024) { job.fetcher.run(job) }
        } catch {
            finish(key, .failure(CredentialError("the agent cannot start a thread: \(error)", transient: true)))
        }
    }

    /// One fetch: the launcher's own providers, with the plan's transport variables as the environment.
    private func run(_ job: Job) {
        let settings = job.plan.settings
        let wait = Wait(millis: Self.budgetMillis(settings), clock: clock)
        let environment = EnvironmentLookup(job.plan.environment.map { "\($0.0)=\($0.1)" })
        let result: Result<(Credentials, String?), CredentialError>
        do {
            // The codes are dropped once the fetch ends, whatever its outcome: a code works once.
            defer { job.codes.drop() }
            let provider = try ProviderFactory.make(settings, environment: environment, clock: clock, log: log, mfa: job.codes)
            defer { provider.close() }
            let credentials = try provider.fetch(wait)
            let region = job.plan.wantsRegion ? (ProviderFactory.base(provider) as? IMDSProvider)?.region(wait) : nil
            result = .success((credentials, region))
        } catch {
            result = .failure(error)
        }
        finish(job.key, result)
    }

    private func finish(_ key: String, _ result: Result<(Credentials, String?), CredentialError>) {
        done.withLock { $0.append((key, result)) }
        var byte: UInt8 = 1
        _ = try? retryingInterrupts { write(writeEnd.rawValue, &byte, 1) }
    }

    /// Every result waiting now.
    func take() -> [(String, Result<(Credentials, String?), CredentialError>)] {
        var buffer = [UInt8](repeating: 0, count: 256)
        while (try? retryingInterrupts({ buffer.withUnsafeMutableBytes { read(readEnd.rawValue, $0.baseAddress!, $0.count) } })) ?? 0 > 0 {}
        return done.withLock { list in
            defer { list = [] }
            return list
        }
    }

    /// What one thread is given.
    final class Job: @unchecked Sendable {
        let fetcher: AgentFetcher
        let key: String
        let plan: AgentPlan
        /// The codes of an MFA chain, taken by its `AssumeRole` calls.
        let codes: MFACodes
        init(fetcher: AgentFetcher, key: String, plan: AgentPlan, codes: MFACodes) {
            self.fetcher = fetcher; self.key = key; self.plan = plan; self.codes = codes
        }
    }
}
