import Support
import Testing

@Suite struct FlagValueTests {
    @Test func durationsParseLikeGoAndErrorsNameTheFlag() throws {
        #expect(try FlagValue.positiveDuration("1m30s", flag: "--x") == .seconds(90))
        #expect(try FlagValue.duration("0s", flag: "--x") == .zero)
        #expect(throws: ConfigurationError("--x must be positive")) { try FlagValue.positiveDuration("0s", flag: "--x") }
        #expect(throws: ConfigurationError("--x: invalid duration \"soon\" (use e.g. 500ms, 15s, 1h30m, 1d)")) {
            try FlagValue.duration("soon", flag: "--x")
        }
    }
}
