import Foundation
import Testing
import TestSupport

/// docs/architecture.md: the binary's modules import FoundationEssentials at most, since full
/// Foundation links ICU and its data.
@Suite struct FoundationFreeSourcesTests {
    @Test func noSourceFileImportsFullFoundation() throws {
        let sources = Repository.root.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 100)
        let offenders = try files.filter { file in
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").contains { line in
                let words = line.split(separator: " ")
                return words.contains("import") && (words.last == "Foundation" || words.last?.hasPrefix("Foundation.") == true)
            }
        }
        #expect(offenders.isEmpty, "\(offenders.map(\.lastPathComponent))")
    }
}
