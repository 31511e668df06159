import Kafka

package enum Version {
    package static let current = "0.1.0"
    package static let librdkafka = librdkafkaVersion
}
