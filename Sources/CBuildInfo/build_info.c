#include "build_info.h"

#ifndef KAFKA_EXPORTER_REVISION
#define KAFKA_EXPORTER_REVISION "unknown"
#endif

const char *kafka_exporter_revision(void) { return KAFKA_EXPORTER_REVISION; }
