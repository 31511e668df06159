/// The families the overview reads, by the names and labels docs/metrics.md promises: the
/// overview depends on that contract, not on the modules that publish them.
enum PublishedFamily: String, CaseIterable {
    case up = "kafka_exporter_up"
    case lastSuccess = "kafka_exporter_last_collect_success_timestamp_seconds"
    case brokers = "kafka_brokers"
    case topicPartitions = "kafka_topic_partitions"
    case underReplicated = "kafka_topic_partition_under_replicated_partition"
    case inPerSecond = "kafka_topic_messages_in_per_second"
    case inPerMinute = "kafka_topic_messages_in_per_minute"
    case consumedPerMinute = "kafka_consumergroup_messages_consumed_per_minute"
    case lagSum = "kafka_consumergroup_lag_sum"
    case maxLagSeconds = "kafka_consumergroup_max_lag_seconds"
    case groupStatus = "kafka_consumergroup_status"
    case partitionStatus = "kafka_consumergroup_partition_status"
    case stageIn = "kafka_pipeline_messages_in_per_second"
    case stageOut = "kafka_pipeline_messages_out_per_second"
    case amplification = "kafka_pipeline_amplification_ratio"
    case amplificationBound = "kafka_pipeline_amplification_ratio_bound"
    case stageRecords = "kafka_pipeline_window_records"
    case duplicateRatio = "kafka_topic_duplicate_ratio"
    case duplicateBound = "kafka_topic_duplicate_ratio_bound"
    case duplicateSamples = "kafka_topic_duplicate_window_samples"
    case retries = "kafka_client_tx_retries_total"
    case txErrors = "kafka_client_tx_errors_total"
    case rxErrors = "kafka_client_rx_errors_total"
    case timeouts = "kafka_client_request_timeouts_total"
    case queueMessages = "kafka_client_msg_queue_messages"
    case queueMaxMessages = "kafka_client_msg_queue_max_messages"
    case queueBytes = "kafka_client_msg_queue_bytes"
    case queueMaxBytes = "kafka_client_msg_queue_max_bytes"
}

/// What the overview keeps of one family: its samples summed (or maxed, or counted) over the labels
/// it does not name. `statusInKey` appends the sample's value to the key (a status code).
struct Selection: Sendable {
    enum Aggregate: Sendable { case sum, max, count }

    let family: PublishedFamily
    let labels: [String]
    let aggregate: Aggregate
    let statusInKey: Bool
    let accepts: @Sendable (Double) -> Bool

    init(_ family: PublishedFamily, _ labels: [String], _ aggregate: Aggregate = .sum, statusInKey: Bool = false,
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
    ]).map { ($0.family.rawValue, $0) })
}
