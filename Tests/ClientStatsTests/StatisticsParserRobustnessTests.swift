import ClientStats
import Testing

/// Documents from other librdkafka versions decode; anything malformed is refused with an error
/// saying where, and never traps.
@Suite struct StatisticsParserRobustnessTests {
    private static let minimal = #"{"name":"app#producer-1","client_id":"app","type":"producer"}"#

    private func parse(_ text: String) throws(StatsParseError) -> ClientStatistics {
        try StatisticsParser.parse(Array(text.utf8))
    }

    private func error(_ text: String) -> StatsParseError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func unknownKeysOfEveryShapeAreSkipped() throws {
        let document = try parse("""
            {"future":{"nested":[1,2.5e-3,{"a":[true,false,null]},"s\\u00e9\\n"]},"name":"app#producer-1",
             "type":"producer","brokers":{"b:1/1":{"tx":3,"req":{"Produce":9},"new_window":{"p42":1}}},
             "topics":{"t":{"partitions":{"0":{"txmsgs":7,"leader_epoch":5}},"batchsize":{}}}}
            """)
        #expect(document.clientID == nil)
        #expect(document.effectiveClientID == "app")
        #expect(document.brokers.first?.requestsSent == 3)
        #expect(document.partitions.first?.transmittedMessages == 7)
    }

    @Test func missingAndNullFieldsStayNil() throws {
        let document = try parse(#"{"name":"app#consumer-1","type":"consumer","time":null,"brokers":{"b":{"rtt":null,"tx":null}},"cgrp":null}"#)
        #expect(document.time == nil)
        #expect(document.group == nil)
        #expect(document.brokers.first?.requestsSent == nil)
        #expect(document.brokers.first?.roundTrip == nil)
        #expect(document.partitions.isEmpty)
    }

    @Test func escapedKeysAndValuesAreDecoded() throws {
        let document = try parse(#"{"n\u0061me":"caf\u00e9 \ud83d\ude00#producer-1","type":"producer","client_id":"a\"b\\c\/d"}"#)
        #expect(document.name == "café 😀#producer-1")
        #expect(document.clientID == "a\"b\\c/d")
    }

    @Test func numbersInEveryJSONForm() throws {
        let document = try parse(#"{"name":"a#p","type":"producer","time":-0,"ts":1.5E3,"age":12345678901234567890,"msg_cnt":2e0}"#)
        #expect(document.time == 0)
        #expect(document.monotonicMicroseconds == 1500)
        #expect(document.ageMicroseconds == 12_345_678_901_234_567_168)
        #expect(document.queuedMessages == 2)
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("   ", "unexpected end of input"),
        (#"{"name":"a#p","type":"producer""#, "unexpected end of input"),
        (#"{"name":"a#p","type":"producer"} x"#, "unexpected data after the document"),
        (#"{"name":"a#p" "type":"producer"}"#, "expected ',' or '}'"),
        (#"{"name":"a#p",}"#, "expected a string key"),
        (#"{name:"a"}"#, "expected a string key"),
        (#"{"x":[1,]}"#, "expected a value"),
        (#"{"x":tru}"#, "invalid literal"),
        (#"{"x":012}"#, "leading zero in a number"),
        (#"{"x":1.}"#, "invalid number"),
        (#"{"x":-}"#, "invalid number"),
        (#"{"x":1e}"#, "invalid number"),
        (#"{"x":1e400}"#, "number out of range"),
        (#"{"x":-1e999}"#, "number out of range"),
        (#"{"x":"\x"}"#, "invalid escape"),
        (#"{"x":"\u12"}"#, #"invalid \u escape"#),
        (#"{"x":"\ud800"}"#, #"unpaired surrogate in \u escape"#),
        (#"{"x":"\udc00"}"#, #"unpaired surrogate in \u escape"#),
        ("{\"x\":\"a\u{1}\"}", "control character in a string"),
        (#"{"x":"open"#, "unterminated string"),
        ("[]", "expected an object, found an array"),
        ("42", "expected an object, found a number"),
    ])
    func malformedJSONIsRefused(input: String, message: String) throws {
        let failure = try #require(error(input))
        #expect(failure.message == message)
    }

    @Test func invalidUTF8IsRefused() throws {
        var bytes = Array(#"{"name":"a#p","type":"producer","x":"é"}"#.utf8)
        let index = try #require(bytes.firstIndex(of: 0xC3))
        bytes[index] = 0xFF
        #expect(throws: StatsParseError.self) { try StatisticsParser.parse(bytes) }
    }

    @Test func hugeNumbersOfManyDigitsAreRefused() {
        let digits = String(repeating: "9", count: 400)
        #expect(error(#"{"name":"a#p","type":"producer","ts":\#(digits)}"#)?.message == "number out of range")
    }

    @Test func deepNestingIsRefusedWithoutExhaustingTheStack() {
        let depth = 100_000
        let text = #"{"x":"# + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
        #expect(error(text)?.message == "nested deeper than 64 levels")
        let objects = String(repeating: #"{"a":"#, count: depth)
        #expect(error(objects)?.kind == .malformedJSON)
    }

    @Test func wrongTypesOfKnownFieldsSayWhere() throws {
        let failure = try #require(error(#"{"name":"a#p","type":"producer","brokers":{"b:1/1":{"rtt":{"p99":"slow"}}}}"#))
        #expect(failure.kind == .notStatistics)
        #expect(failure.description == #"brokers.b:1/1.rtt.p99: expected a number, found a string (at byte 65)"#)
        #expect(error(#"{"name":5,"type":"producer"}"#)?.description == "name: expected a string, found a number (at byte 8)")
        #expect(error(#"{"name":"a#p","type":"producer","brokers":[]}"#)?.message == "expected an object, found an array")
        #expect(error(#"{"name":"a#p","type":"producer","topics":{"t":{"partitions":{"zero":{}}}}}"#)?.kind == .notStatistics)
    }

    @Test func documentsThatAreNotStatisticsAreRefused() {
        #expect(error("{}")?.kind == .notStatistics)
        #expect(error(#"{"name":"a#p"}"#)?.kind == .notStatistics)
        #expect(error("null")?.kind == .notStatistics)
        #expect(error(Self.minimal) == nil)
    }

    /// Every proper prefix of a real document is refused (truncated uploads, cut-off records).
    @Test func everyTruncationOfARealDocumentIsRefused() throws {
        let bytes = try Fixtures.bytes("consumer-2.0.2.json")
        for length in 0..<bytes.count {
            #expect(throws: StatsParseError.self) { try StatisticsParser.parse(Array(bytes[..<length])) }
        }
    }
}
