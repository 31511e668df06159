import CBuildInfo
import Kafka

package enum Version {
    package static let current = "0.1.0"
    package static let librdkafka = librdkafkaVersion
    /// The git commit built (`make` passes it; "unknown" for a plain `swift build`).
    package static let revision = String(cString: kafka_exporter_revision())
    /// The compiler's language version, like Go exporters' `goversion`.
    package static let swift: String = {
        #if compiler(>=6.5)
        "6.5 or later"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }()
}
