import Foundation
import Support
import Synchronization

/// `--web.max-connections`, `--web.max-connections-per-ip`, `--web.request-timeout`, `--web.idle-timeout`.
package struct ConnectionLimits: Sendable {
    package var maxConnections = 256
    package var maxConnectionsPerPeer = 32
    package var requestTimeout: Duration = .seconds(10)
    package var idleTimeout: Duration = .seconds(30)

    package init() {}
}

/// Keeps slow and greedy clients from holding the server's connections.
///
/// microhttpd's own timeout restarts with every byte, so a client sending one byte every few seconds
/// keeps its connection for ever, and at its connection limit microhttpd stops accepting, leaving new
/// clients waiting in the kernel's queue. Here instead:
/// - a connection is refused (closed at once) when the server holds `maxConnections`, or its peer
///   address holds `maxConnectionsPerPeer`;
/// - each request must arrive in full (headers and body) within `requestTimeout` of the connection's
///   start, or for a kept-alive connection within `idleTimeout` + `requestTimeout` of the previous
///   response; a watchdog closes the connections past their deadline and counts them as timeouts.
final class ConnectionGuard: Sendable {
    typealias Limits = ConnectionLimits

    private struct Connection {
        let socket: Int32
        let peer: [UInt8]
        /// Nil while a response is being sent.
        var deadline: ContinuousClock.Instant?
        var timedOut = false
    }

    private struct State {
        var connections: [UInt: Connection] = [:]
        /// Open and admitted connections per peer.
        var perPeer: [[UInt8]: Int] = [:]
        /// Sockets the accept policy admitted that microhttpd has not reported open yet: it does so
        /// later, and another thread may accept the next socket in between. Counted against the
        /// limits; one never reported (microhttpd failed to set it up) lapses after `admissionLapse`.
        var admitted: [[UInt8]: [ContinuousClock.Instant]] = [:]
        var admittedCount = 0
        var refusingAll = false

        mutating func forget(peer: [UInt8]) {
            let remaining = perPeer[peer, default: 1] - 1
            perPeer[peer] = remaining > 0 ? remaining : nil
        }
    }

    private static let admissionLapse: Duration = .seconds(5)

    let limits: Limits
    private let statistics: HTTPStatistics
    private let state = Mutex(State())
    private let watchdog = BackgroundLoop(name: "http-deadlines")

    init(limits: Limits, statistics: HTTPStatistics) {
        self.limits = limits
        self.statistics = statistics
    }

    func start() {
        watchdog.start { [weak self] in
            self?.closeOverdue(at: .now)
            return .milliseconds(200)
        }
    }

    func stop() {
        watchdog.stop()
    }

    /// Whether a newly accepted socket from `peer` may stay open.
    func admits(peer: [UInt8]) -> Bool {
        let now = ContinuousClock.now
        let reason: String? = state.withLock { state in
            if state.refusingAll { return "" }
            if state.connections.count + state.admittedCount >= limits.maxConnections { return "connection_limit" }
            if state.perPeer[peer, default: 0] >= limits.maxConnectionsPerPeer { return "peer_connection_limit" }
            state.perPeer[peer, default: 0] += 1
            state.admitted[peer, default: []].append(now)
            state.admittedCount += 1
            return nil
        }
        guard let reason else { return true }
        if !reason.isEmpty { statistics.recordFailure(reason) }
        return false
    }

    func opened(_ connection: UInt, socket: Int32, peer: [UInt8]) {
        let deadline = ContinuousClock.now + limits.requestTimeout
        state.withLock { state in
            state.connections[connection] = Connection(socket: socket, peer: peer, deadline: deadline)
            if state.admitted[peer]?.isEmpty == false {
                state.admitted[peer]!.removeFirst()
                if state.admitted[peer]!.isEmpty { state.admitted[peer] = nil }
                state.admittedCount -= 1
            } else {
                state.perPeer[peer, default: 0] += 1
            }
        }
    }

    /// The request was read in full and its response queued: no deadline while it is sent.
    func answered(_ connection: UInt) {
        state.withLock { $0.connections[connection]?.deadline = nil }
    }

    /// The response was sent; a kept-alive connection now waits for its next request.
    func completed(_ connection: UInt) {
        let deadline = ContinuousClock.now + limits.idleTimeout + limits.requestTimeout
        state.withLock { $0.connections[connection]?.deadline = deadline }
    }

    /// Whether the watchdog closed the connection (so its end is already counted as a timeout).
    func wasTimedOut(_ connection: UInt) -> Bool {
        state.withLock { $0.connections[connection]?.timedOut ?? false }
    }

    func closed(_ connection: UInt) {
        state.withLock { state in
            guard let closed = state.connections.removeValue(forKey: connection) else { return }
            state.forget(peer: closed.peer)
        }
    }

    /// From now on every new socket is closed at once, uncounted: the server is stopping.
    func refuseAll() {
        state.withLock { $0.refusingAll = true }
    }

    /// Shuts down the sockets of connections waiting for or reading a request, and of those being
    /// answered too when `includingAnswered`; microhttpd then closes them.
    func shutDownAll(includingAnswered: Bool) {
        state.withLock { state in
            for connection in state.connections.values where includingAnswered || connection.deadline != nil {
                shutdown(connection.socket, Int32(SHUT_RDWR))
            }
        }
    }

    /// Shuts the sockets of connections past their deadline down; microhttpd then sees them end and
    /// closes them. Done under the lock that `closed` takes, so a socket number is never reused in between.
    /// Admissions microhttpd never reported open lapse here too.
    func closeOverdue(at now: ContinuousClock.Instant) {
        let count = state.withLock { state in
            for (peer, admissions) in state.admitted {
                let lapsed = admissions.prefix { now - $0 > Self.admissionLapse }.count
                guard lapsed > 0 else { continue }
                state.admitted[peer] = lapsed == admissions.count ? nil : Array(admissions.dropFirst(lapsed))
                state.admittedCount -= lapsed
                for _ in 0..<lapsed { state.forget(peer: peer) }
            }
            var count = 0
            for (key, connection) in state.connections where !connection.timedOut {
                guard let deadline = connection.deadline, deadline < now else { continue }
                shutdown(connection.socket, Int32(SHUT_RDWR))
                state.connections[key]?.timedOut = true
                count += 1
            }
            return count
        }
        for _ in 0..<count { statistics.recordFailure("timeout") }
    }
}
