#include "base/error.h"

namespace ooe {
namespace {

void AppendPart(std::string& line, std::string_view part) {
  if (part.empty()) return;
  if (!line.empty()) line += ": ";
  line += part;
}

}  // namespace

std::string Error::ToString() const {
  std::string line = operation;
  if (!resource.empty()) {
    if (!line.empty()) line += ' ';
    line += resource;
  }
  if (phase == "http_status" && status != 0) AppendPart(line, "HTTP " + std::to_string(status));
  AppendPart(line, detail);
  AppendPart(line, hint);
  return line;
}

std::string JoinErrors(const std::vector<Error>& errors) {
  constexpr size_t kShown = 3;
  std::string line;
  for (size_t i = 0; i < errors.size() && i < kShown; ++i) {
    if (i > 0) line += "; ";
    line += errors[i].ToString();
  }
  if (errors.size() > kShown) {
    line += "; and " + std::to_string(errors.size() - kShown) + " more";
  }
  return line;
}

}  // namespace ooe
