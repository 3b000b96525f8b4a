// Real-parts tests: our three output formats read by independent tools
// (skopeo, umoci) and run by podman. A test is skipped only when its tool is
// not installed.
//
// podman's flags come from the environment so they can be changed in one place:
//   PARE_PODMAN            global command and options
//                          (default: podman --storage-driver=vfs --cgroup-manager=cgroupfs
//                          --runtime runc)
//   PARE_PODMAN_RUN_FLAGS  options for `run`
//                          (default: --rm --network=none --ulimit nofile=1024:1024 --ulimit
//                          nproc=1024:1024)
// Each test adds its own --root and --runroot in a temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "oci/layout.h"
#include "oci_test_util.h"
#include "util/sha256.h"

using namespace pare;
using namespace pare::oci;
using namespace pare::oci::testing;
using nlohmann::json;

namespace {

namespace stdfs = std::filesystem;

const std::string kTag = "pare-test:v1";
const std::string kHello = "hello from pare\n";

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::string podman_base() {
  return env_or("PARE_PODMAN",
                "podman --storage-driver=vfs --cgroup-manager=cgroupfs --runtime runc");
}

std::string podman_run_flags() {
  return env_or("PARE_PODMAN_RUN_FLAGS",
                "--rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024");
}

std::string first_word(const std::string& s) {
  return s.substr(0, s.find(' '));
}

Result<Platform> host_platform() {
#if defined(__x86_64__)
  return platform_for_debian_arch("amd64");
#elif defined(__aarch64__)
  return platform_for_debian_arch("arm64");
#else
  return Error(Errc::unsupported, "unknown host architecture");
#endif
}

struct Outputs {
  stdfs::path layout, oci_archive, docker_archive;
  PlatformImage image;
};

// A layer with /busybox (from busybox-static) and /etc/hello.txt, written in all three formats.
Outputs build_outputs(const stdfs::path& dir) {
  Outputs out;
  auto busybox = fs::read_file("/bin/busybox");
  EXPECT_TRUE(busybox.ok());
  auto writer = LayerWriter::create(dir / "cache", {});
  EXPECT_TRUE(writer.ok());
  TarWriter& tar = writer.value()->tar();
  EXPECT_TRUE(tar.add(file_entry("busybox", busybox.value(), 0755), busybox.value()).ok());
  EXPECT_TRUE(tar.add(dir_entry("etc")).ok());
  EXPECT_TRUE(tar.add(file_entry("etc/hello.txt", kHello), kHello).ok());
  LayerBlob layer = writer.value()->finish().value();

  ImageConfig config;
  config.platform = host_platform().value();
  config.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  config.cmd = {"/busybox", "cat", "/etc/hello.txt"};
  config.diff_ids = {layer.diff_id};
  config.history = {"pare test layer"};
  out.image.platform = config.platform;
  out.image.config = make_config_blob(config);
  out.image.layers = {layer};
  out.image.manifest = make_manifest_blob(out.image.config, out.image.layers, {});

  std::vector<TaggedImage> images = {{kTag, {out.image}}};
  out.layout = dir / "layout";
  out.oci_archive = dir / "image.oci.tar";
  out.docker_archive = dir / "image.docker.tar";
  for (auto [format, path] : {std::pair{OutputFormat::oci_layout, out.layout},
                              std::pair{OutputFormat::oci_archive, out.oci_archive},
                              std::pair{OutputFormat::docker_archive, out.docker_archive}}) {
    auto r = write_output(format, path, images);
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
  return out;
}

json inspect(const std::string& transport_ref) {
  auto r = run_command("skopeo inspect '" + transport_ref + "'");
  EXPECT_EQ(r.status, 0) << transport_ref << ": " << r.output;
  if (r.status != 0 || !json::accept(r.output)) return json::object();
  return json::parse(r.output);
}

class RealTools : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!host_platform().ok()) GTEST_SKIP() << "unknown host architecture";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "busybox-static is not installed";
    out_ = build_outputs(dir_.path());
  }
  // The podman command with storage in this test's temporary directory.
  std::string podman() const {
    return podman_base() + " --root " + quote(dir_.path() / "storage") + " --runroot " +
           quote(dir_.path() / "run");
  }
  fs::TempDir dir_ = make_temp_dir();
  Outputs out_;
};

}  // namespace

TEST_F(RealTools, SkopeoReadsAllThreeFormats) {
  if (!have_tool("skopeo")) GTEST_SKIP() << "skopeo not installed";
  const std::string arch = out_.image.platform.architecture;
  json layout = inspect("oci:" + out_.layout.string() + ":" + kTag);
  EXPECT_EQ(layout.value("Digest", ""), out_.image.manifest.digest());
  EXPECT_EQ(layout.value("Architecture", ""), arch);
  EXPECT_EQ(layout["Layers"], json::array({out_.image.layers[0].digest}));

  json archive = inspect("oci-archive:" + out_.oci_archive.string() + ":" + kTag);
  EXPECT_EQ(archive.value("Digest", ""), out_.image.manifest.digest());

  json docker = inspect("docker-archive:" + out_.docker_archive.string());
  EXPECT_EQ(docker.value("Architecture", ""), arch);
  // docker-archive names layers by their diff_id (containers/image decompresses them).
  EXPECT_EQ(docker["Layers"], json::array({out_.image.layers[0].diff_id}));
}

TEST_F(RealTools, SkopeoFindsEachNameOfAMultiNameLayout) {
  if (!have_tool("skopeo")) GTEST_SKIP() << "skopeo not installed";
  // Same manifest under two image names: ref.name holds the whole "name:tag".
  auto layout = dir_.path() / "multi";
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, layout,
                           {{"base:latest", {out_.image}}, {"python3:nonroot", {out_.image}}})
                  .ok());
  for (const char* tag : {"base:latest", "python3:nonroot"}) {
    json j = inspect("oci:" + layout.string() + ":" + tag);
    EXPECT_EQ(j.value("Digest", ""), out_.image.manifest.digest()) << tag;
  }
  auto missing = run_command("skopeo inspect 'oci:" + layout.string() + ":base:nonroot'");
  EXPECT_NE(missing.status, 0) << missing.output;
}

TEST_F(RealTools, UmociUnpacksTheLayout) {
  if (!have_tool("umoci")) GTEST_SKIP() << "umoci not installed";
  std::string image = out_.layout.string() + ":" + kTag;
  auto stat = run_command("umoci stat --image '" + image + "'");
  EXPECT_EQ(stat.status, 0) << stat.output;
  EXPECT_NE(stat.output.find("pare test layer"), std::string::npos) << stat.output;
  auto bundle = dir_.path() / "bundle";
  auto unpack = run_command("umoci unpack --rootless --image '" + image + "' " + quote(bundle));
  ASSERT_EQ(unpack.status, 0) << unpack.output;
  EXPECT_EQ(fs::read_file(bundle / "rootfs/etc/hello.txt").value(), kHello);
  struct stat st;
  ASSERT_EQ(::stat((bundle / "rootfs/busybox").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(sha256_file_hex(bundle / "rootfs/busybox").value(),
            sha256_file_hex("/bin/busybox").value());
}

TEST_F(RealTools, PodmanRunsTheLayout) {
  if (!have_tool(first_word(podman_base()))) GTEST_SKIP() << "podman not installed";
  auto r = run_command(podman() + " run " + podman_run_flags() + " 'oci:" + out_.layout.string() +
                       ":" + kTag + "' /busybox cat /etc/hello.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.output.ends_with(kHello)) << r.output;
}

TEST_F(RealTools, PodmanPicksTheHostPlatformFromAMultiPlatformTag) {
  if (!have_tool(first_word(podman_base()))) GTEST_SKIP() << "podman not installed";
  // A second platform entry (same layer, another architecture in its config) that
  // podman must skip in favour of the host's.
  PlatformImage foreign = out_.image;
  foreign.platform =
      platform_for_debian_arch(foreign.platform.architecture == "s390x" ? "amd64" : "s390x")
          .value();
  ImageConfig config;
  config.platform = foreign.platform;
  config.diff_ids = {foreign.layers[0].diff_id};
  foreign.config = make_config_blob(config);
  foreign.manifest = make_manifest_blob(foreign.config, foreign.layers, {});
  auto layout = dir_.path() / "multi-platform";
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, layout, {{kTag, {foreign, out_.image}}}).ok());
  auto r = run_command(podman() + " run " + podman_run_flags() + " 'oci:" + layout.string() + ":" +
                       kTag + "' /busybox cat /etc/hello.txt");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.output.ends_with(kHello)) << r.output;
  if (have_tool("skopeo")) {
    // skopeo reports the index's digest and the host instance's configuration.
    json j = inspect("oci:" + layout.string() + ":" + kTag);
    EXPECT_EQ(j.value("Architecture", ""), out_.image.platform.architecture) << j.dump();
    EXPECT_EQ(j["Layers"], json::array({out_.image.layers[0].digest})) << j.dump();
  }
}

TEST_F(RealTools, PodmanLoadsAndRunsTheDockerArchive) {
  if (!have_tool(first_word(podman_base()))) GTEST_SKIP() << "podman not installed";
  auto load = run_command(podman() + " load -i " + quote(out_.docker_archive));
  ASSERT_EQ(load.status, 0) << load.output;
  EXPECT_NE(load.output.find(kTag), std::string::npos) << load.output;
  // Without arguments the image's own Cmd runs.
  auto r = run_command(podman() + " run " + podman_run_flags() + " " + kTag);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(r.output.ends_with(kHello)) << r.output;
}

TEST_F(RealTools, SameInputsGiveIdenticalOutputs) {
  auto other = make_temp_dir();
  Outputs again = build_outputs(other.path());
  EXPECT_EQ(again.image.manifest.digest(), out_.image.manifest.digest());
  EXPECT_EQ(again.image.layers[0].digest, out_.image.layers[0].digest);
  EXPECT_EQ(fs::read_file(again.layout / "index.json").value(),
            fs::read_file(out_.layout / "index.json").value());
  EXPECT_EQ(sha256_file_hex(again.oci_archive).value(), sha256_file_hex(out_.oci_archive).value());
  EXPECT_EQ(sha256_file_hex(again.docker_archive).value(),
            sha256_file_hex(out_.docker_archive).value());
}
