import Cluster
import ClusterMetrics
import Exposition
import Foundation
import Overview

/// The overview at 10,000 partitions and 1,000 groups: what one cycle costs it (reading the published
/// families into its rings), and what a page and the JSON cost to build and weigh, next to the
/// registry's own publication of the same families.
enum OverviewBenchmark {
    static func run() {
        let state = SyntheticCluster.state(topics: 1000, partitionsPerTopic: 10, groups: 1000)
        let recorder = OverviewRecorder(settings: OverviewRecorder.Settings())
        let start = Date()
        // A full history: every ring holds its 180 instants.
        for cycle in 0..<recorder.settings.points {
            recorder.observe(published(state, cycle: cycle), at: start.addingTimeInterval(Double(cycle) * 10))
        }
        var cycle = recorder.settings.points
        let families = published(state, cycle: cycle)
        let observe = Measure.fastest {
            cycle += 1
            recorder.observe(families, at: start.addingTimeInterval(Double(cycle) * 10))
        }
        let registry = Registry()
        let publish = Measure.fastest { registry.publish(families) }
        // A publication without a new instant, then the model it makes due, once.
        let absorb = Measure.fastest { recorder.observe(families, at: nil) }
        let rebuild = Measure.fastest {
            recorder.observe(families, at: nil)
            _ = recorder.document()
        }
        let frame = PageFrame(heading: "kafka-exporter", summary: "benchmark", links: [("/metrics", "Exposition")])
        var page = ""
        let render = Measure.fastest {
            page = OverviewPage.render(recorder.document(), frame: frame, nonce: "n", top: recorder.settings.top, jsonPath: OverviewSource.jsonPath)
        }
        let encode = Measure.fastest { _ = recorder.document().json() }
        let json = recorder.json()
        let served = Measure.fastest { _ = recorder.json() }
        let model = rebuild - absorb
        let series = families.values.joined().reduce(0) { $0 + $1.count }
        print("## The overview page at 10,000 partitions and 1,000 groups (\(series) series published per cycle)")
        print("registry publication of those families, per cycle: \(publish.formatted)")
        print("overview, reading a cycle into its rings:           \(observe.formatted)  (\(ratio(observe, publish)) of the publication)")
        print("overview model, rebuilt once per publication:       \(model.formatted)  (\(ratio(model, publish)))")
        print("page view (HTML from the model):                    \(render.formatted)  (\(ratio(render, publish))), \(page.utf8.count) bytes")
        print("/api/v1/overview, encoded once per publication:     \(encode.formatted)  (\(ratio(encode, publish))), \(json.count) bytes")
        print("/api/v1/overview, each request after that:          \(served.formatted)")
    }

    /// The families the exporter's sources publish for `state`: the cluster's own, and the rates,
    /// statuses and lag in seconds Insights derives, with values moving from cycle to cycle.
    private static func published(_ state: ClusterState, cycle: Int) -> [String: [MetricFamily]] {
        func family(_ name: String, _ labels: [String]) -> MetricFamily {
            MetricFamily(name: name, help: "benchmark", type: .gauge, labelNames: labels)
        }
        var perSecond = family("kafka_topic_messages_in_per_second", ["topic"])
        var perMinute = family("kafka_topic_messages_in_per_minute", ["topic"])
        for (index, topic) in state.topics.enumerated() {
            let rate = Double((index * 7919 + cycle) % 1000)
            perSecond.add(topic.name, rate)
            perMinute.add(topic.name, rate * 60)
        }
        var consumed = family("kafka_consumergroup_messages_consumed_per_minute", ["consumergroup", "topic"])
        var lagSeconds = family("kafka_consumergroup_max_lag_seconds", ["consumergroup"])
        var status = family("kafka_consumergroup_status", ["consumergroup"])
        var partitionStatus = family("kafka_consumergroup_partition_status", ["consumergroup", "topic", "partition"])
        for (index, group) in state.groups.enumerated() {
            for (partition, _) in group.committedOffsets {
                consumed.add(group.id, partition.topic, Double((index + cycle) % 500))
                partitionStatus.add(group.id, partition.topic, String(partition.partition), index % 100 == 0 ? 4 : 1)
            }
            lagSeconds.add(group.id, Double((index * 31 + cycle) % 600))
            status.add(group.id, index % 100 == 0 ? 3 : 1)
        }
        return ["cluster": ClusterFamilies.build(state), "insights": [perSecond, perMinute, consumed, lagSeconds, status, partitionStatus]]
    }
}
