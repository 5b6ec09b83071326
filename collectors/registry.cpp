#include "collectors/registry.h"

#include "collectors/docker/kind.h"
#include "collectors/documentserver/kind.h"
#include "collectors/nginx/kind.h"
#include "collectors/postgres/kind.h"
#include "collectors/rabbitmq/kind.h"
#include "collectors/redis/kind.h"

namespace ooe {

const std::vector<const CollectorKind*>& CollectorKinds() {
  static const std::vector<const CollectorKind*> kKinds = {
      &redis::Kind(),          &docker::Kind(), &rabbitmq::Kind(),
      &documentserver::Kind(), &nginx::Kind(),  &postgres::Kind(),
  };
  return kKinds;
}

const CollectorKind* FindCollectorKind(std::string_view name) {
  for (const auto* kind : CollectorKinds()) {
    if (kind->name == name) return kind;
  }
  return nullptr;
}

}  // namespace ooe
