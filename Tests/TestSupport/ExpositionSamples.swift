import Foundation

/// Samples parsed from a text-format exposition, for asserting exact values in tests.
package struct ExpositionSamples {
    package struct Sample: Equatable {
        package let name: String
        package let labels: [String: String]
        package let value: Double
    }

    package let samples: [Sample]

    package init(_ text: String) {
        samples = text.split(separator: "\n").compactMap { line in
            line.hasPrefix("#") ? nil : Self.parse(Substring(line))
        }
    }

    /// The value of the one sample with this name whose labels include `labels`; nil if none.
    package func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = series(name, labels)
        precondition(matching.count <= 1, "\(name)\(labels) matches \(matching.count) series")
        return matching.first?.value
    }

    package func series(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    private static func parse(_ line: Substring) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...].replacingOccurrences(of: "+Inf", with: "inf")) else {
            return nil
        }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return Sample(name: String(series), labels: [:], value: value) }
        return Sample(name: String(series[..<brace]), labels: parseLabels(series[series.index(after: brace)..<series.index(before: series.endIndex)]), value: value)
    }

    /// Parses `a="x",b="y\"z"`, undoing the exposition escapes.
    private static func parseLabels(_ text: Substring) -> [String: String] {
        var labels: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let name = String(text[index..<equals])
            var cursor = text.index(equals, offsetBy: 2)
            var value = ""
            while text[cursor] != "\"" {
                if text[cursor] == "\\" {
                    cursor = text.index(after: cursor)
                    value.append(text[cursor] == "n" ? "\n" : text[cursor])
                } else {
                    value.append(text[cursor])
                }
                cursor = text.index(after: cursor)
            }
            labels[name] = value
            index = text.index(after: cursor)
            if index < text.endIndex, text[index] == "," { index = text.index(after: index) }
        }
        return labels
    }
}
