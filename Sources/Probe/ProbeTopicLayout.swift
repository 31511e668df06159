import Kafka

/// What the probe topic should look like: one partition led by each broker, so that every broker's
/// produce and fetch path is exercised. Pure functions of the metadata.
package enum ProbeTopicLayout {
    /// Replicas for a new probe topic: partition i is preferred-led by the i-th broker, followed by the
    /// next brokers in id order (replication factor min(3, brokers)).
    package static func replicas(brokers: [Int32]) -> [[Int32]] {
        let sorted = brokers.sorted()
        let factor = min(3, sorted.count)
        return sorted.indices.map { first in (0..<factor).map { sorted[(first + $0) % sorted.count] } }
    }

    /// Brokers that lead no partition of the topic (their produce path goes unprobed).
    package static func brokersWithoutPartition(_ topic: TopicInfo, brokers: [Int32]) -> [Int32] {
        let leaders = Set(topic.partitions.map(\.leader))
        return brokers.filter { !leaders.contains($0) }.sorted()
    }

    /// One line saying what is wrong with an existing topic; nil when each broker leads a partition.
    package static func problem(_ topic: TopicInfo, brokers: [Int32]) -> String? {
        let missing = brokersWithoutPartition(topic, brokers: brokers)
        let leaderless = topic.partitions.filter { $0.leader < 0 }.map(\.id).sorted()
        var problems: [String] = []
        if !missing.isEmpty {
            problems.append("broker(s) \(missing.map(String.init).joined(separator: ", ")) lead no partition of it")
        }
        if !leaderless.isEmpty {
            problems.append("partition(s) \(leaderless.map(String.init).joined(separator: ", ")) have no leader")
        }
        return problems.isEmpty ? nil : "probe topic \(topic.name): " + problems.joined(separator: "; ")
    }
}
