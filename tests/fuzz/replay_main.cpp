// Runs files through a fuzz target without libFuzzer (as fmt's fuzzers do), so every build
// replays the seeds and the crash regressions. Usage: fuzz_<target> FILE_OR_DIRECTORY...
// Fails when an argument does not exist or nothing at all was replayed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

int Replay(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(stream)),
                                std::istreambuf_iterator<char>());
  // A copy of exactly `size` bytes, so ASan sees a read past the end of the input.
  const auto copy = std::make_unique<uint8_t[]>(bytes.size());
  std::copy(bytes.begin(), bytes.end(), copy.get());
  return LLVMFuzzerTestOneInput(copy.get(), bytes.size());
}

}  // namespace

int main(int argc, char** argv) {
  size_t replayed = 0;
  // The empty input first: every target must cope with it.
  LLVMFuzzerTestOneInput(nullptr, 0);
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path argument(argv[i]);
    std::error_code error;
    if (std::filesystem::is_regular_file(argument, error)) {
      Replay(argument);
      ++replayed;
      continue;
    }
    if (!std::filesystem::is_directory(argument, error)) {
      std::cerr << argv[0] << ": " << argument.string() << ": no such file or directory\n";
      return 1;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argument)) {
      if (!entry.is_regular_file()) continue;
      Replay(entry.path());
      ++replayed;
    }
  }
  std::cout << argv[0] << ": replayed " << replayed << " inputs\n";
  if (replayed == 0) {
    std::cerr << argv[0] << ": no inputs given\n";
    return 1;
  }
  return 0;
}
