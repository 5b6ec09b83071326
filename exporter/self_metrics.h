// The exporter's own metrics: build info and the process_* metrics client libraries export.
#pragma once

#include "base/metric_set.h"

namespace ooe {

void AddBuildInfo(MetricSet& metrics);

// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds, read from /proc/self.
void AddProcessMetrics(MetricSet& metrics);

}  // namespace ooe
