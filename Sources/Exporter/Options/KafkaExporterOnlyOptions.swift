import ArgumentParser

/// kafka_exporter flags that have nothing to set here, accepted so that its command lines (and the
/// charts that render them) keep working; the exporter logs once which of them it ignores: those
/// given a value, and switches that ask for what kafka_exporter does not do by default.
struct KafkaExporterOnlyOptions: ParsableArguments, Sendable {
    private static let ignoredHelp = "Accepted for kafka_exporter; ignored"

    @Option(name: .customLong("refresh.metadata"), parsing: .unconditional, help: "\(ignoredHelp): every collection cycle reads the metadata.") var refreshMetadata: String?

    @Flag(name: .customLong("offset.show-all"), inversion: .prefixedNo, help: "\(ignoredHelp): groups are shown whether or not they have members.") var offsetShowAll = true

    @Flag(name: .customLong("concurrent.enable"), inversion: .prefixedNo, help: "\(ignoredHelp): a scrape never reaches Kafka.") var concurrent = false

    @Option(name: .customLong("topic.workers"), parsing: .unconditional, help: "\(ignoredHelp): offsets are read with one request per leader broker.") var topicWorkers: Int?

    @Option(name: .customLong("group.metrics.timeout"), parsing: .unconditional, help: "\(ignoredHelp): each request has --collect.timeout.") var groupMetricsTimeout: String?

    @Flag(name: .customLong("kafka.allow-auto-topic-creation"), inversion: .prefixedNo, help: "\(ignoredHelp): the exporter never asks for topics by name.") var allowAutoTopicCreation = false

    @Flag(name: .customLong("use.consumelag.zookeeper"), inversion: .prefixedNo, help: "\(ignoredHelp): offsets stored in ZooKeeper are not read.") var zookeeperLag = false

    @Option(name: .customLong("zookeeper.server"), help: "\(ignoredHelp): ZooKeeper is not used.") var zookeeperServers: [String] = []

    var ignored: [String] {
        var ignored: [String] = []
        if let refreshMetadata { ignored.append("--refresh.metadata=\(refreshMetadata)") }
        if !offsetShowAll { ignored.append("--offset.show-all=false") }
        if concurrent { ignored.append("--concurrent.enable") }
        if let topicWorkers { ignored.append("--topic.workers=\(topicWorkers)") }
        if let groupMetricsTimeout { ignored.append("--group.metrics.timeout=\(groupMetricsTimeout)") }
        if allowAutoTopicCreation { ignored.append("--kafka.allow-auto-topic-creation") }
        if zookeeperLag { ignored.append("--use.consumelag.zookeeper") }
        ignored += zookeeperServers.map { "--zookeeper.server=\($0)" }
        return ignored
    }
}
