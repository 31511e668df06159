/// Decodes librdkafka statistics JSON into `ClientStatistics` in one pass over the bytes.
///
/// Unknown keys are skipped (checked, not decoded), missing keys stay nil, `null` counts as missing,
/// so documents from librdkafka versions older or newer than 2.0.2 decode alike. A known key holding a
/// value of another type, malformed JSON, or a document without a client name and type is an error.
package enum StatisticsParser {
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws(StatsParseError) -> ClientStatistics {
        var reader = JSONReader(bytes)
        guard let document = try decode(ClientStatistics(), &reader, decodeTopLevel) else {
            throw StatsParseError(.notStatistics, "the document is null, not an object", at: 0)
        }
        try reader.expectEnd()
        guard document.effectiveClientID != nil, document.type != nil else {
            throw StatsParseError(.notStatistics, "not a librdkafka statistics document: no name, client_id or type", at: 0)
        }
        return document
    }

    package static func parse(_ bytes: [UInt8]) throws(StatsParseError) -> ClientStatistics {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(StatsParseError) in try parse(buffer) }
        }
        return try result.get()
    }

    private static let topLevel = Members<ClientStatistics>(
        strings: [("name", \.name), ("client_id", \.clientID), ("type", \.type)],
        numbers: [
            ("ts", \.monotonicMicroseconds), ("time", \.time), ("age", \.ageMicroseconds), ("msg_cnt", \.queuedMessages),
            ("msg_size", \.queuedBytes), ("msg_max", \.maxQueuedMessages), ("msg_size_max", \.maxQueuedBytes),
        ])

    private static let broker = Members<BrokerStatistics>(
        strings: [("source", \.source), ("state", \.state)],
        numbers: [
            ("nodeid", \.nodeID), ("stateage", \.stateAgeMicroseconds), ("outbuf_msg_cnt", \.outbufMessages),
            ("waitresp_msg_cnt", \.waitingResponseMessages), ("tx", \.requestsSent), ("txbytes", \.bytesSent),
            ("txerrs", \.transmitErrors), ("txretries", \.requestRetries), ("req_timeouts", \.requestTimeouts),
            ("rxbytes", \.bytesReceived), ("rxerrs", \.receiveErrors), ("connects", \.connects), ("disconnects", \.disconnects),
        ],
        windows: [("rtt", \.roundTrip), ("int_latency", \.internalLatency), ("outbuf_latency", \.outbufLatency), ("throttle", \.throttle)])

    private static let window = Members<LatencyWindow>(numbers: [("p50", \.p50), ("p90", \.p90), ("p99", \.p99), ("sum", \.sum), ("cnt", \.count)])

    private static let partition = Members<PartitionStatistics>(numbers: [
        ("msgs", \.messages), ("txmsgs", \.transmittedMessages), ("rxmsgs", \.receivedMessages),
        ("consumer_lag", \.consumerLag), ("committed_offset", \.committedOffset),
    ])

    private static let group = Members<GroupStatistics>(
        strings: [("state", \.state)], numbers: [("rebalance_cnt", \.rebalances), ("assignment_size", \.assignedPartitions)])

    private static func decodeTopLevel(_ document: inout ClientStatistics, _ key: JSONKey, _ reader: inout JSONReader) throws(StatsParseError) -> Bool {
        switch key {
        case "brokers":
            guard try reader.isObject() else { return true }
            try reader.readObject { reader, key throws(StatsParseError) in
                if let broker = try decode(BrokerStatistics(name: key.string), broker, &reader) { document.brokers.append(broker) }
            }
        case "topics":
            guard try reader.isObject() else { return true }
            try reader.readObject { reader, key throws(StatsParseError) in
                try decodeTopic(named: key.string, into: &document.partitions, &reader)
            }
        case "cgrp":
            document.group = try decode(GroupStatistics(), group, &reader)
        default:
            return try topLevel.read(key, into: &document, &reader)
        }
        return true
    }

    private static func decodeTopic(named topic: String, into partitions: inout [PartitionStatistics], _ reader: inout JSONReader) throws(StatsParseError) {
        guard try reader.isObject() else { return }
        try reader.readObject { reader, key throws(StatsParseError) in
            guard case "partitions" = key else { return try reader.skipValue() }
            guard try reader.isObject() else { return }
            try reader.readObject { reader, key throws(StatsParseError) in
                guard let id = Int32(key.string) else {
                    throw StatsParseError(.notStatistics, "partition key \"\(key.string)\" is not a partition number", at: reader.position)
                }
                if let decoded = try decode(PartitionStatistics(topic: topic, partition: id), partition, &reader) { partitions.append(decoded) }
            }
        }
    }

    /// An object whose known members are all in `members`, decoded into `initial` (nil for `null`).
    private static func decode<Value>(_ initial: Value, _ members: Members<Value>, _ reader: inout JSONReader) throws(StatsParseError) -> Value? {
        try decode(initial, &reader) { value, key, reader throws(StatsParseError) in try members.read(key, into: &value, &reader) }
    }

    /// An object decoded into `initial` (nil for `null`): `member` reads the members it knows and
    /// returns false for the others, which are skipped.
    private static func decode<Value>(
        _ initial: Value, _ reader: inout JSONReader,
        _ member: (inout Value, JSONKey, inout JSONReader) throws(StatsParseError) -> Bool
    ) throws(StatsParseError) -> Value? {
        guard try reader.isObject() else { return nil }
        var value = initial
        try reader.readObject { reader, key throws(StatsParseError) in
            if try !member(&value, key, &reader) { try reader.skipValue() }
        }
        return value
    }

    /// The members of one kind of statistics object that go straight into a property: strings, numbers
    /// and latency windows, by member name.
    private struct Members<Value>: Sendable {
        var strings: [(name: StaticString, property: WritableKeyPath<Value, String?> & Sendable)] = []
        var numbers: [(name: StaticString, property: WritableKeyPath<Value, Double?> & Sendable)] = []
        var windows: [(name: StaticString, property: WritableKeyPath<Value, LatencyWindow?> & Sendable)] = []

        /// Reads `key`'s value into its property; false for a member not listed here.
        func read(_ key: JSONKey, into value: inout Value, _ reader: inout JSONReader) throws(StatsParseError) -> Bool {
            if let member = numbers.first(where: { $0.name ~= key }) {
                value[keyPath: member.property] = try reader.readNumber()
            } else if let member = strings.first(where: { $0.name ~= key }) {
                value[keyPath: member.property] = try reader.readString()
            } else if let member = windows.first(where: { $0.name ~= key }) {
                value[keyPath: member.property] = try decode(LatencyWindow(), window, &reader)
            } else {
                return false
            }
            return true
        }
    }
}
