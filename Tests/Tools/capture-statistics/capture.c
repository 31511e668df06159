/*
 * Captures real librdkafka statistics documents (the exact bytes handed to stats_cb) from clients
 * talking to librdkafka's in-process mock cluster. See Tests/Fixtures/statistics/README.md.
 *
 *   capture producer OUT.json   producer whose Produce requests fail (retriable errors injected
 *                               with rd_kafka_mock_push_request_errors_array), so it retries
 *   capture consumer OUT.json   consumer in a group: subscribe, consume, commit (the first commit
 *                               attempts fail with a retriable error)
 *   capture large OUT.json PARTITIONS
 *                               consumer in a group assigned every partition of a wide topic
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MESSAGES 200

/* The latest statistics document of the handle being captured. */
static char *latest_stats;
static size_t latest_stats_len;
static int stats_count;

static int stats_cb(rd_kafka_t *rk, char *json, size_t json_len, void *opaque) {
    (void)rk;
    (void)opaque;
    free(latest_stats);
    latest_stats = malloc(json_len);
    memcpy(latest_stats, json, json_len);
    latest_stats_len = json_len;
    stats_count++;
    return 0; /* librdkafka frees json */
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "capture: %s: %s\n", what, detail);
    exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) die(key, errstr);
}

static rd_kafka_t *client(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
    char errstr[512];
    rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof errstr);
    if (!rk) die("rd_kafka_new", errstr);
    return rk;
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Serves the handle until a statistics document newer than the ones seen so far arrives. */
static void wait_for_fresh_stats(rd_kafka_t *rk, int is_consumer) {
    int seen = stats_count;
    double deadline = now_seconds() + 10;
    while (stats_count == seen && now_seconds() < deadline) {
        if (is_consumer) {
            rd_kafka_message_t *message = rd_kafka_consumer_poll(rk, 100);
            if (message) rd_kafka_message_destroy(message);
        } else {
            rd_kafka_poll(rk, 100);
        }
    }
    if (stats_count == seen) die("statistics", "no document within 10 s");
}

static void write_latest(const char *path) {
    FILE *file = fopen(path, "wb");
    if (!file) die("open", path);
    fwrite(latest_stats, 1, latest_stats_len, file);
    fclose(file);
    fprintf(stderr, "capture: wrote %zu bytes to %s\n", latest_stats_len, path);
}

static rd_kafka_mock_cluster_t *start_cluster(rd_kafka_t **host) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "client.id", "mock-cluster-host");
    *host = client(RD_KAFKA_PRODUCER, conf);
    rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(*host, 3);
    if (!cluster) die("mock cluster", "could not start");
    return cluster;
}

static rd_kafka_conf_t *client_conf(rd_kafka_mock_cluster_t *cluster, const char *client_id) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(cluster));
    set(conf, "client.id", client_id);
    set(conf, "statistics.interval.ms", "500");
    rd_kafka_conf_set_stats_cb(conf, stats_cb);
    return conf;
}

static void produce(rd_kafka_t *producer, const char *topic, int count) {
    for (int i = 0; i < count; i++) {
        char key[32], value[64];
        snprintf(key, sizeof key, "key-%d", i);
        snprintf(value, sizeof value, "{\"reading\":%d}", i);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
            RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err) die("produce", rd_kafka_err2str(err));
        rd_kafka_poll(producer, 0);
    }
    if (rd_kafka_flush(producer, 30000)) die("flush", "messages left undelivered");
}

static void capture_producer(const char *path) {
    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *cluster = start_cluster(&host);
    rd_kafka_mock_topic_create(cluster, "orders", 4, 3);

    rd_kafka_conf_t *conf = client_conf(cluster, "capture-producer");
    set(conf, "linger.ms", "5");
    set(conf, "retry.backoff.ms", "20");
    rd_kafka_t *producer = client(RD_KAFKA_PRODUCER, conf);

    /* The next Produce requests fail with retriable errors: librdkafka re-sends them (txretries)
     * and transmits their messages again (txmsgs above the produced count). */
    rd_kafka_resp_err_t errors[] = {
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
    };
    rd_kafka_mock_push_request_errors_array(cluster, 0 /* Produce */, sizeof errors / sizeof errors[0], errors);
    produce(producer, "orders", MESSAGES);
    wait_for_fresh_stats(producer, 0);
    write_latest(path);

    rd_kafka_destroy(producer);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
}

static void capture_consumer(const char *path, const char *topic, int partitions, int inject_commit_errors) {
    rd_kafka_t *host;
    rd_kafka_mock_cluster_t *cluster = start_cluster(&host);
    rd_kafka_mock_topic_create(cluster, topic, partitions, 3);
    rd_kafka_mock_coordinator_set(cluster, "group", "capture-group", 2);

    rd_kafka_conf_t *producer_conf = rd_kafka_conf_new();
    set(producer_conf, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(cluster));
    set(producer_conf, "client.id", "capture-seed");
    rd_kafka_t *producer = client(RD_KAFKA_PRODUCER, producer_conf);
    produce(producer, topic, MESSAGES);
    rd_kafka_destroy(producer);

    rd_kafka_conf_t *conf = client_conf(cluster, "capture-consumer");
    set(conf, "group.id", "capture-group");
    set(conf, "auto.offset.reset", "earliest");
    set(conf, "enable.auto.commit", "false");
    rd_kafka_t *consumer = client(RD_KAFKA_CONSUMER, conf);
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, subscription);
    if (err) die("subscribe", rd_kafka_err2str(err));
    rd_kafka_topic_partition_list_destroy(subscription);

    /* Consume all but the last few messages, so the committed offsets leave a visible lag. */
    int consumed = 0;
    double deadline = now_seconds() + 60;
    while (consumed < MESSAGES - 10 && now_seconds() < deadline) {
        rd_kafka_message_t *message = rd_kafka_consumer_poll(consumer, 100);
        if (!message) continue;
        if (!message->err) consumed++;
        rd_kafka_message_destroy(message);
    }
    if (consumed < MESSAGES - 10) die("consume", "too few messages within 60 s");
    if (inject_commit_errors) {
        /* The coordinator answers the first commits with retriable errors: librdkafka re-sends the
         * OffsetCommit request (txretries on the GroupCoordinator logical broker). */
        rd_kafka_resp_err_t errors[] = {
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        };
        rd_kafka_mock_push_request_errors_array(cluster, 8 /* OffsetCommit */, 2, errors);
    }
    err = rd_kafka_commit(consumer, NULL, 0);
    if (err) die("commit", rd_kafka_err2str(err));
    wait_for_fresh_stats(consumer, 1);
    write_latest(path);

    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(host);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "producer") == 0) {
        capture_producer(argv[2]);
    } else if (argc >= 3 && strcmp(argv[1], "consumer") == 0) {
        capture_consumer(argv[2], "orders", 4, 1);
    } else if (argc >= 4 && strcmp(argv[1], "large") == 0) {
        capture_consumer(argv[2], "events", atoi(argv[3]), 0);
    } else {
        fprintf(stderr, "usage: capture producer|consumer OUT.json | capture large OUT.json PARTITIONS\n");
        return 2;
    }
    printf("librdkafka %s\n", rd_kafka_version_str());
    return 0;
}
