import Exposition
import Kafka
import Logging
import Support

/// Where a statistics document came from (`kafka_exporter_stats_documents_total{source}`).
package enum StatsSource: String, CaseIterable, Sendable {
    /// The exporter's own librdkafka handles.
    case own = "self"
    /// `POST /api/v1/stats`.
    case http
    /// The `--stats.topic` topic.
    case topic
}

/// Why a document was refused (`kafka_exporter_stats_rejected_total{reason}`).
package enum StatsRejection: String, CaseIterable, Sendable {
    case malformedJSON = "invalid_json"
    case notStatistics = "not_statistics"
    case tooLarge = "too_large"
    case unauthorized
    /// A new client while `--stats.max-clients` clients are known (429).
    case tooManyClients = "too_many_clients"
    /// A document listing more than `--stats.max-partitions` partitions or brokers (413).
    case tooManyPartitions = "too_many_partitions"
    /// A POST without `Content-Type: application/json` (415).
    case wrongContentType = "wrong_content_type"
    /// A POST from another host without a token configured or `--stats.allow-remote` (403).
    case remotePeer = "remote_peer"

    init(_ kind: StatsParseError.Kind) {
        switch kind {
        case .malformedJSON: self = .malformedJSON
        case .notStatistics: self = .notStatistics
        }
    }
}

/// A document that was not recorded, and why.
package struct StatsRefused: Error, CustomStringConvertible, Sendable {
    package let reason: StatsRejection
    package let description: String
}

/// Bounds on what the registry holds, so posted documents cannot grow memory and series without end.
package struct StatsLimits: Sendable {
    /// Clients known at once besides the exporter's own (`--stats.max-clients`); documents of further
    /// clients are refused.
    package var maxClients = 1000
    /// Partitions (and brokers) in one document (`--stats.max-partitions`).
    package var maxPartitions = 10_000

    package init() {}
}

/// Collects librdkafka statistics documents from every source into one client registry, and builds the
/// `kafka_client_*` families from it.
package final class ClientStatsCollector: Sendable {
    private struct State {
        var clients: ClientRegistry
        /// The exporter's own clients among `clients`: not counted against `maxClients`, so that posted
        /// documents can neither refuse them nor be refused because of them.
        var ownClients: Set<ClientKey> = []
        var documents: [StatsSource: Int] = [:]
        var rejections: [StatsRejection: Int] = [:]
        var changed = true
        /// `releaseDroppedMemory` calls left that return memory, after many clients expired.
        var trimsPending = 0
    }

    private let logger: Logger
    private let state: Locked<State>
    package let limits: StatsLimits

    /// - Parameters:
    ///   - expiry: `--stats.expiry`; nil forgets a client after `ClientRegistry.expiryIntervals` × its own interval.
    ///   - fallbackInterval: the interval assumed for a client that sent a single document so far.
    package init(expiry: Duration? = nil, fallbackInterval: Duration = .seconds(60), limits: StatsLimits = StatsLimits(), logger: Logger) {
        self.logger = logger
        self.limits = limits
        state = Locked(State(clients: ClientRegistry(expiry: expiry, fallbackInterval: fallbackInterval)))
    }

    /// Parses and records one document; a refused one is counted and its error thrown.
    @discardableResult
    package func ingest(_ json: [UInt8], from source: StatsSource) throws(StatsRefused) -> ClientKey {
        let document: ClientStatistics
        do {
            document = try StatisticsParser.parse(json)
            let listed = max(document.partitions.count, document.brokers.count)
            guard listed <= limits.maxPartitions else {
                throw StatsRefused(
                    reason: .tooManyPartitions, description: "the document lists \(listed) partitions or brokers, more than \(limits.maxPartitions)")
            }
        } catch let error as StatsParseError {
            throw refuse(StatsRefused(reason: StatsRejection(error.kind), description: error.description), from: source)
        } catch {
            throw refuse(error as! StatsRefused, from: source)
        }
        let now = ContinuousClock.now
        let key = ClientKey(document)
        let admitted = state.withLock { state in
            if source == .own {
                state.ownClients.insert(key)
            } else {
                let posted = state.clients.clients.count - state.ownClients.count
                guard state.clients.clients[key] != nil || posted < limits.maxClients else { return false }
            }
            state.documents[source, default: 0] += 1
            if state.clients.record(document, at: now) == .recorded { state.changed = true }
            return true
        }
        guard admitted else {
            throw refuse(StatsRefused(reason: .tooManyClients, description: "\(limits.maxClients) clients are reporting already"), from: source)
        }
        return key
    }

    private func refuse(_ refusal: StatsRefused, from source: StatsSource) -> StatsRefused {
        countRejection(refusal.reason)
        if source == .own {
            logger.warning("librdkafka statistics document refused", metadata: ["error": "\(refusal)"])
        } else {
            logger.debug("statistics document refused", metadata: ["source": "\(source.rawValue)", "error": "\(refusal)"])
        }
        return refusal
    }

    /// For `ClientCallbacks.statistics` of the exporter's own librdkafka handles.
    package var statisticsHandler: @Sendable (_ clientName: String, _ json: [UInt8]) -> Void {
        { [weak self] _, json in _ = try? self?.ingest(json, from: .own) }
    }

    /// Counts a document refused before parsing (too large, unauthorized).
    package func countRejection(_ reason: StatsRejection) {
        state.withLock { state in
            state.rejections[reason, default: 0] += 1
            state.changed = true
        }
    }

    /// The clients known now, in label order.
    package var clients: [ReportingClient] {
        state.withLock { $0.clients.sortedClients }
    }

    /// Forgets expired clients, then builds the families — or returns nil when `onlyIfChanged` and
    /// nothing changed since the last call.
    package func families(onlyIfChanged: Bool) -> [MetricFamily]? {
        typealias Snapshot = (clients: [ReportingClient], documents: [StatsSource: Int], rejections: [StatsRejection: Int])
        let now = ContinuousClock.now
        let (removed, snapshot) = state.withLock { state -> ([ClientKey], Snapshot?) in
            let removed = state.clients.removeExpired(at: now)
            if !removed.isEmpty {
                state.changed = true
                state.ownClients.subtract(removed)
            }
            guard state.changed || !onlyIfChanged else { return (removed, nil) }
            state.changed = false
            return (removed, (state.clients.sortedClients, state.documents, state.rejections))
        }
        if !removed.isEmpty {
            // One line however many went quiet: a fleet restarting must not flood the log.
            logger.info("clients stopped reporting statistics; their series are removed", metadata: [
                "count": "\(removed.count)", "clients": "\(removed.prefix(5).map(\.description).joined(separator: ", "))\(removed.count > 5 ? ", ..." : "")",
            ])
            if removed.count >= 100 { state.withLock { $0.trimsPending = 10 } }
        }
        guard let snapshot else { return nil }
        return ClientFamilies.build(snapshot.clients)
            + Self.ingestionFamilies(documents: snapshot.documents, rejections: snapshot.rejections)
    }

    /// After many clients expired and the families without them were published, returns the freed
    /// heap to the system — on the next ten calls too (about 10 s), as scrapes in flight and bodies
    /// built from the previous snapshot let go of what still held them; a trim costs milliseconds.
    package func releaseDroppedMemory() {
        let trim = state.withLock { state in
            defer { state.trimsPending = max(0, state.trimsPending - 1) }
            return state.trimsPending > 0
        }
        if trim { AllocationPolicy.returnFreeMemory() }
    }

    /// Every family `families(onlyIfChanged:)` returns, without samples.
    static var declaredFamilies: [MetricFamily] { ClientFamilies.declared + [documentsAccepted, documentsRefused] }

    private static let documentsAccepted = MetricFamily(
        name: "kafka_exporter_stats_documents_total",
        help: "librdkafka statistics documents accepted, by where they came from: \(StatsSource.allCases.map(\.rawValue).joined(separator: ", ")).",
        type: .counter, labelNames: ["source"])
    private static let documentsRefused = MetricFamily(
        name: "kafka_exporter_stats_rejected_total",
        help: "Statistics documents refused, by reason: \(StatsRejection.allCases.map(\.rawValue).joined(separator: ", ")).",
        type: .counter, labelNames: ["reason"])

    static func ingestionFamilies(documents: [StatsSource: Int], rejections: [StatsRejection: Int]) -> [MetricFamily] {
        var accepted = documentsAccepted
        for source in StatsSource.allCases { accepted.add([source.rawValue], Double(documents[source] ?? 0)) }
        var refused = documentsRefused
        for reason in StatsRejection.allCases { refused.add([reason.rawValue], Double(rejections[reason] ?? 0)) }
        return [accepted, refused]
    }
}
