/// Talks to a running agent over its socket: one request, one final answer (spec §10).
public enum AgentClient {
    /// A launch waits this long for the agent's first answer, then fetches by itself.
    public static let firstAnswerMillis: Int64 = 100

    /// Sends `request` to the agent at `path` and returns its final answer. The first line must arrive
    /// within `firstAnswerMillis`; after `.fetching`, the final one within `wait`. Throws when the agent
    /// cannot be reached, does not answer in time, or breaks the protocol: the caller falls back.
    public static func ask(_ path: String, _ request: AgentRequest, wait: Wait,
                           firstAnswerMillis: Int64 = firstAnswerMillis) throws(AgentError) -> AgentAnswer {
        let socket: Socket
        do { socket = try Socket.connect(unixPath: path) } catch {
            let reason: String
            if case .refused(let errno) = error { reason = "\(errno)" } else { reason = "\(error)" }
            throw AgentError("the agent at \(path) cannot be reached (\(reason))")
        }
        defer { socket.close() }
        let first = wait.narrowed(to: wait.clock.monotonicMillis() + firstAnswerMillis)
        do { try socket.sendAll(Array(request.line.utf8), wait: first) } catch { throw AgentError("cannot send to \(path): \(error)") }
        var reader = LineReader(socket: socket)
        let answer = try reader.answer(first, path: path)
        guard answer == .fetching else { return answer }
        // The agent is fetching with what was sent (MFA codes included): a failure from here on is not one
        // a fetch of the launch's own could repeat with the same codes.
        do { return try reader.answer(wait, path: path) } catch { throw AgentError(error.description, whileFetching: true) }
    }

    /// Lines from the socket, one at a time.
    struct LineReader {
        let socket: Socket
        var buffer: [UInt8] = []

        mutating func answer(_ wait: Wait, path: String) throws(AgentError) -> AgentAnswer {
            while true {
                if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(buffer[..<end])
                    buffer.removeSubrange(...end)
                    do { return try AgentAnswer.decode(line) } catch { throw AgentError("the agent at \(path) answered badly: \(error)") }
                }
                guard buffer.count <= AgentProtocol.maxLine else { throw AgentError("the agent at \(path) answered too much") }
                let bytes: [UInt8]
                do { bytes = try socket.receive(max: 16 * 1024, wait: wait) } catch {
                    throw AgentError(error == .timedOut ? "the agent at \(path) did not answer in time" : "reading from \(path): \(error)")
                }
                guard !bytes.isEmpty else { throw AgentError("the agent at \(path) closed the connection") }
                buffer += bytes
            }
        }
    }
}
