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

    private static func decodeTopLevel(_ document: inout ClientStatistics, _ key: JSONKey, _ reader: inout JSONReader) throws(StatsParseError) -> Bool {
        switch key {
        case "name": document.name = try reader.readString()
        case "client_id": document.clientID = try reader.readString()
        case "type": document.type = try reader.readString()
        case "ts": document.monotonicMicroseconds = try reader.readNumber()
        case "time": document.time = try reader.readNumber()
        case "age": document.ageMicroseconds = try reader.readNumber()
        case "msg_cnt": document.queuedMessages = try reader.readNumber()
        case "msg_size": document.queuedBytes = try reader.readNumber()
        case "msg_max": document.maxQueuedMessages = try reader.readNumber()
        case "msg_size_max": document.maxQueuedBytes = try reader.readNumber()
        case "brokers":
            guard try reader.isObject() else { return true }
            try reader.readObject { reader, key throws(StatsParseError) in
                if let broker = try decodeBroker(named: key.string, &reader) { document.brokers.append(broker) }
            }
        case "topics":
            guard try reader.isObject() else { return true }
            try reader.readObject { reader, key throws(StatsParseError) in
                try decodeTopic(named: key.string, into: &document.partitions, &reader)
            }
        case "cgrp":
            document.group = try decode(GroupStatistics(), &reader) { group, key, reader throws(StatsParseError) in
                switch key {
                case "state": group.state = try reader.readString()
                case "rebalance_cnt": group.rebalances = try reader.readNumber()
                case "assignment_size": group.assignedPartitions = try reader.readNumber()
                default: return false
                }
                return true
            }
        default: return false
        }
        return true
    }

    private static func decodeBroker(named name: String, _ reader: inout JSONReader) throws(StatsParseError) -> BrokerStatistics? {
        try decode(BrokerStatistics(name: name), &reader) { broker, key, reader throws(StatsParseError) in
            switch key {
            case "nodeid": broker.nodeID = try reader.readNumber()
            case "source": broker.source = try reader.readString()
            case "state": broker.state = try reader.readString()
            case "stateage": broker.stateAgeMicroseconds = try reader.readNumber()
            case "outbuf_msg_cnt": broker.outbufMessages = try reader.readNumber()
            case "waitresp_msg_cnt": broker.waitingResponseMessages = try reader.readNumber()
            case "tx": broker.requestsSent = try reader.readNumber()
            case "txbytes": broker.bytesSent = try reader.readNumber()
            case "txerrs": broker.transmitErrors = try reader.readNumber()
            case "txretries": broker.requestRetries = try reader.readNumber()
            case "req_timeouts": broker.requestTimeouts = try reader.readNumber()
            case "rxbytes": broker.bytesReceived = try reader.readNumber()
            case "rxerrs": broker.receiveErrors = try reader.readNumber()
            case "connects": broker.connects = try reader.readNumber()
            case "disconnects": broker.disconnects = try reader.readNumber()
            case "rtt": broker.roundTrip = try decodeWindow(&reader)
            case "int_latency": broker.internalLatency = try decodeWindow(&reader)
            case "outbuf_latency": broker.outbufLatency = try decodeWindow(&reader)
            case "throttle": broker.throttle = try decodeWindow(&reader)
            default: return false
            }
            return true
        }
    }

    private static func decodeWindow(_ reader: inout JSONReader) throws(StatsParseError) -> LatencyWindow? {
        try decode(LatencyWindow(), &reader) { window, key, reader throws(StatsParseError) in
            switch key {
            case "p50": window.p50 = try reader.readNumber()
            case "p90": window.p90 = try reader.readNumber()
            case "p99": window.p99 = try reader.readNumber()
            case "sum": window.sum = try reader.readNumber()
            case "cnt": window.count = try reader.readNumber()
            default: return false
            }
            return true
        }
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
                if let partition = try decodePartition(topic: topic, id: id, &reader) { partitions.append(partition) }
            }
        }
    }

    private static func decodePartition(topic: String, id: Int32, _ reader: inout JSONReader) throws(StatsParseError) -> PartitionStatistics? {
        try decode(PartitionStatistics(topic: topic, partition: id), &reader) { partition, key, reader throws(StatsParseError) in
            switch key {
            case "msgs": partition.messages = try reader.readNumber()
            case "txmsgs": partition.transmittedMessages = try reader.readNumber()
            case "rxmsgs": partition.receivedMessages = try reader.readNumber()
            case "consumer_lag": partition.consumerLag = try reader.readNumber()
            case "committed_offset": partition.committedOffset = try reader.readNumber()
            default: return false
            }
            return true
        }
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
}
