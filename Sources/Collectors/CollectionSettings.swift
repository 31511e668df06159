/// A group named with `--group.static=GROUP[:topic,topic...]`, collected even where the broker does
/// not list groups (librdkafka's mock cluster, ACLs that deny ListGroups).
public struct StaticGroup: Sendable, Equatable {
    public let id: String
    /// The topics whose committed offsets to read; empty means every topic that passes the filters.
    public let topics: [String]

    public init(id: String, topics: [String]) {
        self.id = id
        self.topics = topics
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let id = String(parts[0])
        guard !id.isEmpty else { throw ParseError(description: "--group.static \"\(text)\": empty group name") }
        let topics = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        if parts.count > 1 && topics.isEmpty {
            throw ParseError(description: "--group.static \"\(text)\": no topics after ':'")
        }
        self.init(id: id, topics: topics)
    }
}

public struct CollectionSettings: Sendable {
    public var topicFilter: NameFilter = .everything
    public var groupFilter: NameFilter = .everything
    /// Topics whose names start with `__` (e.g. `__consumer_offsets`) are left out unless this is set.
    public var includeInternalTopics = false
    public var staticGroups: [StaticGroup] = []
    /// List groups with ListConsumerGroups where the broker allows it.
    public var discoverGroups = true
    /// Read group state and members with DescribeConsumerGroups (brokers without it, like the mock
    /// cluster, leave each attempt to time out).
    public var describeGroups = true
    /// Deadline of each Kafka request.
    public var requestTimeout: Duration = .seconds(10)
    /// Group offset requests in flight at once.
    public var maxGroupRequestsInFlight = 16
    /// How long to wait before asking again for an API the broker said it does not support.
    public var unsupportedRetryInterval: Duration = .seconds(600)

    public init() {}

    func acceptsTopic(_ name: String) -> Bool {
        (includeInternalTopics || !name.hasPrefix("__")) && topicFilter.accepts(name)
    }
}
