import Kafka
import Testing

@Suite(.serialized) struct AdminClientTests {
    private func admin(_ bootstrap: String) -> AdminClient {
        AdminClient(grace: .milliseconds(500)) { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", bootstrap)]))
        }
    }

    /// A call that gets no result before its deadline abandons the handle, and the next call runs on a
    /// fresh one. A negative grace gives up before librdkafka's own request timeout answers, as a handle
    /// left unanswering by librdkafka 2.0.2 (#4605) would; the real trigger, DescribeConsumerGroups on a
    /// broker without it, can abort the whole test process.
    @Test func aHandleThatStopsAnsweringIsReplaced() throws {
        let cluster = try MockCluster(brokers: 1)
        try cluster.createTopic("orders", partitions: 1)
        let committer = try Consumer(configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers), ("group.id", "g1")]))
        try committer.commit([TopicPartition("orders", 0): 4])
        committer.close()

        let admin = AdminClient(grace: .milliseconds(-500)) { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", cluster.bootstrapServers)]))
        }
        let request = [AdminClient.OffsetRequest(group: "g1", partitions: [TopicPartition("orders", 0)])]
        try cluster.setBrokerDown(1)
        let unanswered = admin.committedOffsets(request, timeout: .seconds(1), maxInFlight: 1)
        let error = #expect(throws: KafkaError.self) { try unanswered["g1"]?.get() }
        #expect(error?.isTimeout == true, "\(String(describing: error))")
        #expect(admin.replacements == 1)

        try cluster.setBrokerUp(1)
        let answered = admin.committedOffsets(request, timeout: .seconds(5), maxInFlight: 1)
        #expect(try answered["g1"]?.get() == [TopicPartition("orders", 0): 4])
        #expect(admin.replacements == 1)
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
        let admin = admin(cluster.bootstrapServers)
        let results = admin.committedOffsets(
            expected.keys.map { AdminClient.OffsetRequest(group: $0, partitions: partitions) } + [AdminClient.OffsetRequest(group: "never-committed", partitions: partitions)],
            timeout: .seconds(5), maxInFlight: 3)
        for (group, offsets) in expected {
            #expect(try results[group]?.get() == offsets)
        }
        #expect(try results["never-committed"]?.get() == [:])
        #expect(admin.replacements == 0)
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
