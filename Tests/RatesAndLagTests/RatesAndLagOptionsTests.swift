import Kafka
import Logging
import MetricSources
import RatesAndLag
import Testing
import TestSupport

@Suite struct RatesAndLagOptionsTests {
    private func settings(_ arguments: [String]) throws -> RatesAndLagOptions.Settings {
        try RatesAndLagOptions.parse(arguments).settings()
    }

    @Test func timestampReadFlagsSetTheBudgetAndFetchSize() throws {
        let defaults = try settings([])
        #expect(defaults.timestampReads == LagTimestampReads.Settings())
        let set = try settings(["--lag.timestamp-reads", "7", "--lag.timestamp-fetch-bytes", "1"])
        #expect(set.timestampReads.partitionsPerCycle == 7 && set.timestampReads.partitionFetchBytes == 1)
        #expect(try settings(["--lag.timestamp-reads", "0"]).timestampReads.partitionsPerCycle == 0)
    }

    @Test func invalidValuesNameTheFlag() {
        let cases: [([String], String)] = [
            (["--lag.timestamp-reads=-1"], "--lag.timestamp-reads must not be negative"),
            (["--lag.timestamp-fetch-bytes", "0"], "--lag.timestamp-fetch-bytes must be at least 1"),
        ]
        for (arguments, message) in cases {
            do {
                _ = try settings(arguments)
                Issue.record("\(arguments) accepted")
            } catch {
                #expect(RatesAndLagOptions.message(for: error) == message)
            }
        }
    }

    /// The reader's consumer is built at its first read, yet a configuration librdkafka refuses only
    /// when it builds a consumer (properties that contradict each other) still fails the start.
    @Test func consumerPropertiesThatContradictEachOtherFailTheStart() throws {
        let options = try RatesAndLagOptions.parse([])
        let context = SourceContext.unconnected(
            logger: Logger(label: "rates-and-lag-options-test"), properties: [("max.poll.interval.ms", "1000"), ("session.timeout.ms", "45000")])
        do {
            _ = try options.makeSource(options.settings(), in: context)
            Issue.record("the contradiction was accepted")
        } catch {
            #expect("\(error)".contains("max.poll.interval.ms"), "\(error)")
        }
        #expect(try options.makeSource(options.settings(), in: .unconnected(logger: Logger(label: "rates-and-lag-options-test"))) != nil)
    }
}
