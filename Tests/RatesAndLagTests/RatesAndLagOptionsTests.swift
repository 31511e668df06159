import RatesAndLag
import Testing

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
}
