import Kafka

public enum Version {
    public static let current = "0.1.0"
    public static let librdkafka = librdkafkaVersion
}
