import Cluster
import Foundation
import Pipelines
import Kafka

/// The stage the pipeline tests follow: group `router` reads `raw` and writes `a` and `b`.
let routerStage = PipelineStage(name: "router", inputs: ["raw"], outputs: ["a", "b"])

/// A cycle read `second`s after a fixed start: the router committed `consumed` on raw (nil: no
/// commit yet; the group is missing from the cycle with `groupListed` false), `lag` records of raw
/// lie beyond that commit, and a/b hold `outA`/`outB` (b's partition 1 `outB1` once it exists).
func routerCycle(
    _ second: Double, consumed: Int64?, lag: Int64 = 0, outA: Int64, outB: Int64, outB1: Int64? = nil, groupListed: Bool = true
) -> ClusterState {
    let partition = { (id: Int32, newest: Int64) in
        PartitionState(info: PartitionInfo(id: id, leader: 1, replicas: [1], inSyncReplicas: [1]), watermarks: Watermarks(oldest: 0, newest: newest))
    }
    let commits = consumed.map { [TopicPartition("raw", 0): $0] } ?? [:]
    return ClusterState(
        collectedAt: Date(timeIntervalSince1970: 1_700_000_000 + second), brokers: [],
        topics: [TopicState(name: "raw", partitions: [partition(0, (consumed ?? 0) + lag)]),
                 TopicState(name: "a", partitions: [partition(0, outA)]),
                 TopicState(name: "b", partitions: [partition(0, outB)] + (outB1.map { [partition(1, $0)] } ?? []))],
        groups: groupListed ? [ConsumerGroupState(id: "router", state: nil, members: nil, committedOffsets: commits)] : [])
}
