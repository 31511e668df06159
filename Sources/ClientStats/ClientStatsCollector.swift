import Exposition
import Foundation
import Kafka
import Logging
import Synchronization

/// Where a statistics document came from (`kafka_exporter_stats_documents_total{source}`).
public enum StatsSource: String, CaseIterable, Sendable {
    /// The exporter's own librdkafka handles.
    case own = "self"
    /// `POST /api/v1/stats`.
    case http
    /// The `--stats.topic` topic.
    case topic
}

/// Why a document was refused (`kafka_exporter_stats_rejected_total{reason}`).
public enum StatsRejection: String, CaseIterable, Sendable {
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

/// Collects librdkafka statistics documents from every source into one client registry and publishes
/// the `kafka_client_*` families to the metrics registry, at most once per `publishInterval`.
public final class ClientStatsCollector: Sendable {
    /// The registry source name the families are published under.
    public static let registrySource = "client_stats"

    private struct State {
        var clients: ClientRegistry
        var documents: [StatsSource: Int] = [:]
        var rejections: [StatsRejection: Int] = [:]
        var changed = true
    }

    private let registry: Registry
    private let logger: Logger
    private let publishInterval: Duration
    private let state: Mutex<State>
    /// Held while families are built and published, so publications never overtake each other.
    private let publishing = Mutex(())
    private let publisher = BackgroundLoop(name: "client-stats-publisher")

    /// - Parameters:
    ///   - expiry: `--stats.expiry`; nil forgets a client after 5 × its own interval.
    ///   - fallbackInterval: the interval assumed for a client that sent a single document so far.
    public init(
        registry: Registry, expiry: Duration? = nil, fallbackInterval: Duration = .seconds(60),
        publishInterval: Duration = .seconds(1), logger: Logger
    ) {
        self.registry = registry
        self.logger = logger
        self.publishInterval = publishInterval
        state = Mutex(State(clients: ClientRegistry(expiry: expiry, fallbackInterval: fallbackInterval)))
    }

    /// Parses and records one document; a refused one is counted and its error thrown.
    @discardableResult
    public func ingest(_ json: [UInt8], from source: StatsSource) throws(StatsParseError) -> ClientKey {
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
    public var statisticsHandler: @Sendable (_ clientName: String, _ json: [UInt8]) -> Void {
        { [weak self] _, json in _ = try? self?.ingest(json, from: .own) }
    }

    /// Counts a document refused before parsing (too large, unauthorized).
    public func countRejection(_ reason: StatsRejection) {
        state.withLock { state in
            state.rejections[reason, default: 0] += 1
            state.changed = true
        }
    }

    /// The clients known now, in label order.
    public var clients: [ReportingClient] {
        state.withLock { $0.clients.sortedClients }
    }

    /// Starts publishing changes (and forgetting expired clients) every `publishInterval`, on a thread
    /// of its own: the work is synchronous and must not wait behind blocked threads of a shared pool.
    /// The thread keeps the collector alive until `stop()`.
    public func start() {
        publish()
        publisher.start { [self] in
            publishIfChanged()
            return publishInterval
        }
    }

    /// Stops the publishing thread; idempotent.
    public func stop() {
        publisher.stop()
    }

    /// Forgets expired clients and publishes the families if anything changed since the last time.
    public func publishIfChanged() {
        let now = ContinuousClock.now
        let removed = state.withLock { state in
            let removed = state.clients.removeExpired(at: now)
            if !removed.isEmpty { state.changed = true }
            return removed
        }
        for key in removed {
            logger.info("client stopped reporting statistics; its series are removed", metadata: ["client": "\(key)"])
        }
        publish(onlyIfChanged: true)
    }

    /// Publishes the families now.
    public func publish() {
        publish(onlyIfChanged: false)
    }

    private func publish(onlyIfChanged: Bool) {
        publishing.withLock { _ in
            let snapshot = state.withLock { state -> (clients: [ReportingClient], documents: [StatsSource: Int], rejections: [StatsRejection: Int])? in
                guard state.changed || !onlyIfChanged else { return nil }
                state.changed = false
                return (state.clients.sortedClients, state.documents, state.rejections)
            }
            guard let snapshot else { return }
            let families = ClientFamilies.build(snapshot.clients)
                + Self.ingestionFamilies(documents: snapshot.documents, rejections: snapshot.rejections)
            registry.publish(source: Self.registrySource, families: families)
        }
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
