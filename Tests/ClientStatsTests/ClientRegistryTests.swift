import ClientStats
import Testing

@Suite struct ClientRegistryTests {
    private let start = ContinuousClock.now

    /// A document of client `app` with one broker whose round-trip window holds `rttSum` over `rttCount`.
    private func document(
        name: String = "app#producer-1", type: String = "producer", ts: Double, age: Double? = nil, rttSum: Double = 0, rttCount: Double = 0
    ) -> ClientStatistics {
        var document = ClientStatistics()
        document.name = name
        document.clientID = "app"
        document.type = type
        document.monotonicMicroseconds = ts
        document.ageMicroseconds = age ?? ts
        var broker = BrokerStatistics(name: "b:9092/1")
        broker.roundTrip = LatencyWindow(p50: 1, p90: 2, p99: 3, sum: rttSum, count: rttCount)
        document.brokers = [broker]
        return document
    }

    @Test func clientsAreKeyedByClientIDAndType() {
        var registry = ClientRegistry()
        registry.record(document(ts: 1_000_000), at: start)
        registry.record(document(name: "app#consumer-1", type: "consumer", ts: 1_000_000), at: start)
        registry.record(document(ts: 2_000_000), at: start)
        #expect(registry.sortedClients.map(\.key) == [
            ClientKey(clientID: "app", type: "consumer"), ClientKey(clientID: "app", type: "producer"),
        ])
    }

    @Test func intervalComesFromTheClientsOwnClock() throws {
        var registry = ClientRegistry()
        registry.record(document(ts: 10_000_000), at: start)
        // Arrived 9 s later (delayed in transit), but emitted 5 s after the first.
        registry.record(document(ts: 15_000_000), at: start + .seconds(9))
        let client = try #require(registry.sortedClients.first)
        #expect(client.interval == .seconds(5))
        #expect(registry.expiry(of: client) == .seconds(25))
    }

    @Test func intervalFallsBackToArrivalGapsWithoutTimestamps() throws {
        var registry = ClientRegistry()
        var first = document(ts: 0)
        first.monotonicMicroseconds = nil
        registry.record(first, at: start)
        registry.record(first, at: start + .seconds(3))
        #expect(registry.sortedClients.first?.interval == .seconds(3))
    }

    @Test func expiresAfterFiveIntervalsOfSilence() {
        var registry = ClientRegistry()
        registry.record(document(ts: 0), at: start)
        registry.record(document(ts: 2_000_000), at: start + .seconds(2))
        #expect(registry.removeExpired(at: start + .seconds(12)).isEmpty)
        #expect(registry.removeExpired(at: start + .seconds(12) + .milliseconds(1)) == [ClientKey(clientID: "app", type: "producer")])
        #expect(registry.clients.isEmpty)
    }

    @Test func aSingleDocumentExpiresAfterFiveFallbackIntervals() {
        var registry = ClientRegistry(fallbackInterval: .seconds(10))
        registry.record(document(ts: 0), at: start)
        #expect(registry.removeExpired(at: start + .seconds(50)).isEmpty)
        #expect(registry.removeExpired(at: start + .seconds(51)).count == 1)
    }

    @Test func aFixedExpiryOverridesTheInterval() {
        var registry = ClientRegistry(expiry: .seconds(3))
        registry.record(document(ts: 0), at: start)
        registry.record(document(ts: 60_000_000), at: start + .seconds(60))
        #expect(registry.removeExpired(at: start + .seconds(63)).isEmpty)
        #expect(registry.removeExpired(at: start + .seconds(64)).count == 1)
    }

    @Test func latencyWindowsAccumulateIntoCounters() throws {
        var registry = ClientRegistry()
        registry.record(document(ts: 1_000_000, rttSum: 300, rttCount: 3), at: start)
        registry.record(document(ts: 2_000_000, rttSum: 100, rttCount: 1), at: start + .seconds(1))
        let totals = try #require(registry.sortedClients.first?.latencyTotals["b:9092/1"]?[.roundTrip])
        #expect(totals == LatencyTotals.Total(sum: 400, count: 4))
    }

    @Test func aDocumentDeliveredTwiceIsCountedOnce() throws {
        var registry = ClientRegistry()
        registry.record(document(ts: 1_000_000, rttSum: 300, rttCount: 3), at: start)
        #expect(registry.record(document(ts: 1_000_000, rttSum: 300, rttCount: 3), at: start + .seconds(1)) == .duplicate)
        let client = try #require(registry.sortedClients.first)
        #expect(client.latencyTotals["b:9092/1"]?[.roundTrip]?.count == 3)
        #expect(client.receivedAt == start)
    }

    @Test func aRestartedClientStartsItsTotalsAgain() throws {
        var registry = ClientRegistry()
        registry.record(document(ts: 5_000_000, rttSum: 300, rttCount: 3), at: start)
        registry.record(document(ts: 6_000_000, rttSum: 100, rttCount: 1), at: start + .seconds(1))
        // Same name, but its age went back: a new process.
        registry.record(document(ts: 9_000_000, age: 1_000_000, rttSum: 50, rttCount: 1), at: start + .seconds(2))
        let client = try #require(registry.sortedClients.first)
        #expect(client.latencyTotals["b:9092/1"]?[.roundTrip] == LatencyTotals.Total(sum: 50, count: 1))
        // The interval learned before the restart still holds.
        #expect(client.interval == .seconds(1))
    }

    @Test func anotherHandleWithTheSameClientIDReplacesTheFirst() throws {
        var registry = ClientRegistry()
        registry.record(document(ts: 5_000_000, rttSum: 300, rttCount: 3), at: start)
        registry.record(document(name: "app#producer-2", ts: 6_000_000, rttSum: 10, rttCount: 1), at: start + .seconds(1))
        let client = try #require(registry.sortedClients.first)
        #expect(client.latest.name == "app#producer-2")
        #expect(client.latencyTotals["b:9092/1"]?[.roundTrip]?.count == 1)
    }
}
