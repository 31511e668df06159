"""What the Python tests, the Swift tests and the commands in scripts/ share.

- run_tansu: a Tansu broker behind the ApiVersions proxy (a command: the Swift tests start it too)
- apiversions_proxy: the proxy that lets librdkafka 2.0.2 talk to Tansu (docs/tansu.md)
- post_stats: a confluent-kafka-python producer that POSTs its statistics (a command, run by the
  Swift test ClientStatsTests/EndToEndTests)
- dashboard_queries: every PromQL expression of dashboards/, Grafana variables resolved
- prometheus_api: the few Prometheus HTTP API calls the dashboard tools need
- check_runner: running a tool and reporting checks, for scripts/check-dashboards and check-docker

Tests import them as `from helpers import ...` (pytest puts Tests/python on sys.path); commands
outside this folder put Tests/python on sys.path first.
"""
