import Glibc

/// One chart as inline SVG: a line per series over the overview's history, y from 0 to a round
/// maximum. Colours are presentation attributes, not styles, so the page's CSP needs no inline style.
enum SVGChart {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    private static let (width, height) = (600.0, 200.0)
    private static let (left, right, top, bottom) = (44.0, 592.0, 8.0, 180.0)

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func render(_ chart: Chart, history: Double) -> String {
        guard let end = chart.times.last else { return "" }
        let start = end - history
        let largest = chart.series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        let ceiling = roundCeiling(max(largest, chart.threshold ?? 0, chart.unit == "share" ? 0.01 : 1))
        func x(_ time: Double) -> Double { left + (time - start) / history * (right - left) }
        func y(_ value: Double) -> Double { bottom - min(value, ceiling) / ceiling * (bottom - top) }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(chart.title))\">"
        for fraction in [0.0, 0.5, 1.0] {
            let value = ceiling * fraction
            svg += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(coordinate(y(value)))\" y2=\"\(coordinate(y(value)))\" stroke=\"#e5e5e5\"/>"
            svg += "<text x=\"\(left - 4)\" y=\"\(coordinate(y(value) + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">\(HTML.escape(label(value, unit: chart.unit)))</text>"
        }
        if let threshold = chart.threshold {
            svg += "<line x1=\"\(left)\" x2=\"\(right)\" y1=\"\(coordinate(y(threshold)))\" y2=\"\(coordinate(y(threshold)))\" stroke=\"#c0392b\" stroke-dasharray=\"4 3\"><title>alert threshold \(HTML.escape(label(threshold, unit: chart.unit)))</title></line>"
        }
        svg += "<text x=\"\(left)\" y=\"\(height - 4)\" font-size=\"11\" fill=\"#555\">−\(Numbers.duration(history))</text>"
        svg += "<text x=\"\(right)\" y=\"\(height - 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">now</text>"
        for (index, series) in chart.series.enumerated() {
            svg += "<g stroke=\"\(color(index))\" fill=\"\(color(index))\"><title>\(HTML.escape(series.name))</title>"
            for segment in segments(times: chart.times, values: series.values, from: start) {
                let points = segment.map { "\(coordinate(x($0.0))),\(coordinate(y($0.1)))" }
                svg += segment.count == 1
                    ? "<circle cx=\"\(coordinate(x(segment[0].0)))\" cy=\"\(coordinate(y(segment[0].1)))\" r=\"2\"/>"
                    : "<polyline fill=\"none\" stroke-width=\"1.5\" points=\"\(points.joined(separator: " "))\"/>"
            }
            svg += "</g>"
        }
        return svg + "</svg>"
    }

    /// Runs of consecutive present values within the window: a gap in the data is a gap in the line.
    static func segments(times: [Double], values: [Double?], from start: Double) -> [[(Double, Double)]] {
        var segments: [[(Double, Double)]] = []
        var current: [(Double, Double)] = []
        for (time, value) in zip(times, values) where time >= start {
            if let value { current.append((time, value)) } else if !current.isEmpty { segments.append(current); current = [] }
        }
        if !current.isEmpty { segments.append(current) }
        return segments
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `value`.
    static func roundCeiling(_ value: Double) -> Double {
        let power = pow10(floor(log10(value)))
        return [1, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= value * (1 - 1e-9) } ?? 10 * power
    }

    static func label(_ value: Double, unit: String) -> String {
        unit == "share" ? Numbers.percent(value) : Numbers.axis(value)
    }

    /// One decimal at most: a 600-unit-wide chart needs no more, and the page stays small. Integer
    /// arithmetic: a page has thousands of coordinates, and `String(format:)` is slow on Linux.
    static func coordinate(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        let whole = String(tenths / 10), fraction = abs(tenths % 10)
        return fraction == 0 ? whole : (tenths < 0 && tenths > -10 ? "-" : "") + whole + "." + String(fraction)
    }

    private static func pow10(_ exponent: Double) -> Double { Glibc.pow(10, exponent) }
}
