/// What `--probe.*` asks for.
package struct ProbeSettings: Sendable {
    package var topic = "kafka-exporter-probe"
    package var group = "kafka-exporter-probe"
    package var interval: Duration = .seconds(1)
    package var timeout: Duration = .seconds(10)
    /// Deadline of metadata and admin requests.
    package var requestTimeout: Duration = .seconds(10)
    /// How often the topic's metadata is read while the probe runs (leaders move).
    package var metadataInterval: Duration = .seconds(30)
    /// How long to wait before asking again for an API the broker said it does not support.
    package var unsupportedRetryInterval: Duration = .seconds(600)

    package init() {}
}
