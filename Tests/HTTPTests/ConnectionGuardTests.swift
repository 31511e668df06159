@testable import HTTP
import Testing

/// The guard counts a socket from the moment its accept policy admits it: microhttpd reports the
/// connection open only later, and another thread may accept the next socket in between. At the server
/// limit, and at a peer's, it makes room by closing the connection that has waited longest for a
/// request within that limit.
@Suite struct ConnectionGuardTests {
    private static let peer: [UInt8] = [127, 0, 0, 2]

    private static func guarded(maxConnections: Int = 8, perPeer: Int = 2) -> (ConnectionGuard, HTTPStatistics) {
        var limits = ConnectionLimits()
        limits.maxConnections = maxConnections
        limits.maxConnectionsPerPeer = perPeer
        let statistics = HTTPStatistics()
        return (ConnectionGuard(limits: limits, statistics: statistics), statistics)
    }

    @Test func admittedSocketsCountBeforeMicrohttpdReportsThemOpen() {
        let (connectionGuard, statistics) = Self.guarded()
        #expect(connectionGuard.admits(peer: Self.peer))
        #expect(connectionGuard.admits(peer: Self.peer))
        #expect(!connectionGuard.admits(peer: Self.peer))
        #expect(statistics.failures("peer_connection_limit") == 1)

        connectionGuard.opened(1, socket: -1, peer: Self.peer)
        connectionGuard.opened(2, socket: -1, peer: Self.peer)
        for key: UInt in [1, 2] { connectionGuard.answered(key) }
        #expect(!connectionGuard.admits(peer: Self.peer), "an opened admission must not count twice or vanish")
        connectionGuard.closed(1)
        #expect(connectionGuard.admits(peer: Self.peer))
    }

    @Test func atAPeersLimitItsLongestWaitingConnectionMakesRoomButNoneBeingAnsweredNorAnotherPeers() {
        let (connectionGuard, statistics) = Self.guarded(maxConnections: 8, perPeer: 3)
        let other: [UInt8] = [127, 0, 0, 3]
        #expect(connectionGuard.admits(peer: other))
        connectionGuard.opened(9, socket: -1, peer: other)
        for key: UInt in 1...3 {
            #expect(connectionGuard.admits(peer: Self.peer))
            connectionGuard.opened(key, socket: -1, peer: Self.peer)
        }
        connectionGuard.answered(1)
        connectionGuard.completed(2)  // kept alive: waits from now, after 3
        #expect(connectionGuard.admits(peer: Self.peer))
        #expect(statistics.failures("evicted") == 1)
        #expect(connectionGuard.wasClosedByGuard(3))
        #expect(![1, 2, 9].contains { connectionGuard.wasClosedByGuard($0) }, "the other peer waited longest, but is within its limit")

        connectionGuard.opened(4, socket: -1, peer: Self.peer)
        for key: UInt in [2, 4] { connectionGuard.answered(key) }
        #expect(!connectionGuard.admits(peer: Self.peer), "every connection of the peer is being answered")
        #expect(statistics.failures("peer_connection_limit") == 1)
        connectionGuard.closed(3)
        #expect(!connectionGuard.admits(peer: Self.peer), "the evicted one stopped counting when it was shut")
        #expect(connectionGuard.admits(peer: other))
        #expect(statistics.failures("evicted") == 1)
    }

    @Test func theServerLimitCountsAdmissionsToo() {
        let (connectionGuard, statistics) = Self.guarded(maxConnections: 2, perPeer: 2)
        #expect(connectionGuard.admits(peer: [127, 0, 0, 2]))
        #expect(connectionGuard.admits(peer: [127, 0, 0, 3]))
        #expect(!connectionGuard.admits(peer: [127, 0, 0, 4]))
        #expect(statistics.failures("connection_limit") == 1)
    }

    @Test func anAdmissionNeverReportedOpenLapses() {
        let (connectionGuard, _) = Self.guarded(perPeer: 1)
        #expect(connectionGuard.admits(peer: Self.peer))
        connectionGuard.closeOverdue(at: .now + .seconds(1))
        #expect(!connectionGuard.admits(peer: Self.peer))
        connectionGuard.closeOverdue(at: .now + .seconds(6))
        #expect(connectionGuard.admits(peer: Self.peer))
    }

    @Test func aStoppingServerRefusesWithoutCountingAFailure() {
        let (connectionGuard, statistics) = Self.guarded()
        connectionGuard.refuseAll()
        #expect(!connectionGuard.admits(peer: Self.peer))
        #expect(statistics.failures("connection_limit") + statistics.failures("peer_connection_limit") == 0)
    }

    @Test func atTheServerLimitTheLongestWaitingConnectionMakesRoomButNoneBeingAnswered() {
        let (connectionGuard, statistics) = Self.guarded(maxConnections: 3, perPeer: 3)
        for key: UInt in 1...3 {
            #expect(connectionGuard.admits(peer: Self.peer))
            connectionGuard.opened(key, socket: -1, peer: Self.peer)
        }
        connectionGuard.answered(1)
        connectionGuard.completed(3)  // kept alive: waits from now, after 2
        #expect(connectionGuard.admits(peer: [127, 0, 0, 3]))
        #expect(statistics.failures("evicted") == 1)
        #expect(connectionGuard.wasClosedByGuard(2))
        #expect(!connectionGuard.wasClosedByGuard(1) && !connectionGuard.wasClosedByGuard(3))

        connectionGuard.opened(4, socket: -1, peer: [127, 0, 0, 3])
        for key: UInt in [3, 4] { connectionGuard.answered(key) }
        #expect(!connectionGuard.admits(peer: [127, 0, 0, 4]), "every connection is being answered")
        #expect(statistics.failures("connection_limit") == 1)
        connectionGuard.closed(2)
        #expect(!connectionGuard.admits(peer: [127, 0, 0, 4]), "the evicted one stopped counting when it was shut")
        #expect(statistics.failures("evicted") == 1)
    }
}
