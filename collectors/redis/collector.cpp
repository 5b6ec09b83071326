#include "collectors/redis/collector.h"

#include "base/text_number.h"

namespace ooe::redis {
namespace {

enum class Type { kGauge, kCounter };

// INFO field -> metric, as redis_exporter maps them (its metricMapGauges/metricMapCounters).
struct FieldMetric {
  std::string_view field;
  std::string_view metric;
  Type type;
  std::string_view help;
  double scale = 1.0;
};

constexpr FieldMetric kFieldMetrics[] = {
    // Server
    {"uptime_in_seconds", "redis_uptime_in_seconds", Type::kGauge, "Seconds since Redis started."},
    // Clients
    {"connected_clients", "redis_connected_clients", Type::kGauge, "Client connections open."},
    {"blocked_clients", "redis_blocked_clients", Type::kGauge,
     "Clients blocked in BLPOP and the like."},
    // Memory
    {"used_memory", "redis_memory_used_bytes", Type::kGauge, "Bytes allocated by Redis."},
    {"used_memory_rss", "redis_memory_used_rss_bytes", Type::kGauge,
     "Bytes of RAM the operating system gives Redis."},
    {"used_memory_peak", "redis_memory_used_peak_bytes", Type::kGauge, "Peak of used_memory."},
    {"used_memory_lua", "redis_memory_used_lua_bytes", Type::kGauge, "Bytes used by Lua."},
    {"used_memory_dataset", "redis_memory_used_dataset_bytes", Type::kGauge,
     "Bytes used by the data set."},
    {"maxmemory", "redis_memory_max_bytes", Type::kGauge, "maxmemory (0 means no limit)."},
    {"mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", Type::kGauge,
     "used_memory_rss / used_memory."},
    // Persistence
    {"loading", "redis_loading_dump_file", Type::kGauge, "1 while a dump is being loaded."},
    {"rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", Type::kGauge,
     "Changes since the last RDB save."},
    {"rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", Type::kGauge,
     "1 while an RDB save runs."},
    {"rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", Type::kGauge,
     "Unix time of the last successful RDB save."},
    // redis_exporter says _sec; promtool wants the unit spelled out.
    {"rdb_last_bgsave_time_sec", "redis_rdb_last_bgsave_duration_seconds", Type::kGauge,
     "Seconds the last RDB save took (-1: none)."},
    {"aof_enabled", "redis_aof_enabled", Type::kGauge, "1 when AOF is on."},
    {"aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", Type::kGauge,
     "1 while an AOF rewrite runs."},
    // Stats
    {"total_connections_received", "redis_connections_received_total", Type::kCounter,
     "Connections accepted."},
    {"total_commands_processed", "redis_commands_processed_total", Type::kCounter,
     "Commands processed."},
    {"total_net_input_bytes", "redis_net_input_bytes_total", Type::kCounter, "Bytes read."},
    {"total_net_output_bytes", "redis_net_output_bytes_total", Type::kCounter, "Bytes written."},
    {"rejected_connections", "redis_rejected_connections_total", Type::kCounter,
     "Connections rejected because of maxclients."},
    {"expired_keys", "redis_expired_keys_total", Type::kCounter, "Keys expired."},
    {"evicted_keys", "redis_evicted_keys_total", Type::kCounter,
     "Keys evicted because of maxmemory."},
    {"keyspace_hits", "redis_keyspace_hits_total", Type::kCounter, "Successful key lookups."},
    {"keyspace_misses", "redis_keyspace_misses_total", Type::kCounter, "Failed key lookups."},
    {"pubsub_channels", "redis_pubsub_channels", Type::kGauge, "Pub/sub channels in use."},
    {"latest_fork_usec", "redis_latest_fork_seconds", Type::kGauge, "Duration of the latest fork.",
     1e-6},
    // Replication
    {"connected_slaves", "redis_connected_slaves", Type::kGauge, "Replicas connected."},
    {"master_repl_offset", "redis_master_repl_offset", Type::kGauge, "Replication offset."},
    // CPU
    {"used_cpu_sys", "redis_cpu_sys_seconds_total", Type::kCounter, "System CPU seconds."},
    {"used_cpu_user", "redis_cpu_user_seconds_total", Type::kCounter, "User CPU seconds."},
};

// Fields whose value is "ok" or "up" when healthy: 1 then, 0 otherwise.
struct StatusMetric {
  std::string_view field;
  std::string_view metric;
  std::string_view healthy_value;
  std::string_view help;
};

constexpr StatusMetric kStatusMetrics[] = {
    {"rdb_last_bgsave_status", "redis_rdb_last_bgsave_status", "ok",
     "1 when the last RDB save succeeded."},
    {"aof_last_bgrewrite_status", "redis_aof_last_bgrewrite_status", "ok",
     "1 when the last AOF rewrite succeeded."},
    {"aof_last_write_status", "redis_aof_last_write_status", "ok",
     "1 when the last AOF write succeeded."},
    // Only replicas have it, so a master exports no redis_master_link_up (as redis_exporter).
    {"master_link_status", "redis_master_link_up", "up",
     "1 when this replica's link to its master is up."},
};

void Add(MetricSet& metrics, Type type, std::string_view name, std::string_view help, double value,
         const Labels& labels = {}) {
  if (type == Type::kCounter) {
    metrics.Counter(name, help, value, labels);
  } else {
    metrics.Gauge(name, help, value, labels);
  }
}

std::optional<double> ToNumber(const std::optional<std::string>& text) {
  return text ? TextNumber(*text) : std::nullopt;
}

}  // namespace

void BuildMetrics(const Info& info, const Snapshot& snapshot, MetricSet& metrics) {
  for (const auto& mapping : kFieldMetrics) {
    if (const auto value = info.Number(mapping.field)) {
      Add(metrics, mapping.type, mapping.metric, mapping.help, *value * mapping.scale);
    }
  }
  for (const auto& mapping : kStatusMetrics) {
    if (const auto* value = info.Field(mapping.field)) {
      metrics.Gauge(mapping.metric, mapping.help, *value == mapping.healthy_value ? 1.0 : 0.0);
    }
  }
  if (const auto uptime = info.Number("uptime_in_seconds")) {
    if (const auto now = info.Number("server_time_usec")) {
      metrics.Gauge("redis_start_time_seconds", "Unix time Redis started.", *now / 1e6 - *uptime);
    }
  }

  Labels instance;
  for (const std::string_view field :
       {"role", "redis_version", "redis_mode", "os", "maxmemory_policy", "tcp_port"}) {
    const auto* value = info.Field(field);
    instance.emplace_back(std::string(field), value ? *value : std::string());
  }
  metrics.Info("redis_instance_info", "Facts about the Redis server, value 1.", instance);

  for (const auto& db : info.keyspace) {
    const Labels labels = {{"db", db.db}};
    metrics.Gauge("redis_db_keys", "Keys in the database.", db.keys, labels);
    metrics.Gauge("redis_db_keys_expiring", "Keys with an expiry in the database.", db.expires,
                  labels);
    metrics.Gauge("redis_db_avg_ttl_seconds", "Average TTL of expiring keys.",
                  db.avg_ttl_milliseconds / 1000, labels);
  }
  for (const auto& command : info.commands) {
    const Labels labels = {{"cmd", command.command}};
    metrics.Counter("redis_commands_total", "Calls per command.", command.calls, labels);
    metrics.Counter("redis_commands_duration_seconds_total", "Seconds spent per command.",
                    command.microseconds / 1e6, labels);
    if (command.rejected_calls) {
      metrics.Counter("redis_commands_rejected_calls_total", "Rejected calls per command.",
                      *command.rejected_calls, labels);
    }
    if (command.failed_calls) {
      metrics.Counter("redis_commands_failed_calls_total", "Failed calls per command.",
                      *command.failed_calls, labels);
    }
  }
  for (const auto& error : info.errors) {
    metrics.Counter("redis_errors_total", "Error replies per error prefix.", error.count,
                    {{"err", error.prefix}});
  }
  // Where an ACL denies CONFIG, INFO (7.0+) still reports both settings.
  auto maxclients = ToNumber(snapshot.maxclients);
  if (!maxclients) maxclients = info.Number("maxclients");
  if (maxclients) metrics.Gauge("redis_config_maxclients", "The maxclients setting.", *maxclients);
  auto maxmemory = ToNumber(snapshot.maxmemory);
  if (!maxmemory) maxmemory = info.Number("maxmemory");
  if (maxmemory) {
    metrics.Gauge("redis_config_maxmemory", "The maxmemory setting in bytes (0: no limit).",
                  *maxmemory);
  }
}

const std::vector<VerdictSeries>& RedisCollector::Verdicts() const {
  static const std::vector<VerdictSeries> kVerdicts = {
      {"redis_up", "1 when Redis answered INFO, 0 otherwise.", {}}};
  return kVerdicts;
}

RedisCollector::RedisCollector(Address address, Credentials credentials,
                               const TargetOptions& options)
    : description_(address.ToString()),
      options_(options),
      client_(std::move(address), std::move(credentials), options.tls, options.max_body_bytes) {}

std::vector<Error> RedisCollector::Collect(const ScrapeContext& context, MetricSet& metrics) {
  const ScrapeContext bounded{options_.Deadline(context.deadline)};
  Error error;
  const auto snapshot = client_.Fetch(bounded, error);
  Parsed<Info> info;
  if (snapshot) {
    info = ParseInfo(snapshot->info);
    if (!info) {
      error = Error{
          .operation = "INFO", .resource = description_, .phase = "parse", .detail = info.error};
    }
  }
  const bool up = snapshot && info;
  metrics.Gauge(Verdicts()[0].name, Verdicts()[0].help, up ? 1.0 : 0.0);
  if (up) BuildMetrics(*info, *snapshot, metrics);
  if (up) return {};
  return {std::move(error)};
}

}  // namespace ooe::redis
