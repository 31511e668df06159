@testable import Exporter
import Testing

@Suite struct StructuredLogHandlerTests {
    private static let fields = [("ts", "2026-12-07T20:00:00.000Z"), ("msg", #"say "hi" / \ bye"#), ("error", "line\nbreak")]

    @Test func jsonHasSortedKeysAndEscapesAsJSONSerializationDid() {
        #expect(StructuredLogHandler.json(Self.fields) == #"{"error":"line\nbreak","msg":"say \"hi\" \/ \\ bye","ts":"2026-12-07T20:00:00.000Z"}"#)
    }

    @Test func logfmtQuotesOnlyWhatNeedsIt() {
        #expect(StructuredLogHandler.logfmt(Self.fields) == #"ts=2026-12-07T20:00:00.000Z msg="say \"hi\" / \\ bye" error="line\nbreak""#)
    }
}
