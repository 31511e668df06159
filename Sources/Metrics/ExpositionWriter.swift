/// Renders metric families in the Prometheus text format 0.0.4 or OpenMetrics 1.0.
///
/// Hand-written rather than built on swift-prometheus: that library keeps every series in a mutable
/// registry and re-renders all of them on each emit, while the exporter renders a family once per
/// change and serves the bytes to every scrape (see BENCHMARKS.md for the comparison).
public struct ExpositionWriter: Sendable {
    public let format: ExpositionFormat
    /// `name="value",` for each constant label, already escaped; prepended to every sample.
    private let constantLabels: [UInt8]

    public init(format: ExpositionFormat, constantLabels: [(name: String, value: String)] = []) {
        self.format = format
        var writer = ByteWriter()
        for label in constantLabels {
            writer.append(label.name)
            writer.append("=\"")
            writer.append(escaping: label.value, quotes: true)
            writer.append("\",")
        }
        self.constantLabels = writer.bytes
    }

    /// The bytes of one family: HELP and TYPE lines, then every sample. Empty families render nothing.
    public func render(_ family: MetricFamily) -> [UInt8] {
        guard !family.isEmpty else { return [] }
        var writer = ByteWriter(capacity: 64 + family.samples.count * (family.name.utf8.count + 48))
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
        for sample in family.samples {
            append(sample, of: family, to: &writer)
        }
        return writer.bytes
    }

    /// The marker that ends an OpenMetrics exposition (nothing for the text format).
    public var trailer: [UInt8] {
        format == .openMetrics ? Array("# EOF\n".utf8) : []
    }

    private func typeName(_ type: MetricType) -> String {
        switch type {
        case .counter: "counter"
        case .gauge: "gauge"
        case .summary: "summary"
        case .untyped: format == .openMetrics ? "unknown" : "untyped"
        }
    }

    private func append(_ sample: Sample, of family: MetricFamily, to writer: inout ByteWriter) {
        writer.append(family.name)
        switch sample.kind {
        case .sum: writer.append("_sum")
        case .count: writer.append("_count")
        case .value, .quantile: break
        }
        var quantile: Double?
        if case .quantile(let q) = sample.kind { quantile = q }
        if !constantLabels.isEmpty || !family.labelNames.isEmpty || quantile != nil {
            writer.append(UInt8(ascii: "{"))
            writer.append(contentsOf: constantLabels)
            for (name, value) in zip(family.labelNames, sample.labelValues) {
                writer.append(name)
                writer.append("=\"")
                writer.append(escaping: value, quotes: true)
                writer.append("\",")
            }
            if let quantile {
                writer.append("quantile=\"")
                writer.append(number: quantile)
                writer.append("\",")
            }
            writer.closeLabelSet()
        }
        writer.append(UInt8(ascii: " "))
        writer.append(number: sample.value)
        writer.append(UInt8(ascii: "\n"))
    }
}
