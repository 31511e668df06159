import ArgumentParser

/// kafka_exporter flags that have nothing to set here, accepted so that its command lines (and the
/// charts that render them) keep working; the exporter logs once which of them it ignores.
struct KafkaExporterOnlyOptions: ParsableArguments, Sendable {
    private static let ignoredHelp = "Accepted for kafka_exporter; ignored"

    @Option(name: .customLong("refresh.metadata"), parsing: .unconditional, help: "\(ignoredHelp): every collection cycle reads the metadata.") var refreshMetadata: String?

    @Flag(name: .customLong("offset.show-all"), inversion: .prefixedNo, help: "\(ignoredHelp): groups are shown whether or not they have members.") var offsetShowAll: Bool?

    @Flag(name: .customLong("concurrent.enable"), inversion: .prefixedNo, help: "\(ignoredHelp): a scrape never reaches Kafka.") var concurrent: Bool?

    @Option(name: .customLong("topic.workers"), parsing: .unconditional, help: "\(ignoredHelp): offsets are read with one request per leader broker.") var topicWorkers: Int?

    @Option(name: .customLong("group.workers"), parsing: .unconditional, help: "Consumer-group offset requests in flight at once (--collect.max-inflight; 0 or less: no limit).") var groupWorkers: Int?

    @Option(name: .customLong("group.metrics.timeout"), parsing: .unconditional, help: "\(ignoredHelp): each request has --collect.timeout.") var groupMetricsTimeout: String?

    @Flag(name: .customLong("kafka.allow-auto-topic-creation"), inversion: .prefixedNo, help: "\(ignoredHelp): the exporter never asks for topics by name.") var allowAutoTopicCreation: Bool?

    @Flag(name: .customLong("use.consumelag.zookeeper"), inversion: .prefixedNo, help: "\(ignoredHelp): offsets stored in ZooKeeper are not read.") var zookeeperLag: Bool?

    @Option(name: .customLong("zookeeper.server"), help: "\(ignoredHelp): ZooKeeper is not used.") var zookeeperServers: [String] = []

    /// `--group.workers` as a number of requests in flight; nil when not given.
    var groupRequestsInFlight: Int? {
        groupWorkers.map { $0 <= 0 ? Int(Int32.max) : $0 }
    }

    var ignored: [String] {
        var ignored: [String] = []
        if let refreshMetadata { ignored.append("--refresh.metadata=\(refreshMetadata)") }
        if let offsetShowAll { ignored.append("--offset.show-all=\(offsetShowAll)") }
        if let concurrent { ignored.append("--concurrent.enable=\(concurrent)") }
        if let topicWorkers { ignored.append("--topic.workers=\(topicWorkers)") }
        if let groupMetricsTimeout { ignored.append("--group.metrics.timeout=\(groupMetricsTimeout)") }
        if let allowAutoTopicCreation { ignored.append("--kafka.allow-auto-topic-creation=\(allowAutoTopicCreation)") }
        if let zookeeperLag { ignored.append("--use.consumelag.zookeeper=\(zookeeperLag)") }
        ignored += zookeeperServers.map { "--zookeeper.server=\($0)" }
        return ignored
    }
}
