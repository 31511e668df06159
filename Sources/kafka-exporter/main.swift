print("kafka-exporter: under construction")
