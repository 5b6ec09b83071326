#include "tests/support/promql.h"

#include <cctype>
#include <set>

namespace ooe::test {
namespace {

bool IsIdentifierStart(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':';
}
bool IsIdentifierChar(char c) {
  return IsIdentifierStart(c) || std::isdigit(static_cast<unsigned char>(c));
}

const std::set<std::string>& NonMetricWords() {
  static const std::set<std::string> words = {
      "by", "without", "on",     "ignoring", "group_left", "group_right", "bool", "and",
      "or", "unless",  "offset", "inf",      "nan",        "Inf",         "NaN"};
  return words;
}

size_t SkipSpaces(const std::string& expr, size_t at) {
  while (at < expr.size() && std::isspace(static_cast<unsigned char>(expr[at]))) ++at;
  return at;
}

// Reads the word at `start` of `expr`: a call (pushed on `call_stack`), a clause, a keyword or
// a metric selector (added to `selectors`); where reading goes on.
size_t ReadWord(const std::string& expr, size_t start, std::vector<std::string>& call_stack,
                std::vector<Selector>& selectors) {
  size_t end = start;
  while (end < expr.size() && IsIdentifierChar(expr[end])) ++end;
  const std::string word = expr.substr(start, end - start);
  size_t next = SkipSpaces(expr, end);
  static const std::set<std::string> aggregations = {
      "sum",    "avg",  "min",     "max",      "count",        "stddev",
      "stdvar", "topk", "bottomk", "quantile", "count_values", "group"};
  if (aggregations.contains(word)) {  // sum by (x) (...): the call comes after the clause
    const size_t clause = next;
    if (expr.compare(clause, 2, "by") == 0 || expr.compare(clause, 7, "without") == 0) {
      next = SkipSpaces(expr, expr.find(')', clause) + 1);
    }
    if (next < expr.size() && expr[next] == '(') {
      call_stack.push_back(word);
      return next + 1;
    }
  }
  if (next < expr.size() && expr[next] == '(') {
    if (word == "by" || word == "without" || word == "on" || word == "ignoring" ||
        word == "group_left" || word == "group_right") {
      return expr.find(')', next) + 1;  // a label list, not a call
    }
    call_stack.push_back(word);
    return next + 1;
  }
  if (NonMetricWords().contains(word)) return end;
  Selector selector{word, "", call_stack.empty() ? "" : call_stack.back()};
  if (next < expr.size() && expr[next] == '{') {
    const size_t close = expr.find('}', next);
    selector.matchers = expr.substr(next + 1, close - next - 1);
    end = close + 1;
  }
  selectors.push_back(selector);
  return end;
}

}  // namespace

std::vector<Selector> FindSelectors(const std::string& expr, std::vector<std::string>& ranges) {
  std::vector<Selector> selectors;
  std::vector<std::string> call_stack;  // function name per open '(' ("" for grouping)
  size_t i = 0;
  while (i < expr.size()) {
    const char c = expr[i];
    if (c == '"' || c == '\'') {
      const size_t end = expr.find(c, i + 1);
      i = end == std::string::npos ? expr.size() : end + 1;
    } else if (c == '[') {
      const size_t end = expr.find(']', i);
      ranges.push_back(expr.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '(') {
      call_stack.emplace_back();
      ++i;
    } else if (c == ')') {
      if (!call_stack.empty()) call_stack.pop_back();
      ++i;
    } else if (c == '{') {  // a selector with no metric name
      const size_t end = expr.find('}', i);
      selectors.push_back(
          {"", expr.substr(i + 1, end - i - 1), call_stack.empty() ? "" : call_stack.back()});
      i = end + 1;
    } else if (c == '$') {  // a Grafana variable such as $__rate_interval
      ++i;
      while (i < expr.size() && IsIdentifierChar(expr[i])) ++i;
    } else if (IsIdentifierStart(c)) {
      i = ReadWord(expr, i, call_stack, selectors);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.'))
        ++i;
    } else {
      ++i;
    }
  }
  return selectors;
}

}  // namespace ooe::test
