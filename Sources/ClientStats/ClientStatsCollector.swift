import Exposition
import Foundation
import Kafka
import Logging
import Synchronization

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

    init(_ kind: StatsParseError.Kind) {
        switch kind {
        case .malformedJSON: self = .malformedJSON
        case .notStatistics: self = .notStatistics
        }
    }
}

/// Collects librdkafka statistics documents from every source into one client registry, and builds the
/// `kafka_client_*` families from it.
package final class ClientStatsCollector: Sendable {
    private struct State {
        var clients: ClientRegistry
        var documents: [StatsSource: Int] = [:]
        var rejections: [StatsRejection: Int] = [:]
        var changed = true
    }

    private let logger: Logger
    private let state: Mutex<State>

    /// - Parameters:
    ///   - expiry: `--stats.expiry`; nil forgets a client after 5 × its own interval.
    ///   - fallbackInterval: the interval assumed for a client that sent a single document so far.
    package init(expiry: Duration? = nil, fallbackInterval: Duration = .seconds(60), logger: Logger) {
        self.logger = logger
        state = Mutex(State(clients: ClientRegistry(expiry: expiry, fallbackInterval: fallbackInterval)))
    }

    /// Parses and records one document; a refused one is counted and its error thrown.
    @discardableResult
    package func ingest(_ json: [UInt8], from source: StatsSource) throws(StatsParseError) -> ClientKey {
        let document: ClientStatistics
        do {
            document = try StatisticsParser.parse(json)
        } catch {
            countRejection(StatsRejection(error.kind))
            if source == .own {
                logger.warning("librdkafka statistics document refused", metadata: ["error": "\(error)"])
            } else {
                logger.debug("statistics document refused", metadata: ["source": "\(source.rawValue)", "error": "\(error)"])
            }
            throw error
        }
        let now = ContinuousClock.now
        return state.withLock { state in
            state.documents[source, default: 0] += 1
            if state.clients.record(document, at: now) == .recorded { state.changed = true }
            return ClientKey(document)
        }
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
            if !removed.isEmpty { state.changed = true }
            guard state.changed || !onlyIfChanged else { return (removed, nil) }
            state.changed = false
            return (removed, (state.clients.sortedClients, state.documents, state.rejections))
        }
        for key in removed {
            logger.info("client stopped reporting statistics; its series are removed", metadata: ["client": "\(key)"])
        }
        guard let snapshot else { return nil }
        return ClientFamilies.build(snapshot.clients)
            + Self.ingestionFamilies(documents: snapshot.documents, rejections: snapshot.rejections)
    }

    static func ingestionFamilies(documents: [StatsSource: Int], rejections: [StatsRejection: Int]) -> [MetricFamily] {
        var accepted = MetricFamily(
            name: "kafka_exporter_stats_documents_total", help: "librdkafka statistics documents accepted, by where they came from.",
            type: .counter, labelNames: ["source"])
        for source in StatsSource.allCases { accepted.add([source.rawValue], Double(documents[source] ?? 0)) }
        var refused = MetricFamily(
            name: "kafka_exporter_stats_rejected_total", help: "Statistics documents refused, by reason.",
            type: .counter, labelNames: ["reason"])
        for reason in StatsRejection.allCases { refused.add([reason.rawValue], Double(rejections[reason] ?? 0)) }
        return [accepted, refused]
    }
}
