import Exposition
import Testing

@Suite struct ExpositionWriterTests {
    private func sampleFamilies() -> [MetricFamily] {
        var lag = MetricFamily(name: "kafka_consumergroup_lag", help: "Lag\\of a group\nper partition", type: .gauge, labelNames: ["consumergroup", "partition"])
        lag.add(["router", "0"], 12)
        lag.add(["router", "1"], 0.5)
        var errors = MetricFamily(name: "kafka_exporter_collect_errors_total", help: "Errors.", type: .counter, labelNames: ["stage"])
        errors.add(["metadata"], 3)
        var latency = MetricFamily(name: "kafka_client_broker_rtt_seconds", help: "Round-trip time.", type: .summary, labelNames: ["broker"])
        latency.addSummary(["1"], quantiles: [(0.5, 0.001), (0.99, 0.25)], sum: 1.5, count: 42)
        var special = MetricFamily(name: "special_values", help: "Special.", type: .gauge, labelNames: ["kind"])
        special.add(["nan"], .nan)
        special.add(["inf"], .infinity)
        special.add(["ninf"], -.infinity)
        special.add(["big"], 1e21)
        special.add(["negative"], -7)
        return [lag, errors, latency, special]
    }

    @Test func textFormatGolden() {
        let writer = ExpositionWriter(format: .text)
        let text = sampleFamilies().map { writer.render($0).string }.joined()
        #expect(text == """
            # HELP kafka_consumergroup_lag Lag\\\\of a group\\nper partition
            # TYPE kafka_consumergroup_lag gauge
            kafka_consumergroup_lag{consumergroup="router",partition="0"} 12
            kafka_consumergroup_lag{consumergroup="router",partition="1"} 0.5
            # HELP kafka_exporter_collect_errors_total Errors.
            # TYPE kafka_exporter_collect_errors_total counter
            kafka_exporter_collect_errors_total{stage="metadata"} 3
            # HELP kafka_client_broker_rtt_seconds Round-trip time.
            # TYPE kafka_client_broker_rtt_seconds summary
            kafka_client_broker_rtt_seconds{broker="1",quantile="0.5"} 0.001
            kafka_client_broker_rtt_seconds{broker="1",quantile="0.99"} 0.25
            kafka_client_broker_rtt_seconds_sum{broker="1"} 1.5
            kafka_client_broker_rtt_seconds_count{broker="1"} 42
            # HELP special_values Special.
            # TYPE special_values gauge
            special_values{kind="nan"} NaN
            special_values{kind="inf"} +Inf
            special_values{kind="ninf"} -Inf
            special_values{kind="big"} 1e+21
            special_values{kind="negative"} -7

            """)
    }

    @Test func openMetricsNamesCountersWithoutTotalInMetadata() {
        let writer = ExpositionWriter(format: .openMetrics)
        let text = writer.render(sampleFamilies()[1]).string
        #expect(text == """
            # HELP kafka_exporter_collect_errors Errors.
            # TYPE kafka_exporter_collect_errors counter
            kafka_exporter_collect_errors_total{stage="metadata"} 3

            """)
        #expect(writer.trailer == "# EOF\n")
    }

    @Test func openMetricsEscapesQuotesInHelp() {
        var family = MetricFamily(name: "quoted", help: "say \"hi\"", type: .untyped)
        family.add(1)
        let openMetrics = ExpositionWriter(format: .openMetrics).render(family).string
        let text = ExpositionWriter(format: .text).render(family).string
        #expect(openMetrics.hasPrefix("# HELP quoted say \\\"hi\\\"\n# TYPE quoted unknown\n"))
        #expect(text.hasPrefix("# HELP quoted say \"hi\"\n# TYPE quoted untyped\n"))
    }

    @Test func constantLabelsComeFirstOnEverySample() {
        let writer = ExpositionWriter(format: .text, constantLabels: [("cluster", "prod \"eu\"")])
        var plain = MetricFamily(name: "kafka_brokers", help: "Brokers.", type: .gauge)
        plain.add(3)
        let rendered = writer.render(plain).string + writer.render(sampleFamilies()[0]).string
        #expect(rendered.contains("kafka_brokers{cluster=\"prod \\\"eu\\\"\"} 3\n"))
        #expect(rendered.contains("kafka_consumergroup_lag{cluster=\"prod \\\"eu\\\"\",consumergroup=\"router\",partition=\"0\"} 12\n"))
    }

    @Test func emptyFamiliesRenderNothing() {
        let family = MetricFamily(name: "nothing", help: "None.", type: .gauge)
        #expect(ExpositionWriter(format: .text).render(family).isEmpty)
    }
}
