import Cluster
import Exposition
import FoundationEssentials
import MetricSources
import Support

/// Keeps the latest of every family the overview reads and, at most once per `history / points`,
/// samples them into fixed-size rings: the overview's memory does not grow with time or cluster size.
package final class OverviewRecorder: Sendable {
    package struct Settings: Sendable, Equatable {
        /// How far back the charts reach.
        package var history: Double = 30 * 60
        /// Instants kept per series.
        package var points = 180
        /// Series per chart and rows per table on the page.
        package var top = 10
        /// Keys each ring follows (the largest by value).
        package var maxKeys = 100

        package init() {}
    }

    /// The series kept over time, one ring each.
    enum Ring: CaseIterable, Sendable {
        case inPerSecond, inPerMinute, consumedPerMinute, lag, lagSeconds
        case stageIn, stageOut, amplification, duplicateRatio
        case retries, queueFill
    }

    private struct State {
        var readings = Readings()
        var rings: [Ring: HistoryRing]
        var lastSample: Double?
        /// The document of the readings and rings as they are, until the next publication changes them:
        /// page views cost no rebuilding in between.
        var document: OverviewDocument?
        /// The document's JSON, for the generation of readings it was encoded from.
        var json: (generation: Int, bytes: [UInt8])?
    }

    package let settings: Settings
    private let state: Locked<State>

    package init(settings: Settings) {
        self.settings = settings
        let rings = Dictionary(uniqueKeysWithValues: Ring.allCases.map {
            ($0, HistoryRing(capacity: settings.points, maxKeys: settings.maxKeys))
        })
        state = Locked(State(rings: rings))
    }

    /// Takes in a publication; one that follows a collection cycle at `time` may add an instant to the history.
    package func observe(_ familiesBySource: [String: [MetricFamily]], at time: Date?) {
        state.withLock { state in
            state.document = nil
            state.readings.absorb(familiesBySource)
            guard let time = time?.timeIntervalSince1970 else { return }
            if let last = state.lastSample, time - last < settings.history / Double(settings.points) { return }
            state.lastSample = time
            let values = Self.sample(state.readings)
            for ring in Ring.allCases { state.rings[ring]!.append(at: time, values[ring] ?? [:]) }
        }
    }

    /// What the page and `/api/v1/overview` show: built once per publication, outside the lock.
    package func document() -> OverviewDocument {
        let (cached, readings, rings) = state.withLock { ($0.document, $0.readings, $0.rings) }
        if let cached { return cached }
        let document = OverviewBuilder(readings: readings, rings: rings, settings: settings, now: Date()).document()
        state.withLock { state in
            // A publication in the meantime made a newer one due.
            if state.readings.generation == readings.generation { state.document = document }
        }
        return document
    }

    /// `/api/v1/overview`: encoded once per publication, like the document.
    package func json() -> [UInt8] {
        let generation = state.withLock { $0.readings.generation }
        if let cached = state.withLock({ $0.json }), cached.generation == generation { return cached.bytes }
        let bytes = document().json()
        state.withLock { $0.json = (generation, bytes) }
        return bytes
    }

    private static func sample(_ readings: Readings) -> [Ring: [String: Double]] {
        let clients = ClientKey.values(readings)
        return [
            .inPerSecond: readings.byFirstLabel(PublishedFamily.inPerSecond),
            .inPerMinute: readings.byFirstLabel(PublishedFamily.inPerMinute),
            .consumedPerMinute: readings.byFirstLabel(PublishedFamily.consumedPerMinute),
            .lag: readings.byFirstLabel(PublishedFamily.lagSum),
            .lagSeconds: readings.byFirstLabel(PublishedFamily.maxLagSeconds),
            .stageIn: readings.byFirstLabel(PublishedFamily.stageIn),
            .stageOut: readings.byFirstLabel(PublishedFamily.stageOut),
            .amplification: readings.byFirstLabel(PublishedFamily.amplification),
            .duplicateRatio: readings.byFirstLabel(PublishedFamily.duplicateRatio),
            .retries: clients.retries,
            .queueFill: clients.queueFill,
        ]
    }
}

/// A client as `client_id` and `type` (a producer and a consumer may share a client id), in one string
/// key for the rings.
enum ClientKey {
    private static let separator: Character = "\u{1F}"

    static func make(_ labels: [String]) -> String { labels.joined(separator: String(separator)) }

    /// At the last separator: a client id may contain anything, librdkafka's types do not.
    static func split(_ key: String) -> (clientID: String, type: String) {
        guard let index = key.lastIndex(of: separator) else { return (key, "") }
        return (String(key[..<index]), String(key[key.index(after: index)...]))
    }

    /// Per client: request retries, errors (transmit, receive, timeouts) and queue fill.
    static func values(_ readings: Readings) -> (retries: [String: Double], errors: [String: Double], queueFill: [String: Double]) {
        func table(_ family: PublishedFamily) -> [String: Double] {
            Dictionary(readings[family].map { (make($0.key), $0.value) }, uniquingKeysWith: +)
        }
        let errors = [PublishedFamily.txErrors, PublishedFamily.rxErrors, PublishedFamily.timeouts]
            .map(table).reduce(into: [String: Double]()) { $0.merge($1, uniquingKeysWith: +) }
        let messages = table(PublishedFamily.queueMessages), maxMessages = table(PublishedFamily.queueMaxMessages)
        let bytes = table(PublishedFamily.queueBytes), maxBytes = table(PublishedFamily.queueMaxBytes)
        var fill: [String: Double] = [:]
        for (key, limit) in maxMessages where limit > 0 { fill[key] = (messages[key] ?? 0) / limit }
        for (key, limit) in maxBytes where limit > 0 { fill[key] = max(fill[key] ?? 0, (bytes[key] ?? 0) / limit) }
        return (table(PublishedFamily.retries), errors, fill)
    }
}
