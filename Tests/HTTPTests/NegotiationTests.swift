import Exposition
import HTTP
import Testing

@Suite struct NegotiationTests {
    @Test(arguments: [
        (nil, ExpositionFormat.text),
        ("text/plain", .text),
        ("*/*", .text),
        ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics),
        ("application/openmetrics-text; q=0", .text),
        ("text/plain;q=0.9, APPLICATION/OPENMETRICS-TEXT", .openMetrics),
    ] as [(String?, ExpositionFormat)])
    func formatFollowsTheAcceptHeader(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    @Test func mediaRangesCarryTheirQuality() {
        let ranges = MediaRange.parseList("gzip;q=0, deflate")
        #expect(ranges.map(\.type) == ["gzip", "deflate"])
        #expect(ranges.map(\.quality) == [0, 1])
    }
}
