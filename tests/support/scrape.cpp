#include "tests/support/scrape.h"

#include <stdexcept>

#include "collectors/http/client.h"

namespace ooe::test {

std::vector<Sample> ParseExposition(const std::string& text) {
  std::vector<Sample> samples;
  size_t position = 0;
  while (position < text.size()) {
    auto end = text.find('\n', position);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(position, end - position);
    position = end + 1;
    if (line.empty() || line[0] == '#') continue;
    Sample sample;
    size_t cursor = line.find_first_of("{ ");
    sample.name = line.substr(0, cursor);
    if (cursor != std::string::npos && line[cursor] == '{') {
      ++cursor;
      while (cursor < line.size() && line[cursor] != '}') {
        const auto equals = line.find('=', cursor);
        const std::string label = line.substr(cursor, equals - cursor);
        std::string value;
        size_t i = equals + 2;  // skip ="
        for (; i < line.size() && line[i] != '"'; ++i) {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value.push_back(line[i] == 'n' ? '\n' : line[i]);
          } else {
            value.push_back(line[i]);
          }
        }
        sample.labels[label] = value;
        cursor = i + 1;
        if (cursor < line.size() && line[cursor] == ',') ++cursor;
      }
      ++cursor;
    }
    sample.value = std::stod(line.substr(cursor + 1));
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::optional<double> FindValue(const std::vector<Sample>& samples, const std::string& name,
                                const std::map<std::string, std::string>& labels) {
  for (const auto& sample : samples) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      const auto found = sample.labels.find(key);
      if (found == sample.labels.end() || found->second != value) {
        matches = false;
        break;
      }
    }
    if (matches) return sample.value;
  }
  return std::nullopt;
}

size_t CountSamples(const std::vector<Sample>& samples, const std::string& name) {
  size_t count = 0;
  for (const auto& sample : samples) count += sample.name == name ? 1 : 0;
  return count;
}

std::vector<Sample> SamplesOf(const CollectResult& result) {
  return ParseExposition(SerializeText(result.families));
}

HttpResult HttpGet(const std::string& url, const std::vector<std::string>& headers,
                   std::chrono::milliseconds timeout) {
  HttpClient client;
  HttpRequest request;
  request.url = url;
  request.headers = headers;
  request.max_body_bytes = size_t{256} << 20;
  const auto response = client.Perform(request, Clock::now() + timeout);
  return {response.status, response.body, response.Ok() ? std::string() : response.error.ToString(),
          response.timings.total};
}

ExporterProcess::ExporterProcess(std::vector<std::string> flags,
                                 const std::vector<std::string>& environment)
    : log_file_((dir_ / "exporter.log").string()),
      port_(FreePort()),
      process_(
          [&] {
            std::vector<std::string> argv = {
                OOE_EXPORTER_BINARY, "--web.listen-address=127.0.0.1:" + std::to_string(port_)};
            argv.insert(argv.end(), flags.begin(), flags.end());
            return argv;
          }(),
          log_file_, environment) {
  if (!WaitForPort(port_, std::chrono::milliseconds(10'000))) {
    throw std::runtime_error("the exporter did not listen on port " + std::to_string(port_) +
                             "; its log:\n" + Log());
  }
}

std::string ExporterProcess::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

HttpResult ExporterProcess::Get(const std::string& path,
                                const std::vector<std::string>& headers) const {
  return HttpGet(Url(path), headers);
}

}  // namespace ooe::test
