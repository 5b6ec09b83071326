// What a pure parser returns: the value, or one line saying what is wrong with the input.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace ooe {

template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed Failure(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
  explicit operator bool() const { return value.has_value(); }
  const T& operator*() const& { return *value; }
  T& operator*() & { return *value; }
  const T* operator->() const { return &*value; }
};

template <typename T>
Parsed<T> Success(T value) {
  return Parsed<T>{std::move(value), {}};
}

}  // namespace ooe
