/// What a reporting client's series are labelled with, and so what identifies it: two clients
/// sharing a `client.id` and type would produce the same series, so the later document wins.
package struct ClientKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    package let clientID: String
    package let type: String

    package init(clientID: String, type: String) {
        self.clientID = clientID
        self.type = type
    }

    /// The key of a parsed document (the parser refuses documents without a client ID and type).
    package init(_ document: ClientStatistics) {
        self.init(clientID: document.effectiveClientID ?? "", type: document.type ?? "")
    }

    package static func < (lhs: ClientKey, rhs: ClientKey) -> Bool {
        (lhs.clientID, lhs.type) < (rhs.clientID, rhs.type)
    }

    package var description: String { "\(clientID) (\(type))" }
}

/// A client's latest statistics and what was derived from the documents before it.
package struct ReportingClient: Sendable {
    package let key: ClientKey
    package internal(set) var latest: ClientStatistics
    package internal(set) var receivedAt: ContinuousClock.Instant
    /// Time between the client's documents: the difference of their `ts` (librdkafka's own clock, so
    /// transport delays do not matter), else the gap between their arrivals. Nil after one document.
    package internal(set) var interval: Duration?
    /// Accumulated latency windows per broker name.
    package internal(set) var latencyTotals: [String: LatencyTotals] = [:]
}

/// The clients that sent statistics, each with its latest document, forgotten after `expiry`.
package struct ClientRegistry: Sendable {
    package enum Outcome: Equatable, Sendable {
        case recorded
        /// A document with the same `ts` as the latest one (delivered twice); nothing changed.
        case duplicate
    }

    /// Own intervals a client may stay silent before it is forgotten, unless `--stats.expiry` is given.
    package static let expiryIntervals = 5
    /// A fixed expiry (`--stats.expiry`); nil means `expiryIntervals` × each client's own interval.
    package let expiry: Duration?
    /// The interval assumed for a client that sent one document so far.
    package let fallbackInterval: Duration
    package private(set) var clients: [ClientKey: ReportingClient] = [:]

    package init(expiry: Duration? = nil, fallbackInterval: Duration = .seconds(60)) {
        self.expiry = expiry
        self.fallbackInterval = fallbackInterval
    }

    @discardableResult
    package mutating func record(_ document: ClientStatistics, at now: ContinuousClock.Instant) -> Outcome {
        let key = ClientKey(document)
        guard var client = clients[key] else {
            clients[key] = ReportingClient(
                key: key, latest: document, receivedAt: now, interval: nil, latencyTotals: Self.totals(from: document, adding: [:]))
            return .recorded
        }
        let previous = client.latest
        let restarted = Self.isRestart(from: previous, to: document)
        let elapsedMicroseconds = document.monotonicMicroseconds.flatMap { current in
            previous.monotonicMicroseconds.map { current - $0 }
        }
        if !restarted && elapsedMicroseconds == 0 { return .duplicate }
        if !restarted {
            if let elapsedMicroseconds, elapsedMicroseconds > 0 {
                client.interval = .microseconds(Int64(elapsedMicroseconds))
            } else {
                client.interval = now - client.receivedAt
            }
        }
        client.latencyTotals = Self.totals(from: document, adding: restarted ? [:] : client.latencyTotals)
        client.latest = document
        client.receivedAt = now
        clients[key] = client
        return .recorded
    }

    /// How long `client` may stay silent before it is forgotten.
    package func expiry(of client: ReportingClient) -> Duration {
        expiry ?? (client.interval ?? fallbackInterval) * Self.expiryIntervals
    }

    /// Forgets the clients silent for longer than their expiry; returns them.
    package mutating func removeExpired(at now: ContinuousClock.Instant) -> [ClientKey] {
        let expired = clients.values.filter { now - $0.receivedAt > expiry(of: $0) }.map(\.key)
        guard !expired.isEmpty else { return [] }
        // A new dictionary: removing keys would keep the storage sized for every client there was.
        clients = clients.filter { now - $0.value.receivedAt <= expiry(of: $0.value) }
        return expired.sorted()
    }

    /// The clients in label order.
    package var sortedClients: [ReportingClient] {
        clients.values.sorted { $0.key < $1.key }
    }

    /// Another handle (a new instance name) or the same one restarted (its clocks went back).
    private static func isRestart(from previous: ClientStatistics, to current: ClientStatistics) -> Bool {
        func wentBack(_ value: (ClientStatistics) -> Double?) -> Bool {
            guard let before = value(previous), let now = value(current) else { return false }
            return now < before
        }
        return previous.name != current.name || wentBack(\.monotonicMicroseconds) || wentBack(\.ageMicroseconds)
    }

    /// The document's windows added to the earlier totals; brokers the client no longer lists are dropped.
    private static func totals(from document: ClientStatistics, adding earlier: [String: LatencyTotals]) -> [String: LatencyTotals] {
        var totals: [String: LatencyTotals] = [:]
        for broker in document.brokers {
            var brokerTotals = earlier[broker.name] ?? LatencyTotals()
            brokerTotals.add(broker)
            totals[broker.name] = brokerTotals
        }
        return totals
    }
}
