import Exporter
import Foundation
import Kafka
import Testing
import TestSupport

/// Group detail from DescribeConsumerGroups against Tansu, with a live consumer and after it leaves.
/// Tansu 0.6 sends empty client ids, hosts and assignments (docs/tansu.md), so those are checked as
/// it reports them.
@Suite(.enabled(if: TestVirtualenv.isInstalled, "Tansu tests skipped: run `make test-deps` (or `make test`) to install the Tansu broker into .venv"))
struct GroupDetailTansuTests {
    @Test func stateMembersAndTopicsFollowALiveConsumer() throws {
        let broker = try TansuBroker()
        try broker.createTopic("events", partitions: 1)
        let producer = try Producer(configuration: ClientConfiguration([("bootstrap.servers", broker.bootstrapServers), ("linger.ms", "0")]))
        try producer.produce(topic: "events", partition: 0, value: Array("one".utf8))
        try producer.flush(timeout: .seconds(10))
        // Tansu lists only groups that committed: the consumer commits what it reads.
        let consumer = try LiveConsumer(bootstrap: broker.bootstrapServers, group: "detail", topics: ["events"])
        #expect(consumer.waitForCount(1))
        let harness = try ExporterHarness(
            bootstrap: broker.bootstrapServers, arguments: ["--group.discovery", "--collect.timeout", "5s"], interval: "500ms"
        ) { $0.collection.describeGroups = true }

        let live = try harness.waitForMetrics("a Stable group with one member") {
            $0.value("kafka_consumergroup_state", ["consumergroup": "detail", "state": "Stable"]) == 1
                && $0.series("kafka_consumergroup_member_info", ["consumergroup": "detail"]).count == 1
        }
        #expect(live.value("kafka_consumergroup_state", ["consumergroup": "detail", "state": "Empty"]) == 0)
        let coordinator = live.series("kafka_consumergroup_info", ["consumergroup": "detail"]).first?.labels["coordinator"]
        let brokerIDs = live.series("kafka_broker_info").compactMap { $0.labels["id"] }
        #expect(coordinator != nil && brokerIDs == [coordinator])
        #expect(live.value("kafka_consumergroup_topic_info", ["consumergroup": "detail", "topic": "events"]) == 1)
        #expect(live.value("kafka_broker_up", ["id": brokerIDs.first ?? ""]) == 1)

        consumer.stop()
        let left = try harness.waitForMetrics("the group Empty after its member left") {
            $0.value("kafka_consumergroup_state", ["consumergroup": "detail", "state": "Empty"]) == 1
        }
        #expect(left.series("kafka_consumergroup_member_info", ["consumergroup": "detail"]).isEmpty)
        // Its commits remain: it still consumes the topic.
        #expect(left.value("kafka_consumergroup_topic_info", ["consumergroup": "detail", "topic": "events"]) == 1)
        let result = try Promtool.checkMetrics(try harness.metrics())
        #expect(result.passes, "\(result.output)")
    }
}
