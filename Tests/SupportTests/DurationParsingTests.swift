import Support
import Testing

/// Prometheus's duration syntax (d = 24h, w = 7d, y = 365d, compound forms) and Go's (fractions,
/// ms/us/ns); expectations in seconds worked out by hand.
@Suite struct DurationParsingTests {
    @Test(arguments: [
        ("0", 0.0), ("0s", 0), ("15s", 15), ("500ms", 0.5), ("1.5s", 1.5), ("1m30s", 90), ("1h30m", 5400), ("2h", 7200),
        ("1d", 86_400), ("1w", 604_800), ("1y", 31_536_000), ("1d12h", 129_600), ("2w3d", 1_468_800), ("1h0m1s", 3601),
        ("250us", 0.000_25), ("10ns", 0.000_000_01),
    ])
    func parses(text: String, seconds: Double) throws {
        #expect(abs(try DurationParsing.parse(text).seconds - seconds) < 1e-12)
    }

    @Test(arguments: ["", "5", "s", "1x", "1.2.3s", "1h-30m", "one", "1 s", "--1s"])
    func refuses(text: String) {
        #expect(throws: DurationParsing.InvalidDuration.self) { try DurationParsing.parse(text) }
    }

    @Test(arguments: [
        (Duration.zero, "0s"), (.seconds(15), "15s"), (.seconds(600), "10m"), (.seconds(90), "1m30s"), (.seconds(7200), "2h"),
        (.seconds(3601), "1h1s"), (.seconds(86_400), "24h"), (.milliseconds(500), "500ms"), (.milliseconds(1500), "1s500ms"),
        (.microseconds(250), "250us"), (.nanoseconds(10), "10ns"), (.seconds(-5), "-5s"),
    ])
    func formatsWhatItParses(duration: Duration, text: String) throws {
        #expect(DurationParsing.format(duration) == text)
        #expect(try DurationParsing.parse(text) == duration)
    }

    @Test func negativeDurationsAreRefusedByFlagsWithTheirOwnWords() throws {
        #expect(try DurationParsing.parse("-5s") == .seconds(-5))
        #expect(throws: ConfigurationError("--collect.interval -5s: the duration is negative")) {
            try FlagValue.duration("-5s", flag: "--collect.interval")
        }
        #expect(throws: ConfigurationError("--x must be positive")) { try FlagValue.positiveDuration("0", flag: "--x") }
        #expect(try FlagValue.duration("0", flag: "--x") == .zero)
    }
}
