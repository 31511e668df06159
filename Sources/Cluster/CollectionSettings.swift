import Kafka

package struct CollectionSettings: Sendable {
    package var topicFilter: NameFilter = .everything
    package var groupFilter: NameFilter = .everything
    /// Topics whose names start with `__` (e.g. `__consumer_offsets`) are left out unless this is set.
    package var includeInternalTopics = false
    package var staticGroups: [StaticGroup] = []
    /// The groups this replica reports when replicas split the cluster.
    package var shard: Shard = .whole
    /// List groups with ListConsumerGroups where the broker allows it.
    package var discoverGroups = true
    /// Read group state and members with DescribeConsumerGroups (brokers without it, like the mock
    /// cluster, leave each attempt to time out).
    package var describeGroups = true
    /// Time between the starts of two cycles.
    package var interval: Duration = .seconds(15)
    /// Deadline of each Kafka request.
    package var requestTimeout: Duration = .seconds(10)
    /// Group offset requests in flight at once (`.max`: no limit).
    package var maxGroupRequestsInFlight = 16
    /// Watermarks are read in batches of one leader's partitions, several at once (see `WatermarkBatching`).
    package var watermarkBatching = KafkaClient.WatermarkBatching()
    /// How long to wait before asking again for an API the broker said it does not support.
    package var unsupportedRetryInterval: Duration = .seconds(600)

    package init() {}

    /// Groups outside this replica's shard are neither read nor reported, static ones included.
    func acceptsGroup(_ id: String) -> Bool {
        groupFilter.accepts(id) && shard.owns(id)
    }

    func acceptsTopic(_ name: String) -> Bool {
        (includeInternalTopics || !name.hasPrefix("__")) && topicFilter.accepts(name)
    }
}
