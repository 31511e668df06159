import ArgumentParser
import MetricSources
import Support

/// `--overview.history` and `--overview.top`; the overview is always on.
package struct OverviewOptions: SourceOptions {
    private static let defaults = OverviewRecorder.Settings()

    @Option(name: .customLong("overview.history"), help: "How far back the overview page's charts reach (1m to 6h; memory is fixed).") var history: String = DurationParsing.format(.seconds(defaults.history))

    @Option(name: .customLong("overview.top"), help: "Series per chart and rows per table on the overview page (1 to 50); the JSON has all.") var top: Int = defaults.top

    package init() {}

    package func settings() throws(ConfigurationError) -> OverviewRecorder.Settings {
        var settings = OverviewRecorder.Settings()
        let history = try FlagValue.positiveDuration(self.history, flag: "--overview.history")
        guard history >= .seconds(60), history <= .seconds(6 * 3600) else {
            throw ConfigurationError("--overview.history must be between 1m and 6h")
        }
        guard (1...50).contains(top) else { throw ConfigurationError("--overview.top must be between 1 and 50") }
        settings.history = history.seconds
        settings.top = top
        return settings
    }

    package func makeSource(_ settings: OverviewRecorder.Settings, in context: SourceContext) throws -> OverviewSource? {
        OverviewSource(recorder: OverviewRecorder(settings: settings))
    }
}
