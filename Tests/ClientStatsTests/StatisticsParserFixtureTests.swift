import ClientStats
import Foundation
import Testing

/// The parser on real documents from librdkafka 2.0.2 (Debian) and 2.16.0 (confluent-kafka wheel).
@Suite struct StatisticsParserFixtureTests {
    @Test func producer202WithProduceErrors() throws {
        let document = try StatisticsParser.parse(Fixtures.bytes("producer-2.0.2.json"))
        #expect(document.name == "capture-producer#producer-2")
        #expect(document.clientID == "capture-producer")
        #expect(document.type == "producer")
        #expect(document.monotonicMicroseconds == 9_796_764_065)
        #expect(document.time == 1_795_586_674)
        #expect(document.ageMicroseconds == 500_110)
        #expect(document.queuedMessages == 0)
        #expect(document.maxQueuedMessages == 100_000)
        #expect(document.maxQueuedBytes == 1_073_741_824)
        #expect(document.group == nil)

        #expect(document.brokers.map(\.name) == ["127.0.0.1:40045/3", "127.0.0.1:33733/2", "127.0.0.1:33965/1"])
        let broker = try #require(document.brokers.first { $0.name == "127.0.0.1:33733/2" })
        #expect(broker.nodeID == 2)
        #expect(broker.source == "configured")
        #expect(broker.state == "UP")
        #expect(broker.stateAgeMicroseconds == 499_212)
        #expect(broker.requestsSent == 8)
        #expect(broker.bytesSent == 7581)
        #expect(broker.bytesReceived == 718)
        #expect(broker.requestRetries == 0)
        #expect(broker.connects == 1)
        #expect(broker.roundTrip == LatencyWindow(p50: 50, p90: 170, p99: 177, sum: 662, count: 8))
        #expect(broker.internalLatency == LatencyWindow(p50: 20863, p90: 41215, p99: 41215, sum: 4_127_608, count: 245))
        #expect(broker.throttle == LatencyWindow(p50: 0, p90: 0, p99: 0, sum: 0, count: 0))

        // 200 messages produced; the injected errors made librdkafka transmit 500.
        #expect(document.partitions.map(\.partition) == [0, 1, 2, 3, -1])
        #expect(document.partitions.map(\.messages) == [51, 49, 51, 49, 200])
        #expect(document.partitions.map(\.transmittedMessages) == [153, 147, 102, 98, 0])
        #expect(document.partitions.allSatisfy { $0.topic == "orders" })
    }

    @Test func consumer202InAGroupWithCommitRetries() throws {
        let document = try StatisticsParser.parse(Fixtures.bytes("consumer-2.0.2.json"))
        #expect(document.name == "capture-consumer#consumer-3")
        #expect(document.type == "consumer")
        #expect(document.group == {
            var group = GroupStatistics()
            group.state = "up"
            group.rebalances = 1
            group.assignedPartitions = 4
            return group
        }())
        let coordinator = try #require(document.brokers.first { $0.name == "GroupCoordinator" })
        #expect(coordinator.source == "logical")
        #expect(coordinator.nodeID == 2)
        #expect(coordinator.requestsSent == 11)
        #expect(coordinator.requestRetries == 2)
        #expect(coordinator.connects == 1)
        #expect(coordinator.roundTrip == LatencyWindow(p50: 26, p90: 60, p99: 65, sum: 3_001_727, count: 8))
        // The coordinator's own connection: the broker it points to counts other requests.
        let delegate = try #require(document.brokers.first { $0.name == "127.0.0.1:35931/2" })
        #expect(delegate.requestsSent == 12)
        #expect(delegate.requestRetries == 0)

        #expect(document.partitions.map(\.receivedMessages) == [51, 49, 51, 49, 0])
        #expect(document.partitions.map(\.consumerLag) == [10, 0, 0, 0, -1])
        #expect(document.partitions.map(\.committedOffset) == [41, 49, 51, 49, -1001])
    }

    @Test func producer216() throws {
        let document = try StatisticsParser.parse(Fixtures.bytes("producer-2.16.0.json"))
        #expect(document.name == "confluent-producer#producer-1")
        #expect(document.monotonicMicroseconds == 9_819_701_935)
        #expect(document.brokers.map(\.source) == ["learned", "learned", "learned"])
        let broker = try #require(document.brokers.first)
        #expect(broker.internalLatency == LatencyWindow(p50: 1207, p90: 1431, p99: 1495, sum: 167_940, count: 149))
        #expect(document.partitions.map(\.transmittedMessages) == [51, 49, 51, 49, 0])
    }

    @Test func consumer216() throws {
        let document = try StatisticsParser.parse(Fixtures.bytes("consumer-2.16.0.json"))
        #expect(document.clientID == "confluent-consumer")
        let coordinator = try #require(document.brokers.first { $0.name == "GroupCoordinator" })
        // Newer librdkafka reports logical brokers with node id -1.
        #expect(coordinator.nodeID == -1)
        #expect(coordinator.requestsSent == 9)
        #expect(document.partitions.map(\.consumerLag) == [0, 0, 10, 0, -1])
        #expect(document.partitions.map(\.committedOffset) == [51, 49, 41, 49, -1001])
        #expect(document.group?.assignedPartitions == 4)
    }

    @Test func largeConsumer() throws {
        let document = try StatisticsParser.parse(Fixtures.bytes("consumer-large-2.0.2.json"))
        #expect(document.partitions.count == 1601)
        #expect(document.partitions.reduce(0) { $0 + ($1.receivedMessages ?? 0) } == 200)
        #expect(document.group?.assignedPartitions == 1600)
    }

    /// Every value the parser decodes, on every fixture, equals what Foundation's JSONSerialization reads.
    @Test(arguments: ["producer-2.0.2.json", "consumer-2.0.2.json", "producer-2.16.0.json", "consumer-2.16.0.json", "consumer-large-2.0.2.json"])
    func agreesWithJSONSerialization(fixture: String) throws {
        let bytes = try Fixtures.bytes(fixture)
        let document = try StatisticsParser.parse(bytes)
        let reference = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect(document.name == reference["name"] as? String)
        #expect(document.time == number(reference["time"]))
        #expect(document.maxQueuedBytes == number(reference["msg_size_max"]))

        let brokers = try #require(reference["brokers"] as? [String: [String: Any]])
        #expect(document.brokers.count == brokers.count)
        for broker in document.brokers {
            let expected = try #require(brokers[broker.name])
            #expect(broker.requestsSent == number(expected["tx"]))
            #expect(broker.requestRetries == number(expected["txretries"]))
            #expect(broker.bytesReceived == number(expected["rxbytes"]))
            #expect(broker.disconnects == number(expected["disconnects"]))
            let rtt = try #require(expected["rtt"] as? [String: Any])
            #expect(broker.roundTrip == LatencyWindow(
                p50: number(rtt["p50"]), p90: number(rtt["p90"]), p99: number(rtt["p99"]), sum: number(rtt["sum"]), count: number(rtt["cnt"])))
        }

        let topics = try #require(reference["topics"] as? [String: [String: Any]])
        var partitionCount = 0
        for partition in document.partitions {
            let partitions = try #require(topics[partition.topic]?["partitions"] as? [String: [String: Any]])
            let expected = try #require(partitions[String(partition.partition)])
            #expect(partition.messages == number(expected["msgs"]))
            #expect(partition.transmittedMessages == number(expected["txmsgs"]))
            #expect(partition.receivedMessages == number(expected["rxmsgs"]))
            #expect(partition.consumerLag == number(expected["consumer_lag"]))
            #expect(partition.committedOffset == number(expected["committed_offset"]))
            partitionCount += 1
        }
        #expect(partitionCount == topics.values.reduce(0) { $0 + (($1["partitions"] as? [String: Any])?.count ?? 0) })
    }

    private func number(_ value: Any?) -> Double? {
        (value as? NSNumber)?.doubleValue
    }
}
