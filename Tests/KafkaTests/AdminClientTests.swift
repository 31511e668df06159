import Kafka
import Testing

@Suite(.serialized) struct AdminClientTests {
    private func admin(_ bootstrap: String) -> AdminClient {
        AdminClient(grace: .milliseconds(500)) { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", bootstrap)]))
        }
    }

    /// librdkafka 2.0.2 can leave a handle unanswering after a failed DescribeConsumerGroups (the mock
    /// cluster has no DescribeGroups). The call after it may time out once; the one after that must
    /// run on a fresh handle and succeed.
    @Test func aHandleThatStopsAnsweringIsReplaced() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("orders", partitions: 1)
        let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("group.id", "g1")]))
        try committer.commit([TopicPartition("orders", 0): 0])
        committer.close()

        let admin = admin(cluster.bootstrapServers)
        _ = try? admin.describeGroups(["g1"], timeout: .seconds(1))
        let request = [AdminClient.OffsetRequest(group: "g1", partitions: [TopicPartition("orders", 0)])]
        let first = admin.committedOffsets(request, timeout: .seconds(1), maxInFlight: 1)
        let timedOut: Bool
        if case .failure(let error)? = first["g1"] { timedOut = error.isTimeout } else { timedOut = false }
        #expect(admin.replacements == (timedOut ? 1 : 0))

        let second = admin.committedOffsets(request, timeout: .seconds(1), maxInFlight: 1)
        #expect(try second["g1"]?.get() == [TopicPartition("orders", 0): 0])
    }

    @Test func offsetsOfManyGroupsWithBoundedConcurrency() throws {
        let cluster = try MockCluster(brokers: 2)
        try cluster.createTopic("orders", partitions: 2, replicationFactor: 2)
        var expected: [String: [TopicPartition: Int64]] = [:]
        for index in 0..<12 {
            let group = "group-\(index)"
            let offsets = [TopicPartition("orders", 0): Int64(index), TopicPartition("orders", 1): Int64(2 * index)]
            let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("group.id", group)]))
            try committer.commit(offsets)
            committer.close()
            expected[group] = offsets
        }
        let partitions = [TopicPartition("orders", 0), TopicPartition("orders", 1)]
        let results = admin(cluster.bootstrapServers).committedOffsets(
            expected.keys.map { AdminClient.OffsetRequest(group: $0, partitions: partitions) } + [AdminClient.OffsetRequest(group: "never-committed", partitions: partitions)],
            timeout: .seconds(5), maxInFlight: 3)
        for (group, offsets) in expected {
            #expect(try results[group]?.get() == offsets)
        }
        #expect(try results["never-committed"]?.get() == [:])
    }

    @Test func listingGroupsOnABrokerWithoutTheAPIIsReportedAsUnsupported() throws {
        let cluster = try MockCluster(brokers: 1)
        do {
            _ = try admin(cluster.bootstrapServers).listGroups(timeout: .seconds(2))
            Issue.record("the mock cluster unexpectedly listed groups")
        } catch {
            #expect(error.isUnsupported)
        }
    }
}
