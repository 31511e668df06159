import Kafka
import Logging
import Support

/// The topic settings an operator checks first, as DescribeConfigs reports them.
package struct TopicConfig: Sendable, Equatable {
    /// Milliseconds; -1 keeps records forever.
    package var retentionMilliseconds: Double?
    /// Bytes per partition; -1 has no size limit.
    package var retentionBytes: Double?
    /// `delete`, `compact`, or both.
    package var cleanupPolicies: [String]?
    package var minInSyncReplicas: Int?

    package init(_ entries: [String: String]) {
        retentionMilliseconds = entries["retention.ms"].flatMap(Double.init)
        retentionBytes = entries["retention.bytes"].flatMap(Double.init)
        cleanupPolicies = entries["cleanup.policy"].map { $0.split(separator: ",").map { $0.trimmingWhitespace() }.sorted() }
        minInSyncReplicas = entries["min.insync.replicas"].flatMap { Int($0) }
    }
}

/// Reads the configs of the topics it is told about on its own thread, every `interval`, in batches of
/// `batchSize` topics per DescribeConfigs request. A broker that does not support or answer the request
/// (librdkafka's mock cluster waits for a controller it never has) is not asked again for
/// `unsupportedRetryInterval`, as the collection does with other APIs.
package final class TopicConfigReader: Sendable {
    package struct Settings: Sendable {
        package var interval: Duration = .seconds(300)
        package var requestTimeout: Duration = .seconds(10)
        package var unsupportedRetryInterval: Duration = .seconds(600)
        package var batchSize = 100

        package init() {}
    }

    private struct State {
        var topics: [String] = []
        var configs: [String: TopicConfig] = [:]
        var nextRead = ContinuousClock.now
    }

    private let settings: Settings
    private let admin: AdminClient
    private let logger: Logger
    private let problems: ProblemLog<String>
    private let state = Locked(State())
    private let loop = BackgroundLoop(name: "topic-configs")

    package init(settings: Settings, admin: AdminClient, logger: Logger) {
        self.settings = settings
        self.admin = admin
        self.logger = logger
        problems = ProblemLog("reading topic configs failed", recovery: "reading topic configs recovered", logger: logger)
    }

    package func start() {
        loop.start { [self] in
            readIfDue()
            return .seconds(1)
        }
    }

    package func stop() {
        loop.stop()
    }

    /// The topics to read from now on; those gone are forgotten, new ones are read at the next pass.
    package func follow(_ topics: [String]) {
        state.withLock { state in
            if Set(topics).subtracting(state.topics).isEmpty == false { state.nextRead = .now }
            state.topics = topics
            state.configs = state.configs.filter { topics.contains($0.key) }
        }
    }

    package var configs: [String: TopicConfig] { state.withLock { $0.configs } }

    private func readIfDue() {
        let now = ContinuousClock.now
        let topics = state.withLock { state -> [String]? in
            guard state.nextRead <= now else { return nil }
            state.nextRead = now + settings.interval
            return state.topics
        }
        guard let topics, !topics.isEmpty else { return }
        var read: [String: TopicConfig] = [:]
        var failures: [String] = []
        for start in stride(from: 0, to: topics.count, by: settings.batchSize) {
            guard !loop.isStopping else { return }
            let batch = Array(topics[start..<min(start + settings.batchSize, topics.count)])
            do {
                for (topic, result) in try admin.describeTopicConfigs(batch, timeout: settings.requestTimeout) {
                    switch result {
                    case .success(let entries): read[topic] = TopicConfig(entries)
                    case .failure(let error): failures.append("\(topic): \(error)")
                    }
                }
            } catch {
                if error.isTimeout || error.isUnsupported {
                    logger.info("broker does not support or answer DescribeConfigs; skipping it for a while", metadata: [
                        "error": "\(error)", "retry_in": "\(settings.unsupportedRetryInterval)",
                    ])
                    state.withLock { $0.nextRead = now + settings.unsupportedRetryInterval }
                    admin.reset()
                    return
                }
                failures.append(error.description)
            }
        }
        problems.report(failures.first.map { "\(failures.count) failed, first: \($0)" }, for: "describe-configs")
        state.withLock { state in
            state.configs.merge(read.filter { state.topics.contains($0.key) }) { _, new in new }
        }
    }
}
