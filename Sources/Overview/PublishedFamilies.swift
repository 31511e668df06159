/// The families the overview reads, by the names and labels docs/metrics.md promises: the
/// overview depends on that contract, not on the modules that publish them.
enum PublishedFamily {
    static let up = "kafka_exporter_up"
    static let lastSuccess = "kafka_exporter_last_collect_success_timestamp_seconds"
    static let brokers = "kafka_brokers"
    static let topicPartitions = "kafka_topic_partitions"
    static let underReplicated = "kafka_topic_partition_under_replicated_partition"
    static let inPerSecond = "kafka_topic_messages_in_per_second"
    static let inPerMinute = "kafka_topic_messages_in_per_minute"
    static let consumedPerMinute = "kafka_consumergroup_messages_consumed_per_minute"
    static let lagSum = "kafka_consumergroup_lag_sum"
    static let maxLagSeconds = "kafka_consumergroup_max_lag_seconds"
    static let groupStatus = "kafka_consumergroup_status"
    static let partitionStatus = "kafka_consumergroup_partition_status"
    static let stageIn = "kafka_pipeline_messages_in_per_second"
    static let stageOut = "kafka_pipeline_messages_out_per_second"
    static let amplification = "kafka_pipeline_amplification_ratio"
    static let amplificationBound = "kafka_pipeline_amplification_ratio_bound"
    static let stageRecords = "kafka_pipeline_window_records"
    static let duplicateRatio = "kafka_topic_duplicate_ratio"
    static let duplicateBound = "kafka_topic_duplicate_ratio_bound"
    static let duplicateSamples = "kafka_topic_duplicate_window_samples"
    static let retries = "kafka_client_tx_retries_total"
    static let txErrors = "kafka_client_tx_errors_total"
    static let rxErrors = "kafka_client_rx_errors_total"
    static let timeouts = "kafka_client_request_timeouts_total"
    static let queueMessages = "kafka_client_msg_queue_messages"
    static let queueMaxMessages = "kafka_client_msg_queue_max_messages"
    static let queueBytes = "kafka_client_msg_queue_bytes"
    static let queueMaxBytes = "kafka_client_msg_queue_max_bytes"
}

/// What the overview keeps of one family: its samples summed (or maxed, or counted) over the labels
/// it does not name. `statusInKey` appends the sample's value to the key (a status code).
struct Selection: Sendable {
    enum Aggregate: Sendable { case sum, max, count }

    let family: String
    let labels: [String]
    let aggregate: Aggregate
    let statusInKey: Bool
    let accepts: @Sendable (Double) -> Bool

    init(_ family: String, _ labels: [String], _ aggregate: Aggregate = .sum, statusInKey: Bool = false,
         accepts: @escaping @Sendable (Double) -> Bool = { _ in true }) {
        self.family = family
        self.labels = labels
        self.aggregate = aggregate
        self.statusInKey = statusInKey
        self.accepts = accepts
    }

    /// By family name: the families summed over all labels but these, then those that need more.
    static let all: [String: Selection] = Dictionary(uniqueKeysWithValues: ([
        []: [PublishedFamily.up, PublishedFamily.lastSuccess, PublishedFamily.brokers],
        ["topic"]: [
            PublishedFamily.topicPartitions, PublishedFamily.underReplicated, PublishedFamily.inPerSecond, PublishedFamily.inPerMinute,
            PublishedFamily.duplicateRatio, PublishedFamily.duplicateBound, PublishedFamily.duplicateSamples,
        ],
        ["consumergroup"]: [PublishedFamily.consumedPerMinute],
        ["consumergroup", "topic"]: [PublishedFamily.lagSum],
        ["stage"]: [
            PublishedFamily.stageIn, PublishedFamily.stageOut, PublishedFamily.amplification, PublishedFamily.amplificationBound,
            PublishedFamily.stageRecords,
        ],
        ["client_id", "type"]: [
            PublishedFamily.retries, PublishedFamily.txErrors, PublishedFamily.rxErrors, PublishedFamily.timeouts,
            PublishedFamily.queueMessages, PublishedFamily.queueMaxMessages, PublishedFamily.queueBytes, PublishedFamily.queueMaxBytes,
        ],
    ].flatMap { labels, families in families.map { Selection($0, labels) } } + [
        Selection(PublishedFamily.maxLagSeconds, ["consumergroup"], .max),
        Selection(PublishedFamily.groupStatus, ["consumergroup"], .max),
        // Only the partitions that are not OK: a large cluster's thousands of OK partitions cost nothing.
        Selection(PublishedFamily.partitionStatus, ["consumergroup", "topic"], .count, statusInKey: true) { $0 != 1 },
    ]).map { ($0.family, $0) })
}
