// The size and free space of a container's volumes.
// Against a private dockerd and Podman's API service started once for this binary, with real
// containers (busybox-static); see docker_support.h.
#include <sys/mount.h>

#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>

#include "tests/integration/docker/docker_support.h"

namespace ooe::docker_test {
namespace {

// A small file system of the test's own: a tmpfs of `size` mounted on a directory, unmounted
// on every way out.
class SmallFilesystem {
 public:
  explicit SmallFilesystem(const std::string& size) {
    std::string errors;
    int exit_code = -1;
    test::RunCommand({"mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", Path()}, &exit_code,
                     &errors);
    if (exit_code != 0) throw std::runtime_error("mount tmpfs on " + Path() + ": " + errors);
  }
  ~SmallFilesystem() { umount2(Path().c_str(), MNT_DETACH); }
  SmallFilesystem(const SmallFilesystem&) = delete;
  SmallFilesystem& operator=(const SmallFilesystem&) = delete;
  std::string Path() const { return dir_.Path().string(); }

 private:
  test::TempDir dir_;
};

}  // namespace

TEST_CASE("docker: a volume's size and free space as the container sees it, as it fills") {
  const Kind kind = GENERATE(Kind::kDocker, Kind::kPodman);
  auto& engine = Engine(kind);
  INFO(engine.Name());
  SmallFilesystem volume("8m");
  engine.Run("writer",
             {"-v", volume.Path() + ":/var/lib/onlyoffice", "-v", "/bin/busybox:/probe:ro",
              "--tmpfs", "/var/cache/onlyoffice:size=2m"},
             {"sleep", "100000"});
  auto collector = MakeCollector("host: " + engine.Host());
  const std::map<std::string, std::string> data = {{"name", "writer"},
                                                   {"destination", "/var/lib/onlyoffice"}};
  auto scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_volume_size_bytes", data) == 8 << 20);
  CHECK(FindValue(scrape.samples, "container_volume_avail_bytes", data) == 8 << 20);
  CHECK(FindValue(scrape.samples, "container_volume_size_bytes",
                  {{"name", "writer"}, {"volume", volume.Path()}, {"type", "bind"}}) == 8 << 20);
  // A tmpfs of the container's own exists only in its mount namespace: read through its root.
  CHECK(FindValue(
            scrape.samples, "container_volume_size_bytes",
            {{"name", "writer"}, {"destination", "/var/cache/onlyoffice"}, {"type", "tmpfs"}}) ==
        2 << 20);
  // A bound file is no file system of the container's own.
  CHECK_FALSE(FindValue(scrape.samples, "container_volume_size_bytes",
                        {{"name", "writer"}, {"destination", "/probe"}}));

  // The container writes 6 MiB into it: 2 MiB (25 %) are left.
  engine.Cli({"exec", "writer", "dd", "if=/dev/zero", "of=/var/lib/onlyoffice/cache", "bs=1048576",
              "count=6"});
  scrape = CollectOnce(collector);
  REQUIRE(scrape.result.ErrorLine().empty());
  CHECK(FindValue(scrape.samples, "container_volume_avail_bytes", data) == 2 << 20);
  CHECK(FindValue(scrape.samples, "container_volume_free_bytes", data) == 2 << 20);
  const auto files_free = FindValue(scrape.samples, "container_volume_files_free", data);
  const auto files = FindValue(scrape.samples, "container_volume_files", data);
  REQUIRE(files);
  REQUIRE(files_free);
  CHECK(*files_free < *files);
  // Full: what the writer could not write is left out.
  engine.Cli({"exec", "writer", "dd", "if=/dev/zero", "of=/var/lib/onlyoffice/more", "bs=1048576",
              "count=4"});
  scrape = CollectOnce(collector);
  CHECK(FindValue(scrape.samples, "container_volume_avail_bytes", data) == 0);
  // Turned off, none.
  auto off = MakeCollector("host: " + engine.Host() + "\nread_volumes: false\n");
  const auto unmeasured = CollectOnce(off);
  REQUIRE(unmeasured.result.ErrorLine().empty());
  CHECK(test::CountSamples(unmeasured.samples, "container_volume_size_bytes") == 0);
  // Stopped: nothing is measured (its root is gone with its process).
  engine.Cli({"stop", "-t", "0", "writer"});
  REQUIRE(WaitFor(engine, "writer", "{{.State.Status}}", "exited"));
  CHECK(test::CountSamples(CollectOnce(collector).samples, "container_volume_size_bytes") == 0);
}

}  // namespace ooe::docker_test
