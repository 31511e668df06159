import Probe
import Testing

@Suite struct ProbeOptionsTests {
    private func settings(_ arguments: [String]) throws -> ProbeSettings? {
        try ProbeOptions.parse(arguments).settings()
    }

    @Test func offUnlessEnabledAndDefaultsAsDocumented() throws {
        #expect(try settings([]) == nil)
        let defaults = try #require(try settings(["--probe.enabled"]))
        #expect(defaults.topic == "kafka-exporter-probe" && defaults.group == "kafka-exporter-probe")
        #expect(defaults.interval == .seconds(1) && defaults.timeout == .seconds(10))
    }

    @Test func invalidValuesNameTheFlag() {
        let cases: [([String], String)] = [
            (["--probe.topic", "has space"], "--probe.topic: \"has space\" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)"),
            (["--probe.topic", ".."], "--probe.topic: \"..\" is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)"),
            (["--probe.interval", "0s"], "--probe.interval must be positive"),
            (["--probe.interval", "2s", "--probe.timeout", "1s"], "--probe.timeout must be longer than --probe.interval"),
            (["--probe.group", ""], "--probe.group must not be empty"),
        ]
        for (arguments, message) in cases {
            do {
                _ = try settings(["--probe.enabled"] + arguments)
                Issue.record("\(arguments) accepted")
            } catch {
                #expect(ProbeOptions.message(for: error) == message)
            }
        }
    }
}
