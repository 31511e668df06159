"""Captures statistics documents from the librdkafka bundled in the confluent-kafka wheel.

A producer runs librdkafka's mock cluster in-process (`test.mock.num.brokers`); the consumer joins a
group on that same cluster, found through the brokers listed in the producer's own statistics.
Usage: python capture_confluent.py OUT_DIR  (writes producer-<version>.json and consumer-<version>.json)
"""
import json
import pathlib
import sys
import time

import confluent_kafka

MESSAGES = 200


class LatestStats:
    def __init__(self):
        self.document = None
        self.count = 0

    def __call__(self, document):
        self.document = document
        self.count += 1

    def wait_for_fresh(self, serve):
        seen = self.count
        deadline = time.monotonic() + 10
        while self.count == seen:
            if time.monotonic() > deadline:
                sys.exit("no statistics document within 10 s")
            serve()
        return self.document


def main(out_dir):
    version = confluent_kafka.libversion()[0]
    out = pathlib.Path(out_dir)

    producer_stats = LatestStats()
    producer = confluent_kafka.Producer({
        "test.mock.num.brokers": 3,
        "client.id": "confluent-producer",
        "statistics.interval.ms": 500,
        "linger.ms": 5,
        "stats_cb": producer_stats,
    })
    for i in range(MESSAGES):
        producer.produce("orders", key=f"key-{i}", value=json.dumps({"reading": i}))
        producer.poll(0)
    if producer.flush(30) != 0:
        sys.exit("messages left undelivered")
    document = producer_stats.wait_for_fresh(lambda: producer.poll(0.1))
    (out / f"producer-{version}.json").write_text(document)

    brokers = json.loads(document)["brokers"].values()
    bootstrap = ",".join(sorted({b["nodename"] for b in brokers if b["nodeid"] >= 0}))

    consumer_stats = LatestStats()
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap,
        "client.id": "confluent-consumer",
        "group.id": "confluent-group",
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "statistics.interval.ms": 500,
        "stats_cb": consumer_stats,
    })
    consumer.subscribe(["orders"])
    consumed = 0
    deadline = time.monotonic() + 60
    # All but the last few messages, so the committed offsets leave a visible lag.
    while consumed < MESSAGES - 10 and time.monotonic() < deadline:
        message = consumer.poll(0.1)
        if message is not None and message.error() is None:
            consumed += 1
    if consumed < MESSAGES - 10:
        sys.exit("too few messages within 60 s")
    consumer.commit(asynchronous=False)
    document = consumer_stats.wait_for_fresh(lambda: consumer.poll(0.1))
    (out / f"consumer-{version}.json").write_text(document)
    consumer.close()
    print(f"librdkafka {version}: wrote producer-{version}.json and consumer-{version}.json to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
