import Exposition
import Foundation
@testable import Overview
import Testing

/// The banner: the incident in plain words, nothing when healthy, thresholds of the alert rules.
@Suite struct DiagnosisTests {
    /// The demo's pipeline as its sources publish it, 15 s per cycle; from `bugAt` on, the router
    /// writes every record twice and half of the records sampled in `_policy` are repeats.
    private func incident(cycles: Int = 60, bugAt: Int?) -> [Problem] {
        let (recorder, _) = Families.recorder(cycles: cycles) { cycle in
            let buggy = bugAt.map { cycle >= $0 } ?? false
            return [
                "pipeline": [
                    Families.gauge(PublishedFamily.stageIn, ["stage"], [["router"]: 10]),
                    Families.gauge(PublishedFamily.stageOut, ["stage"], [["router"]: buggy ? 20 : 10]),
                    Families.gauge(PublishedFamily.amplification, ["stage"], [["router"]: buggy ? 2 : 1]),
                    Families.gauge(PublishedFamily.amplificationBound, ["stage"], [["router"]: 0.05]),
                    Families.gauge(PublishedFamily.stageRecords, ["stage"], [["router"]: 95]),
                ],
                "duplicates": [
                    Families.gauge(PublishedFamily.duplicateRatio, ["topic"], [["_policy"]: buggy ? 0.5 : 0]),
                    Families.gauge(PublishedFamily.duplicateBound, ["topic"], [["_policy"]: 0.07]),
                    Families.gauge(PublishedFamily.duplicateSamples, ["topic"], [["_policy"]: 400]),
                ],
                "health": [Families.scalar(PublishedFamily.up, 1)],
            ]
        }
        return recorder.document().problems
    }

    @Test func healthyPipelineHasNoProblem() {
        #expect(incident(bugAt: nil).isEmpty)
    }

    @Test func theIncidentNamesTheRouterAndPolicyInPlainWords() {
        let problems = incident(bugAt: 20)
        #expect(problems.map(\.message.text) == [
            "router writes 2.0 records for every record it reads (± 0.05 over 95 records; in 10/s, out 20/s).",
            "50 % of the records in _policy repeat an earlier one (± 7.0 % over 400 records sampled in the duplicate window).",
        ])
        #expect(problems.map(\.severity) == [.critical, .warning])
        #expect(problems.map(\.runbook) == ["runbook-amplification", "runbook-duplicates"])
        #expect(problems[0].message.parts.contains(.name("router")))
    }

    private func problems(_ publish: @escaping (Int) -> [String: [MetricFamily]], cycles: Int = 3) -> [Problem] {
        Families.recorder(cycles: cycles, publish: publish).0.document().problems
    }

    /// At `Diagnosis`'s thresholds (RulesAgreementTests reads them from the rules file) and just above.
    @Test func thresholdsAreThoseOfTheAlertRules() {
        let atThresholds = problems { _ in
            [
                "pipeline": [Families.gauge(PublishedFamily.amplification, ["stage"], [["a"]: Diagnosis.amplificationAbove])],
                "client_stats": [
                    Families.gauge(PublishedFamily.queueMessages, ["client_id", "type"], [["p", "producer"]: 100 * Diagnosis.queueFillAbove]),
                    Families.gauge(PublishedFamily.queueMaxMessages, ["client_id", "type"], [["p", "producer"]: 100]),
                ],
            ]
        }
        #expect(atThresholds.isEmpty)
        let above = problems { _ in
            [
                "pipeline": [Families.gauge(PublishedFamily.amplification, ["stage"], [["a"]: Diagnosis.amplificationAbove + 0.01])],
                "client_stats": [
                    Families.gauge(PublishedFamily.queueMessages, ["client_id", "type"], [["p", "producer"]: 10, ["c", "consumer"]: 99]),
                    Families.gauge(PublishedFamily.queueMaxMessages, ["client_id", "type"], [["p", "producer"]: 100, ["c", "consumer"]: 100]),
                    Families.gauge(PublishedFamily.queueBytes, ["client_id", "type"], [["p", "producer"]: 900]),
                    Families.gauge(PublishedFamily.queueMaxBytes, ["client_id", "type"], [["p", "producer"]: 1000]),
                ],
            ]
        }
        #expect(above.map(\.kind) == ["PipelineAmplification", "KafkaProducerQueueNearFull"])
        #expect(above.last?.message.text == "The queue of producer p is 90 % full: at 100 % produce() fails with Queue full.")
    }

    @Test func stoppedAndStalledGroupsButNotWarn() {
        let found = problems { _ in
            ["insights": [Families.gauge(PublishedFamily.partitionStatus, ["consumergroup", "topic", "partition"], [
                ["gone", "t", "0"]: 4, ["gone", "t", "1"]: 4, ["gone", "u", "0"]: 1,
                ["stuck", "t", "0"]: 5, ["slow", "t", "0"]: 2, ["reset", "t", "0"]: 6,
            ])]]
        }
        #expect(found.map(\.message.text) == [
            "gone has stopped consuming: no commit for the status window on 2 partitions of t, with messages waiting and no live member owning them.",
            "stuck is stuck: a live member owns 1 partition of t but has not committed for the status window.",
        ])
    }

    @Test func clusterDownAndUnderReplicatedPartitions() {
        let found = problems { _ in
            [
                "health": [Families.scalar(PublishedFamily.up, 0)],
                "cluster": [Families.gauge(PublishedFamily.underReplicated, ["topic", "partition"], [
                    ["a", "0"]: 1, ["a", "1"]: 1, ["b", "0"]: 1, ["b", "1"]: 0, ["c", "0"]: 1, ["d", "0"]: 1, ["e", "0"]: 0,
                ])],
            ]
        }
        #expect(found.map(\.kind) == ["KafkaExporterClusterUnreachable", "KafkaTopicUnderReplicatedPartitions"])
        #expect(found.last?.message.text == "5 partitions have fewer in-sync replicas than replicas (a 2, b 1, c 1, and 1 more topics).")
    }

    /// KafkaProducerRetriesSustained: retries in every minute of the last 10.
    @Test func retriesOnlyWhenSustainedForTenMinutes() {
        func retries(stopAfter: Int) -> [Problem] {
            problems({ cycle in
                ["client_stats": [Families.gauge(PublishedFamily.retries, ["client_id", "type", "broker"], [
                    ["router", "producer", "1"]: Double(min(cycle, stopAfter)), ["reader", "consumer", "1"]: Double(cycle),
                ])]]
            }, cycles: 50)
        }
        #expect(retries(stopAfter: 50).map(\.message.text) == ["Producer router has retried requests for 10 minutes (40 in the last 10 min)."])
        // The last two minutes without a retry.
        #expect(retries(stopAfter: 41).isEmpty)
    }

    /// KafkaConsumerGroupLagGrowing: above 1000 messages and growing by more than 1 per second over 10 minutes.
    @Test func lagGrowingOverTenMinutes() {
        func growing(perCycle: Double, from base: Double, cycles: Int = 45) -> [Problem] {
            problems({ cycle in
                ["cluster": [Families.gauge(PublishedFamily.lagSum, ["consumergroup", "topic"], [["g", "t"]: base + perCycle * Double(cycle)])]]
            }, cycles: cycles)
        }
        #expect(growing(perCycle: 30, from: 1000).map(\.message.text) == [
            "g falls behind: lag 2,320 messages, growing by 2 per second over the last 10 min.",
        ])
        #expect(growing(perCycle: 7.5, from: 2000).isEmpty)  // 0.5 per second
        #expect(growing(perCycle: 30, from: 0, cycles: 30).isEmpty)  // lag below 1000
        #expect(growing(perCycle: 300, from: 1000, cycles: 20).isEmpty)  // less than 10 minutes of history
    }
}
