import Dispatch
import Foundation
import HTTP
import Synchronization
import Testing
import TestSupport

/// Stopping a server while clients still talk to it: microhttpd 0.9.75 builds the headers of its own
/// error answers (400 for a malformed Content-Length, 414, 431 ...) for a response it dropped once
/// `MHD_stop_daemon` has begun, and crashes; a stop must close the connections first.
@Suite struct ServerStopTests {
    @Test func stoppingWhileMalformedRequestsArriveIsSafe() throws {
        let malformed = Array("GET /ping HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n".utf8)
        // A loopback address of the test's own: a sender's connect racing a stop finds a closed port
        // there, never a server another suite bound meanwhile on 127.0.0.1.
        let host = "127.0.77.1"
        // Senders go on to each new server; a connect caught by a stop waits out a SYN retry without
        // holding up the next server.
        let port = Atomic<UInt16>(0)
        let finished = Atomic(false)
        let senders = (0..<8).map { _ in
            inBackground {
                while !finished.load(ordering: .relaxed) {
                    guard let client = try? HTTPTestClient(port: port.load(ordering: .relaxed), host: host) else {
                        Thread.sleep(forTimeInterval: 0.001)
                        continue
                    }
                    try? client.write(malformed)
                }
            }
        }
        defer {
            finished.store(true, ordering: .relaxed)
            senders.forEach { $0.wait() }
        }
        var refused = 0
        for _ in 0..<60 {
            let server = try HTTPServer(
                address: ListenAddress(host: host, port: 0),
                router: Router(routes: [Route(.exact("/ping")) { _ in .text(200, "pong") }]))
            port.store(server.port, ordering: .relaxed)
            Thread.sleep(forTimeInterval: 0.05)
            let started = ContinuousClock.now
            #expect(server.stop(), "every connection closed before microhttpd stopped")
            #expect(ContinuousClock.now - started < .seconds(3))
            refused += server.statistics.failures("protocol_error")
        }
        // The senders did reach the servers with malformed requests, and were answered.
        #expect(refused > 60, "\(refused) malformed requests answered")
    }

    private static let bigBody = [UInt8](repeating: UInt8(ascii: "x"), count: 32 << 20)

    private static func bigServer() throws -> HTTPServer {
        try HTTPServer(
            address: ListenAddress(host: "127.0.0.1", port: 0),
            router: Router(routes: [Route(.exact("/big")) { _ in HTTPResponse(status: 200, content: .bytes(bigBody)) }]))
    }

    @Test func aResponseBeingSentFinishesWhileTheServerStops() throws {
        let server = try Self.bigServer()
        let client = try HTTPTestClient(port: server.port)
        try client.write(Array("GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".utf8))
        Thread.sleep(forTimeInterval: 0.1)
        let stopping = inBackground { server.stop() }
        // The client reads only after the stop began.
        Thread.sleep(forTimeInterval: 0.3)
        let received = client.readUntilClosed()
        #expect(received.count > Self.bigBody.count, "got \(received.count) bytes")
        #expect(stopping.wait(timeout: .now() + 5) == .success)
    }

    @Test func aClientThatNeverReadsHoldsTheStopOnlyBriefly() throws {
        let server = try Self.bigServer()
        let client = try HTTPTestClient(port: server.port)
        try client.write(Array("GET /big HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let idle = try HTTPTestClient(port: server.port)
        Thread.sleep(forTimeInterval: 0.1)
        let started = ContinuousClock.now
        #expect(inBackground { server.stop() }.wait(timeout: .now() + 10) == .success)
        let took = ContinuousClock.now - started
        #expect(took < .seconds(3), "the stop took \(took)")
        #expect(took >= .seconds(1), "the response being sent had \(took) instead of its grace second")
        #expect(idle.isClosedByServer)
        _ = client
    }
}
