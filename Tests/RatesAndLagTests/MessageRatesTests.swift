import Cluster
import RatesAndLag
import Kafka
import Testing
import TestSupport

@Suite struct MessageRatesTests {
    private let topic = ["topic": "t"]
    private let groupTopic = ["consumergroup": "g", "topic": "t"]

    @Test func theCounterStartsAtTheSumOfNewestOffsetsAndRatesWaitForTwoCycles() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [100, 50]]
        cluster.commits = ["g": [TopicPartition("t", 0): 90, TopicPartition("t", 1): 50]]
        let first = cluster.cycle(at: 0)
        #expect(first.value("kafka_topic_messages_in_total", topic) == 150)
        #expect(first.value("kafka_consumergroup_messages_consumed_total", groupTopic) == 140)
        for name in ["kafka_topic_messages_in_per_second", "kafka_topic_messages_in_per_minute"] {
            #expect(first.value(name, topic) == nil)
        }
        #expect(first.value("kafka_consumergroup_messages_consumed_per_minute", groupTopic) == nil)

        cluster.topics = ["t": [400, 50]]
        cluster.commits = ["g": [TopicPartition("t", 0): 390, TopicPartition("t", 1): 50]]
        let second = cluster.cycle(at: 30)
        #expect(second.value("kafka_topic_messages_in_total", topic) == 450)
        #expect(second.value("kafka_topic_messages_in_per_second", topic) == 10)
        #expect(second.value("kafka_topic_messages_in_per_minute", topic) == 600)
        #expect(second.value("kafka_consumergroup_messages_consumed_per_minute", groupTopic) == 600)
    }

    @Test func windowsAreTheLastMinuteAndTheLastFiveMinutes() {
        var cluster = ScriptedCluster()
        var newest: Int64 = 0
        var samples = cluster.cycle(at: 0)
        // 10 msg/s for five minutes, then 40 msg/s for two minutes, read every 2 s.
        for second in stride(from: 2.0, through: 420, by: 2) {
            newest += second <= 300 ? 20 : 80
            cluster.topics = ["t": [newest]]
            samples = cluster.cycle(at: second)
        }
        #expect(isClose(samples.value("kafka_topic_messages_in_per_second", topic), 40))
        // (3 min at 10/s + 2 min at 40/s) / 5 min, per minute.
        #expect(isClose(samples.value("kafka_topic_messages_in_per_minute", topic), (1800 + 4800) / 5))
    }

    /// The window's start is interpolated between the two cycles around it: a long idle stretch
    /// (kept as two points) does not dilute a burst into a tiny rate.
    @Test func aBurstAfterIdlingIsMeasuredOverTheWindowNotTheIdleStretch() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [1000]]
        for second in stride(from: 0.0, through: 3600, by: 15) { cluster.cycle(at: second) }
        cluster.topics = ["t": [1600]]
        let samples = cluster.cycle(at: 3615)
        #expect(samples.value("kafka_topic_messages_in_per_second", topic) == 10)
        #expect(samples.value("kafka_topic_messages_in_per_minute", topic) == 120)
    }

    @Test func aRecreatedTopicNeverMakesTheCounterOrTheRateGoDown() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [5000, 5000]]
        cluster.cycle(at: 0)
        cluster.topics = ["t": [0, 0]]
        let recreated = cluster.cycle(at: 15)
        #expect(recreated.value("kafka_topic_messages_in_total", topic) == 10_000)
        #expect(recreated.value("kafka_topic_messages_in_per_second", topic) == 0)
        cluster.topics = ["t": [30, 0]]
        let after = cluster.cycle(at: 30)
        #expect(after.value("kafka_topic_messages_in_total", topic) == 10_030)
        #expect(after.value("kafka_topic_messages_in_per_second", topic) == 1)
    }

    @Test func anAddedPartitionCountsFromItsFirstSighting() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [100]]
        cluster.cycle(at: 0)
        cluster.topics = ["t": [100, 7]]
        #expect(cluster.cycle(at: 10).value("kafka_topic_messages_in_total", topic) == 100)
        cluster.topics = ["t": [100, 17]]
        #expect(cluster.cycle(at: 20).value("kafka_topic_messages_in_total", topic) == 110)
    }

    @Test func aGroupResetNeverMakesConsumptionNegative() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [1000]]
        cluster.commits = ["g": [TopicPartition("t", 0): 1000]]
        cluster.cycle(at: 0)
        cluster.commits = ["g": [TopicPartition("t", 0): 0]]
        let reset = cluster.cycle(at: 60)
        #expect(reset.value("kafka_consumergroup_messages_consumed_total", groupTopic) == 1000)
        #expect(reset.value("kafka_consumergroup_messages_consumed_per_minute", groupTopic) == 0)
        cluster.commits = ["g": [TopicPartition("t", 0): 500]]
        let replayed = cluster.cycle(at: 120)
        #expect(replayed.value("kafka_consumergroup_messages_consumed_total", groupTopic) == 1500)
        #expect(isClose(replayed.value("kafka_consumergroup_messages_consumed_per_minute", groupTopic), 250))
    }

    @Test func topicsAndGroupsThatDisappearAreForgotten() {
        var cluster = ScriptedCluster()
        cluster.topics = ["t": [100], "u": [5]]
        cluster.commits = ["g": [TopicPartition("t", 0): 100], "h": [TopicPartition("u", 0): 5]]
        cluster.cycle(at: 0)
        cluster.topics = ["t": [100]]
        cluster.commits = ["g": [TopicPartition("t", 0): 100]]
        let samples = cluster.cycle(at: 10)
        #expect(samples.series("kafka_topic_messages_in_total").map { $0.labels["topic"] } == ["t"])
        #expect(samples.series("kafka_consumergroup_status").map { $0.labels["consumergroup"] } == ["g"])
        // Coming back, a topic starts again from its offsets, like after a restart.
        cluster.topics = ["t": [100], "u": [9]]
        #expect(cluster.cycle(at: 20).value("kafka_topic_messages_in_per_second", ["topic": "u"]) == nil)
    }
}
