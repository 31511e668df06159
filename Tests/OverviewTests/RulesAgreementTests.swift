import Cluster
import Foundation
@testable import Overview
import Testing
import TestSupport

/// The rules file is what users deploy; the banner names the same conditions. Each number the
/// banner compares with is read here from the alert's expression, so the two cannot drift apart.
@Suite struct RulesAgreementTests {
    /// The numbers an alert's expression compares with (`> 1.2`, `== 4`), in order.
    private func comparisons(of alert: String) throws -> [Double] {
        let rules = try String(contentsOf: Repository.root.appending(path: "dashboards/kafka-exporter.rules.yml"), encoding: .utf8)
        let start = try #require(rules.range(of: "- alert: \(alert)\n"), "\(alert) in the rules file")
        let rest = rules[start.upperBound...]
        let expression = rest[..<(rest.range(of: "\n        for:")?.lowerBound ?? rest.endIndex)]
        return expression.matches(of: /(?:>|==) (\d+(?:\.\d+)?)/).map { Double($0.output.1)! }
    }

    @Test func thresholdsAreTheAlertRules() throws {
        #expect(try comparisons(of: "PipelineAmplification") == [Diagnosis.amplificationAbove])
        #expect(try comparisons(of: "TopicDuplicates") == [Diagnosis.duplicateRatioAbove])
        #expect(try comparisons(of: "KafkaProducerQueueNearFull") == [Diagnosis.queueFillAbove])
        #expect(try comparisons(of: "KafkaConsumerGroupLagGrowing") == [Diagnosis.lagGrowthPerSecondAbove, Diagnosis.lagAbove])
    }

    @Test func statusCodesAreThoseThePartitionsArePublishedWith() throws {
        #expect(try comparisons(of: "KafkaConsumerGroupStopped") == [Double(ConsumerStatus.stop.code)])
        #expect(try comparisons(of: "KafkaConsumerGroupStalled") == [Double(ConsumerStatus.stall.code)])
    }
}
