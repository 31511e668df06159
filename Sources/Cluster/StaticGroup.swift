import Support

/// A group named with `--group.static=GROUP[:topic,topic...]`, collected even where the broker does
/// not list groups (librdkafka's mock cluster, ACLs that deny ListGroups).
package struct StaticGroup: Sendable, Equatable {
    package let id: String
    /// The topics whose committed offsets to read; empty means every topic that passes the filters.
    package let topics: [String]

    package init(id: String, topics: [String]) { (self.id, self.topics) = (id, topics) }

    /// Parses a `--group.static` value.
    package init(parsing text: String) throws(ConfigurationError) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let id = String(parts[0])
        guard !id.isEmpty else { throw ConfigurationError("--group.static \"\(text)\": empty group name") }
        let topics = parts.count > 1 ? parts[1].split(separator: ",").map(String.init) : []
        if parts.count > 1 && topics.isEmpty {
            throw ConfigurationError("--group.static \"\(text)\": no topics after ':'")
        }
        self.init(id: id, topics: topics)
    }
}
