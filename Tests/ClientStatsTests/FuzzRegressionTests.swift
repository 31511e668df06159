import ClientStats
import Foundation
import Testing
import TestSupport

/// Every input kept in Tests/Fuzz/regressions (crashes the fuzzer found, and small inputs at the
/// parser's edges) through the parser, with the fuzz target's invariants: a document it accepts names
/// its client and type; one it refuses says where, inside the input. scripts/fuzz-stats-parser replays
/// the same files under AddressSanitizer.
@Suite struct FuzzRegressionTests {
    static let directory = Repository.root.appendingPathComponent("Tests/Fuzz/regressions")

    static var inputs: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0 != "README.md" }.sorted()
    }

    /// What the inputs written by hand must give (nil: accepted); inputs the fuzzer adds need no entry.
    static let outcomes: [String: String?] = [
        "nested-64-deep-accepted.json": nil,
        "nested-65-deep-refused.json": "x: nested deeper than 64 levels (at byte 100)",
        "unpaired-high-surrogate.json": "name: unpaired surrogate in \\u escape (at byte 15)",
        "surrogate-pair-cut-off.json": "name: unterminated \\u escape (at byte 17)",
        "escape-at-end-of-input.json": "name: unterminated string (at byte 13)",
        "number-beyond-double.json": "time: number out of range (at byte 39)",
        "invalid-utf8-in-key.json": "invalid UTF-8 in a string (at byte 2)",
        "nul-byte-in-string.json": "name: control character in a string (at byte 10)",
        "known-field-of-wrong-type.json": "brokers: expected an object, found an array (at byte 42)",
    ]

    @Test func everyInputWrittenByHandIsKept() {
        #expect(Set(Self.outcomes.keys).subtracting(Self.inputs).isEmpty)
    }

    @Test(arguments: inputs)
    func replayedInputKeepsTheParsersPromises(_ name: String) throws {
        let bytes = Array(try Data(contentsOf: Self.directory.appendingPathComponent(name)))
        let refusal: String?
        do {
            let document = try StatisticsParser.parse(bytes)
            #expect(document.effectiveClientID != nil && document.type != nil, "accepted a document without client or type")
            refusal = nil
        } catch {
            #expect((0...bytes.count).contains(error.offset), "error offset \(error.offset) outside the \(bytes.count) bytes")
            refusal = error.description
        }
        if let expected = Self.outcomes[name] {
            #expect(refusal == expected)
        }
    }
}
