import Cluster
import ClusterMetrics
import Exposition
import Foundation
import Kafka
import Testing

@Suite struct BrokerPresenceSourceTests {
    private func state(_ brokers: [Broker]) -> ClusterState {
        ClusterState(collectedAt: Date(), brokers: brokers, topics: [], groups: [])
    }

    private func up(_ families: [MetricFamily]) -> [[String]: Double] {
        Dictionary(uniqueKeysWithValues: families[0].samples.map { ($0.labelValues, $0.value) })
    }

    @Test func aBrokerMissingFromMetadataStaysAtZeroAndComesBack() {
        let source = BrokerPresenceSource()
        let one = Broker(id: 1, host: "kafka-1", port: 9092)
        let two = Broker(id: 2, host: "kafka-2", port: 9092)
        #expect(up(source.families(from: state([one, two]))) == [["1", "kafka-1", "9092"]: 1, ["2", "kafka-2", "9092"]: 1])
        #expect(up(source.families(from: state([one]))) == [["1", "kafka-1", "9092"]: 1, ["2", "kafka-2", "9092"]: 0])
        #expect(up(source.families(from: state([one]))) == [["1", "kafka-1", "9092"]: 1, ["2", "kafka-2", "9092"]: 0])
        // Back on another port: the series follows its last-seen address.
        let moved = Broker(id: 2, host: "kafka-2", port: 9093)
        #expect(up(source.families(from: state([one, moved]))) == [["1", "kafka-1", "9092"]: 1, ["2", "kafka-2", "9093"]: 1])
    }
}
