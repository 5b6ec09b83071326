// A small PromQL reader for tests: enough to find metric selectors, the function call each sits
// in directly, and range durations. Not a parser; Prometheus itself validates expressions.
#pragma once

#include <string>
#include <vector>

namespace ooe::test {

struct Selector {
  std::string metric;    // empty for {__name__=...}-style selectors
  std::string matchers;  // the text between { and }, empty when none
  std::string enclosing_function;
};

// The selectors of `expr`; the text inside each [...] goes to `ranges`.
std::vector<Selector> FindSelectors(const std::string& expr, std::vector<std::string>& ranges);

}  // namespace ooe::test
