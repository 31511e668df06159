import Glibc
import Support

/// `--web.max-connections`, `--web.max-connections-per-ip`, `--web.request-timeout`, and how long a
/// kept-alive connection may idle between requests.
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
/// clients waiting in the kernel's queue. Here instead, a connection that would pass a limit makes
/// room by closing the connection that has waited longest for a request (one still sending its first
/// request, or kept alive and idle) within that limit:
/// - among its peer address's connections when that address holds `maxConnectionsPerPeer`, so a
///   client dribbling headers from the scraper's own address (a NAT, an ingress, a sidecar) cannot
///   keep the scrape out;
/// - among all connections when the server holds `maxConnections`, so clients dribbling from many
///   addresses cannot either.
/// Connections being answered are never closed; the new one is refused only when every connection
/// within the limit is being answered. Besides:
/// - each request must arrive in full (headers and body) within `requestTimeout` of the connection's
///   start, or for a kept-alive connection within `idleTimeout` + `requestTimeout` of the previous
///   response; a watchdog closes the connections past their deadline and counts them as timeouts.
final class ConnectionGuard: Sendable {
    typealias Limits = ConnectionLimits

    private struct Connection {
        let socket: Int32
        let peer: [UInt8]
        /// Since when it waits for a request; nil while one is being answered.
        var waitingSince: ContinuousClock.Instant?
        var deadline: ContinuousClock.Instant?
        /// Shut down by the guard (timed out or evicted), which counted it.
        var closedByGuard = false
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
        /// Connections shut down by the guard that microhttpd has not closed yet.
        var closing = 0
        var refusingAll = false

        /// Connections open or admitted, less those on their way out.
        var held: Int { connections.count - closing + admittedCount }

        /// The connection waiting longest for a request among those `including`, none being closed.
        func longestWaiting(where including: (Connection) -> Bool) -> UInt? {
            connections.filter { !$0.value.closedByGuard && $0.value.waitingSince != nil && including($0.value) }
                .min { $0.value.waitingSince! < $1.value.waitingSince! }?.key
        }

        mutating func forget(peer: [UInt8]) {
            let remaining = perPeer[peer, default: 1] - 1
            perPeer[peer] = remaining > 0 ? remaining : nil
        }
    }

    private static let admissionLapse: Duration = .seconds(5)

    let limits: Limits
    private let statistics: HTTPStatistics
    private let state = Locked(State())
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

    private enum Admission {
        case admitted, evictedAnother, refused(reason: String?)
    }

    /// Whether a newly accepted socket from `peer` may stay open; at the connection limit, makes room
    /// by closing the connection that has waited longest for a request.
    func admits(peer: [UInt8]) -> Bool {
        let now = ContinuousClock.now
        let admission: Admission = state.withLock { state in
            if state.refusingAll { return .refused(reason: nil) }
            var admission = Admission.admitted
            if state.perPeer[peer, default: 0] >= limits.maxConnectionsPerPeer {
                guard let longest = state.longestWaiting(where: { $0.peer == peer }) else {
                    return .refused(reason: "peer_connection_limit")
                }
                Self.shut(longest, in: &state)
                admission = .evictedAnother
            } else if state.held >= limits.maxConnections {
                guard let longest = state.longestWaiting(where: { _ in true }) else {
                    return .refused(reason: "connection_limit")
                }
                Self.shut(longest, in: &state)
                admission = .evictedAnother
            }
            state.perPeer[peer, default: 0] += 1
            state.admitted[peer, default: []].append(now)
            state.admittedCount += 1
            return admission
        }
        switch admission {
        case .admitted:
            return true
        case .evictedAnother:
            statistics.recordFailure("evicted")
            return true
        case .refused(let reason):
            if let reason { statistics.recordFailure(reason) }
            return false
        }
    }

    func opened(_ connection: UInt, socket: Int32, peer: [UInt8]) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.connections[connection] = Connection(
                socket: socket, peer: peer, waitingSince: now, deadline: now + limits.requestTimeout)
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
        state.withLock { state in
            state.connections[connection]?.waitingSince = nil
            state.connections[connection]?.deadline = nil
        }
    }

    /// The response was sent; a kept-alive connection now waits for its next request.
    func completed(_ connection: UInt) {
        let now = ContinuousClock.now
        state.withLock { state in
            state.connections[connection]?.waitingSince = now
            state.connections[connection]?.deadline = now + limits.idleTimeout + limits.requestTimeout
        }
    }

    /// Whether the guard closed the connection (so its end is already counted).
    func wasClosedByGuard(_ connection: UInt) -> Bool {
        state.withLock { $0.connections[connection]?.closedByGuard ?? false }
    }

    func closed(_ connection: UInt) {
        state.withLock { state in
            guard let closed = state.connections.removeValue(forKey: connection) else { return }
            // One the guard shut down left its peer's count then.
            if closed.closedByGuard {
                state.closing -= 1
            } else {
                state.forget(peer: closed.peer)
            }
        }
    }

    /// No connection open or admitted: microhttpd reported every admitted socket open, and closed.
    var isEmpty: Bool {
        state.withLock { $0.connections.isEmpty && $0.admittedCount == 0 }
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
    /// closes them. Admissions microhttpd never reported open lapse here too.
    func closeOverdue(at now: ContinuousClock.Instant) {
        let count = state.withLock { state in
            for (peer, admissions) in state.admitted {
                let lapsed = admissions.prefix { now - $0 > Self.admissionLapse }.count
                guard lapsed > 0 else { continue }
                state.admitted[peer] = lapsed == admissions.count ? nil : Array(admissions.dropFirst(lapsed))
                state.admittedCount -= lapsed
                for _ in 0..<lapsed { state.forget(peer: peer) }
            }
            let overdue = state.connections.filter { _, connection in
                !connection.closedByGuard && connection.deadline.map { $0 < now } ?? false
            }
            for key in overdue.keys { Self.shut(key, in: &state) }
            return overdue.count
        }
        for _ in 0..<count { statistics.recordFailure("timeout") }
    }

    /// Done under the lock that `closed` takes, so a socket number is never reused in between. The
    /// connection no longer counts against its peer's limit, as it no longer counts against the server's.
    private static func shut(_ key: UInt, in state: inout State) {
        guard let connection = state.connections[key], !connection.closedByGuard else { return }
        shutdown(connection.socket, Int32(SHUT_RDWR))
        state.connections[key]?.closedByGuard = true
        state.closing += 1
        state.forget(peer: connection.peer)
    }
}
