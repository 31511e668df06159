import Foundation
import TestSupport

/// The families of the recorded `/metrics` (GoldenExpositionTests), from its text-format cycles: the
/// types each one is given (one, unless a cycle contradicts another) and the label names its samples
/// carry (nil where it has no sample).
struct GoldenFamilies {
    /// The constant label of the recorded run, and those of summary and histogram samples.
    private static let notFamilyLabels: Set<String> = ["env", "quantile", "le"]

    let types: [String: Set<String>]
    let labels: [String: Set<String>]

    init() throws {
        let recorded = try String(contentsOf: GoldenExpositionTests.file, encoding: .utf8)
        let text = recorded.components(separatedBy: "### cycle 7 openmetrics")[0]
        var types: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
            let words = line.split(separator: " ")
            types[String(words[2]), default: []].insert(String(words[3]))
        }
        var labels: [String: Set<String>] = [:]
        for sample in ExpositionSamples(text).samples {
            let family = ["", "_sum", "_count", "_bucket"].lazy.compactMap { suffix -> String? in
                guard sample.name.hasSuffix(suffix) else { return nil }
                let name = String(sample.name.dropLast(suffix.count))
                return types[name] == nil ? nil : name
            }.first
            guard let family else { continue }
            labels[family, default: []].formUnion(Set(sample.labels.keys).subtracting(Self.notFamilyLabels))
        }
        self.types = types
        self.labels = labels
    }
}
