/// Renders metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0.
///
/// Hand-written rather than built on swift-prometheus: that library keeps every series in a mutable
/// registry and re-renders all of them on each emit, while the exporter renders a family once per
/// change and serves the bytes to every scrape (see BENCHMARKS.md for the comparison).
package struct ExpositionWriter: Sendable {
    package let format: ExpositionFormat
    /// `name="value",` for each constant label, already escaped; prepended to every sample.
    private let constantLabels: Body

    package init(format: ExpositionFormat, constantLabels: [(name: String, value: String)] = []) {
        self.format = format
        var writer = ByteWriter()
        for label in constantLabels {
            writer.append(label.name)
            writer.append("=\"")
            writer.append(escaping: label.value, quotes: true)
            writer.append("\",")
        }
        self.constantLabels = writer.finish()
    }

    /// The bytes of one family: HELP and TYPE lines, then every sample. Empty families render nothing.
    package func render(_ family: MetricFamily) -> Body {
        guard !family.isEmpty else { return Body([]) }
        var writer = ByteWriter(capacity: 128 + estimatedSize(of: family))
        appendMetadata(of: family, to: &writer)
        appendSamples(of: family, to: &writer)
        return writer.finish()
    }

    /// The HELP and TYPE lines alone: the only part of a family that differs between the formats.
    package func metadata(_ family: MetricFamily) -> Body {
        var writer = ByteWriter(capacity: 128)
        appendMetadata(of: family, to: &writer)
        return writer.finish()
    }

    /// The sample lines alone, the same bytes in both formats (counters keep `_total` in both).
    package func samples(_ family: MetricFamily) -> Body {
        var writer = ByteWriter(capacity: estimatedSize(of: family))
        appendSamples(of: family, to: &writer)
        return writer.finish()
    }

    private func estimatedSize(of family: MetricFamily) -> Int {
        family.count * (family.name.utf8.count + 16 * family.labelNames.count + 24)
    }

    private func appendMetadata(of family: MetricFamily, to writer: inout ByteWriter) {
        let metadataName = format == .openMetrics && family.type == .counter
            ? String(family.name.dropLast("_total".count))
            : family.name
        writer.append("# HELP ")
        writer.append(metadataName)
        writer.append(" ")
        writer.append(escaping: family.help, quotes: format == .openMetrics)
        writer.append("\n# TYPE ")
        writer.append(metadataName)
        writer.append(" ")
        writer.append(typeName(family.type))
        writer.append("\n")
    }

    /// The marker that ends an OpenMetrics exposition (nothing for the text format).
    package var trailer: String {
        format == .openMetrics ? "# EOF\n" : ""
    }

    private func typeName(_ type: MetricType) -> String {
        switch type {
        case .counter: "counter"
        case .gauge: "gauge"
        case .summary: "summary"
        case .histogram: "histogram"
        case .untyped: format == .openMetrics ? "unknown" : "untyped"
        }
    }

    /// OpenMetrics wants canonical numbers in `le` and `quantile` (`1.0`, not `1`); the text format
    /// takes either, and keeps the shorter form.
    private func appendBound(_ value: Double, to writer: inout ByteWriter) {
        writer.append(number: value)
        if format == .openMetrics, value.isFinite, value == value.rounded(.towardZero), abs(value) < 1e15 { writer.append(".0") }
    }

    private func appendSamples(of family: MetricFamily, to writer: inout ByteWriter) {
        let name = Array(family.name.utf8)
        let labelPrefixes = family.labelNames.map { Array("\($0)=\"".utf8) }
        let hasLabelSet = !constantLabels.isEmpty || !family.labelNames.isEmpty
        let labelCount = family.labelNames.count
        family.withStorage { labelValues, values, kinds in
            for index in values.indices {
                writer.append(name)
                let kind = kinds?[index] ?? .value
                switch kind {
                case .sum: writer.append("_sum")
                case .count: writer.append("_count")
                case .bucket: writer.append("_bucket")
                case .value, .quantile: break
                }
                var bound: (label: String, value: Double)?
                if case .quantile(let q) = kind { bound = ("quantile=\"", q) }
                if case .bucket(let le) = kind { bound = ("le=\"", le) }
                if hasLabelSet || bound != nil {
                    writer.append(UInt8(ascii: "{"))
                    writer.append(constantLabels)
                    for label in 0..<labelCount {
                        writer.append(labelPrefixes[label])
                        writer.append(escaping: labelValues[index * labelCount + label], quotes: true)
                        writer.append(UInt8(ascii: "\""))
                        writer.append(UInt8(ascii: ","))
                    }
                    if let bound {
                        writer.append(bound.label)
                        appendBound(bound.value, to: &writer)
                        writer.append("\",")
                    }
                    writer.closeLabelSet()
                }
                writer.append(UInt8(ascii: " "))
                writer.append(number: values[index])
                writer.append(UInt8(ascii: "\n"))
            }
        }
    }
}
