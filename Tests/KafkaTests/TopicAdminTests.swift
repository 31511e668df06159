import Foundation
import Kafka
import TestSupport
import Testing

@Suite struct TopicAdminTests {
    private func admin(_ bootstrap: String) -> AdminClient {
        AdminClient(grace: .milliseconds(500)) { () throws(KafkaError) in
            try KafkaClient(kind: .producer, configuration: ClientConfiguration([("bootstrap.servers", bootstrap), ("log_level", "0")]))
        }
    }

    /// librdkafka 2.0.2's mock cluster has no controller: DescribeConfigs waits for one until its timeout.
    @Test func mockClusterCannotDescribeConfigs() throws {
        let mock = try MockCluster(brokers: 1)
        try mock.createTopic("orders", partitions: 1)
        #expect { try admin(mock.bootstrapServers).describeTopicConfigs(["orders"], timeout: .milliseconds(500)) } throws: { error in
            (error as? KafkaError)?.isTimeout == true
        }
    }

    @Test(.enabled(if: TestVirtualenv.isInstalled, "needs Tansu: run `make test-deps`"))
    func tansuCreatesTopicsAndAnswersDescribeConfigsWithoutEntries() throws {
        let tansu = try TansuBroker()
        let admin = admin(tansu.bootstrapServers)
        try admin.createTopic("assigned", replicas: [[111]], timeout: .seconds(5))
        #expect { try admin.createTopic("assigned", replicas: [[111]], timeout: .seconds(5)) } throws: { error in
            (error as? KafkaError)?.isTopicAlreadyExisting == true
        }
        let client = try KafkaClient(kind: .producer, configuration: ClientConfiguration([
            ("bootstrap.servers", tansu.bootstrapServers), ("allow.auto.create.topics", "false"),
        ]))
        let metadata = try client.fetchMetadata(topic: "assigned", timeout: .seconds(5))
        #expect(metadata.topic?.partitions.allSatisfy { $0.leader == 111 } == true)
        let missing = try client.fetchMetadata(topic: "never-created", timeout: .seconds(5)).topic
        #expect(missing == nil)
        // Tansu 0.6 answers DescribeConfigs for any topic name, with no config entries at all.
        let configs = try admin.describeTopicConfigs(["assigned"], timeout: .seconds(5))
        #expect(try configs["assigned"]?.get() == [:])
    }
}
