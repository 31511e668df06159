import FoundationEssentials

/// What the exporter's route table puts around the overview: the heading, the cluster summary line
/// and the links to every other endpoint (the page's footer).
package struct PageFrame: Sendable {
    package var heading: String
    package var summary: String
    package var links: [(path: String, title: String)]

    package init(heading: String, summary: String, links: [(path: String, title: String)]) {
        self.heading = heading
        self.summary = summary
        self.links = links
    }
}

/// The overview as one HTML document: no script, no external asset, one stylesheet allowed by
/// `nonce`. Well-formed XML as well as HTML (every element closed, only numeric character
/// references), so that tests can parse it strictly.
package enum OverviewPage {
    package static let refreshSeconds = 30

    package static func render(_ document: OverviewDocument, frame: PageFrame, nonce: String, top: Int, jsonPath: String) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            <meta http-equiv="refresh" content="\(refreshSeconds)"/>
            <title>kafka-exporter overview</title>
            <style nonce="\(HTML.escape(nonce))">\(stylesheet)</style>
            </head><body>
            <header><h1>\(HTML.escape(frame.heading))</h1><p class="summary">\(HTML.escape(frame.summary))</p></header>

            """
        html += banner(document.problems)
        let charts = Dictionary(uniqueKeysWithValues: document.charts.map { ($0.id, $0) })
        func panels(_ ids: [String]) -> String {
            "<div class=\"grid\">" + ids.compactMap { charts[$0] }.map { panel($0, history: document.historySeconds, jsonPath: jsonPath) }.joined() + "</div>\n"
        }
        html += "<section id=\"traffic\"><h2>Topics and consumer groups</h2>\n"
            + panels(["message-in-per-second", "message-in-per-minute", "message-consume-per-minute", "lag-messages", "lag-seconds"])
            + "</section>\n"
        html += "<section id=\"pipeline\"><h2>Pipeline stages and duplicates</h2>\n"
            + panels(["pipeline-rates", "amplification", "duplicates"]) + stageTable(document.stages, top: top, jsonPath: jsonPath)
            + "</section>\n"
        html += "<section id=\"groups\"><h2>Consumer group status</h2>\n" + groupTable(document.groups, top: top, jsonPath: jsonPath) + "</section>\n"
        html += "<section id=\"clients\"><h2>Clients (librdkafka statistics)</h2>\n" + panels(["queue-fill"])
            + clientTable(document.clients, top: top, jsonPath: jsonPath) + "</section>\n"
        html += "<footer><p>Data of \(HTML.escape(document.generatedAt.formatted(.iso8601))); this page reloads every \(refreshSeconds) s.</p><ul>"
            + frame.links.map { "<li><a href=\"\(HTML.escape($0.path))\">\(HTML.escape($0.title))</a></li>" }.joined()
            + "</ul></footer>\n</body></html>\n"
        return html
    }

    private static func banner(_ problems: [Problem]) -> String {
        guard !problems.isEmpty else { return "" }
        let severity = problems.contains { $0.severity == .critical } ? "critical" : "warning"
        let heading = problems.count == 1 ? "Something is wrong" : "\(problems.count) things are wrong"
        return "<section id=\"banner\" class=\"banner \(severity)\" role=\"alert\"><h2>\(heading)</h2><ul>"
            + problems.map { problem in
                "<li class=\"\(problem.severity.rawValue)\" data-kind=\"\(HTML.escape(problem.kind))\"><p class=\"message\">\(HTML.phrase(problem.message))</p>"
                    + "<p class=\"check\">Check \(HTML.phrase(problem.check)) Runbook: docs/runbook.md, <code>#\(HTML.escape(problem.runbook))</code>.</p></li>"
            }.joined() + "</ul></section>\n"
    }

    private static func panel(_ chart: Chart, history: Double, jsonPath: String) -> String {
        var html = "<figure class=\"panel\" id=\"panel-\(HTML.escape(chart.id))\"><figcaption>\(HTML.escape(chart.title))</figcaption>"
        guard !chart.series.isEmpty, !chart.times.isEmpty else {
            return html + "<p class=\"empty\">\(HTML.escape(chart.emptyNote))</p></figure>"
        }
        html += SVGChart.render(chart, history: history)
        html += "<ul class=\"legend\">" + chart.series.enumerated().map { index, series in
            "<li><svg class=\"swatch\" viewBox=\"0 0 10 10\"><rect width=\"10\" height=\"10\" fill=\"\(SVGChart.color(index))\"/></svg>"
                + "<span class=\"name\">\(HTML.escape(series.name))</span>"
                + "<span class=\"value\">\(HTML.escape(series.current.map { value(chart.unit, $0) } ?? "–"))</span></li>"
        }.joined() + "</ul>"
        html += hiddenNote(shown: chart.series.count, total: chart.total, what: "series", jsonPath: jsonPath)
        return html + "</figure>"
    }

    private static func value(_ unit: String, _ value: Double) -> String {
        switch unit {
        case "share": Numbers.percent(value)
        case "ratio": Numbers.ratio(value)
        default: "\(Numbers.format(value)) \(unit)"
        }
    }

    private static func hiddenNote(shown: Int, total: Int, what: String, jsonPath: String) -> String {
        guard total > shown else { return "" }
        return "<p class=\"note hidden-count\">Top \(shown) of \(Numbers.format(Double(total))) \(what); \(Numbers.format(Double(total - shown))) hidden: all in <a href=\"\(HTML.escape(jsonPath))\">\(HTML.escape(jsonPath))</a>.</p>"
    }

    private static func table(_ headers: [String], _ rows: [[String]], classes: [String]) -> String {
        "<div class=\"table-wrap\"><table><thead><tr>" + headers.map { "<th>\(HTML.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            + rows.map { row in "<tr>" + zip(row, classes).map { "<td class=\"\($1)\">\($0)</td>" }.joined() + "</tr>" }.joined()
            + "</tbody></table></div>"
    }

    private static func cell(_ value: Double?) -> String { HTML.escape(value.map(Numbers.format) ?? "–") }

    private static func groupTable(_ groups: [GroupRow], top: Int, jsonPath: String) -> String {
        guard !groups.isEmpty else { return "<p class=\"empty\">No consumer group seen yet.</p>" }
        let rows = groups.prefix(top).map { group in
            ["\(HTML.escape(group.group))", "<span class=\"status status-\(HTML.escape(group.status))\">\(HTML.escape(group.status))</span>",
             HTML.phrase(group.reason), cell(group.lag), cell(group.maxLagSeconds), cell(group.consumedPerMinute)]
        }
        return table(["Group", "Status", "Reason", "Lag (messages)", "Lag (s)", "Consumed/min"], rows,
                     classes: ["name", "status", "reason", "num", "num", "num"])
            + hiddenNote(shown: rows.count, total: groups.count, what: "groups (problems first, then by lag)", jsonPath: jsonPath)
    }

    private static func stageTable(_ stages: [StageRow], top: Int, jsonPath: String) -> String {
        guard !stages.isEmpty else { return "" }
        let rows = stages.prefix(top).map { stage in
            [HTML.escape(stage.stage), cell(stage.inPerSecond), cell(stage.outPerSecond), HTML.escape(stage.amplificationRatio.map(Numbers.measuredRatio) ?? "–")]
        }
        return table(["Stage", "In/s", "Out/s", "Out per in"], rows, classes: ["name", "num", "num", "num"])
            + hiddenNote(shown: rows.count, total: stages.count, what: "stages", jsonPath: jsonPath)
    }

    private static func clientTable(_ clients: [ClientRow], top: Int, jsonPath: String) -> String {
        guard !clients.isEmpty else { return "<p class=\"empty\">No client reports librdkafka statistics.</p>" }
        let rows = clients.prefix(top).map { client in
            [HTML.escape(client.clientID), HTML.escape(client.type), cell(client.recentRetries), cell(client.retries), cell(client.errors),
             HTML.escape(client.queueFill.map(Numbers.percent) ?? "–")]
        }
        return table(["Client", "Type", "Retries (10 min)", "Retries", "Request errors", "Queue fill"], rows,
                     classes: ["name", "type", "num", "num", "num", "num"])
            + hiddenNote(shown: rows.count, total: clients.count, what: "clients (fullest queues first)", jsonPath: jsonPath)
    }

    private static let stylesheet = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 auto;max-width:1280px;padding:8px 12px;color:#222;background:#fff}\
        h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}.summary{margin:0;color:#444}\
        .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:12px}\
        figure{margin:0;border:1px solid #ddd;border-radius:4px;padding:6px 8px;min-width:0}figcaption{font-weight:600}\
        svg.chart{width:100%;height:auto;display:block}\
        .legend{list-style:none;padding:0;margin:4px 0 0;font-size:12px}.legend li{display:flex;gap:6px;align-items:baseline}\
        .legend .name{flex:1;overflow-wrap:anywhere;min-width:0}.legend .value{white-space:nowrap}.swatch{width:10px;height:10px;flex:none}\
        .banner{border:2px solid #c0392b;background:#fdecea;padding:4px 14px;border-radius:4px;margin:10px 0}\
        .banner.warning{border-color:#d68910;background:#fef5e7}.banner ul{padding-left:1.2em}.banner .message{font-weight:600;margin:.3em 0 0}\
        .banner .check{margin:.1em 0 .5em}\
        .table-wrap{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:13px;margin-top:8px}\
        th,td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}td.num{text-align:right;white-space:nowrap}\
        td.name{overflow-wrap:anywhere;max-width:22em}.status-ERR{color:#c0392b;font-weight:600}.status-WARN{color:#b9770e;font-weight:600}\
        .status-OK{color:#1e8449}.note,.empty{color:#666;font-size:12px}code{background:#f3f3f3;padding:0 2px;overflow-wrap:anywhere}\
        footer{margin-top:2em;border-top:1px solid #ddd;font-size:12px;color:#555}footer ul{padding-left:1.2em}
        """
}
