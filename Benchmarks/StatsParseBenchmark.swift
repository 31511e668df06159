import ClientStats
import Foundation
import TestSupport

/// Parsing librdkafka statistics JSON: our one-pass parser into typed values, against Foundation
/// reading the same bytes into a tree of Any (JSONSerialization, which still leaves the tree to walk)
/// and into the same typed values (JSONDecoder).
enum StatsParseBenchmark {
    static func run() throws {
        print("\n## Parsing librdkafka statistics JSON (throughput, fastest of 9 runs)")
        print("document                      bytes  ours          JSONSerialization  JSONDecoder   JSONSerialization/ours  JSONDecoder/ours")
        for (fixture, repeats) in [("consumer-large-2.0.2.json", 5), ("consumer-2.0.2.json", 500), ("producer-2.16.0.json", 500)] {
            let bytes = Array(try Data(contentsOf: Repository.fixture("statistics", fixture)))
            let data = Data(bytes)
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            // Each side must understand the document, or the comparison means nothing.
            let ours = try StatisticsParser.parse(bytes)
            let decoded = try decoder.decode(DecodableStatistics.self, from: data)
            precondition(decoded.brokers?.count == ours.brokers.count, "JSONDecoder read other brokers")

            let oursTime = Measure.fastest { for _ in 0..<repeats { _ = try! StatisticsParser.parse(bytes) } }
            let serializationTime = Measure.fastest { for _ in 0..<repeats { _ = try! JSONSerialization.jsonObject(with: data) } }
            let decoderTime = Measure.fastest { for _ in 0..<repeats { _ = try! decoder.decode(DecodableStatistics.self, from: data) } }
            func rate(_ time: Duration) -> String {
                String(format: "%6.1f MB/s", Double(bytes.count * repeats) / 1e6 / (time.milliseconds / 1000))
            }
            let columns = [
                fixture.padding(toLength: 25, withPad: " ", startingAt: 0), String(format: "%8d", bytes.count),
                rate(oursTime), rate(serializationTime) + "      ", rate(decoderTime),
                "time " + ratio(serializationTime, oursTime) + "            ", "time " + ratio(decoderTime, oursTime),
            ]
            print(columns.joined(separator: "  "))
        }
        print("goal: ours ≥ 200 MB/s on the 1 MB document")
    }
}

/// The fields the exporter reads, as JSONDecoder would decode them.
private struct DecodableStatistics: Decodable {
    struct Window: Decodable {
        let p50, p90, p99, sum, cnt: Double?
    }

    struct Broker: Decodable {
        let nodeid, stateage, outbufMsgCnt, waitrespMsgCnt, tx, txbytes, txerrs, txretries, reqTimeouts, rxbytes, rxerrs, connects, disconnects: Double?
        let source, state: String?
        let rtt, intLatency, outbufLatency, throttle: Window?
    }

    struct Partition: Decodable {
        let msgs, txmsgs, rxmsgs, consumerLag, committedOffset: Double?
    }

    struct Topic: Decodable {
        let partitions: [String: Partition]?
    }

    struct Group: Decodable {
        let state: String?
        let rebalanceCnt, assignmentSize: Double?
    }

    let name, clientId, type: String?
    let ts, time, age, msgCnt, msgSize, msgMax, msgSizeMax: Double?
    let brokers: [String: Broker]?
    let topics: [String: Topic]?
    let cgrp: Group?
}
