"""A confluent-kafka-python producer that POSTs its librdkafka statistics to the exporter.

Usage: post_stats.py URL CLIENT_ID [TOKEN]. Runs its own librdkafka mock cluster, produces a few
messages and exits 0 once two documents were accepted (HTTP 204).
"""
import sys
import time
import urllib.request

import confluent_kafka

url, client_id = sys.argv[1], sys.argv[2]
headers = {"Content-Type": "application/json"}
if len(sys.argv) > 3:
    headers["Authorization"] = f"Bearer {sys.argv[3]}"
accepted = []


def post_stats(document):
    request = urllib.request.Request(url, data=document.encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        accepted.append(response.status)


producer = confluent_kafka.Producer({
    "test.mock.num.brokers": 1,
    "client.id": client_id,
    "statistics.interval.ms": 200,
    "stats_cb": post_stats,
})
for i in range(10):
    producer.produce("python-topic", value=f"message {i}")
producer.flush(10)
deadline = time.monotonic() + 10
while len(accepted) < 2 and time.monotonic() < deadline:
    producer.poll(0.1)
print(f"librdkafka {confluent_kafka.libversion()[0]}, statuses {accepted}")
sys.exit(0 if len(accepted) >= 2 and set(accepted) == {204} else 1)
