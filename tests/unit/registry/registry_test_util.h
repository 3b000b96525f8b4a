// Shared by the registry unit tests: a temporary OCI layout with made-up images, a fake
// registry, and a RegistryPool wired to it that never sleeps.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/manifest.h"
#include "oci/source.h"
#include "registry/client.h"
#include "support/fake_registry.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::registry::testing {

namespace stdfs = std::filesystem;

class TempLayout {
 public:
  TempLayout() {
    dir_ = stdfs::temp_directory_path() /
           ("pare-reg-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    stdfs::create_directories(dir_ / "blobs/sha256");
  }
  ~TempLayout() { stdfs::remove_all(dir_); }
  const stdfs::path& dir() const { return dir_; }

  oci::Descriptor add_blob(const std::string& bytes, const std::string& media_type) {
    std::string hex = sha256_hex(bytes);
    EXPECT_TRUE(fs::write_file_atomic(dir_ / "blobs/sha256" / hex, bytes).ok());
    return oci::Descriptor{media_type, "sha256:" + hex, bytes.size(), std::nullopt, "", {}};
  }
  // An image manifest with a config and one layer per entry of `layers`; returns its descriptor.
  oci::Descriptor add_image(const std::vector<std::string>& layers,
                            const std::string& arch = "amd64") {
    oci::Manifest m;
    m.media_type = oci::media::kOciManifest;
    m.config =
        add_blob(R"({"architecture":")" + arch + R"(","os":"linux","rootfs":{"diff_ids":[]}})",
                 oci::media::kOciConfig);
    for (const auto& l : layers)
      m.layers.push_back(add_blob(l, "application/vnd.oci.image.layer.v1.tar+gzip"));
    oci::Descriptor d = add_blob(oci::serialize_manifest(m), oci::media::kOciManifest);
    d.platform = oci::Platform{"linux", arch, ""};
    return d;
  }
  oci::Descriptor add_index(const std::vector<oci::Descriptor>& children) {
    oci::Index index;
    index.media_type = oci::media::kOciIndex;
    index.manifests = children;
    return add_blob(oci::serialize_index(index), oci::media::kOciIndex);
  }
  // index.json naming each descriptor with its tag.
  void write_index(const std::vector<std::pair<std::string, oci::Descriptor>>& tags) {
    oci::Index top;
    top.media_type = oci::media::kOciIndex;
    for (auto [tag, d] : tags) {
      d.annotations["org.opencontainers.image.ref.name"] = tag;
      d.platform.reset();
      top.manifests.push_back(d);
    }
    EXPECT_TRUE(fs::write_file_atomic(dir_ / "index.json", oci::serialize_index(top)).ok());
    EXPECT_TRUE(
        fs::write_file_atomic(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})").ok());
  }

 private:
  static int& counter() {
    static int c = 0;
    return c;
  }
  stdfs::path dir_;
};

struct Harness {
  pare::testing::FakeRegistry fake;
  std::vector<std::chrono::milliseconds> sleeps;
  std::unique_ptr<RegistryPool> pool;

  Harness() {
    ClientOptions options;
    options.insecure_registries = {fake.host};
    options.certs_dirs.clear();
    options.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    CredentialEnv env;
    env.getenv = [this](const char* name) -> std::string {
      std::string n = name;
      if (n == "PARE_REGISTRY_USERNAME" && with_credentials) return fake.user;
      if (n == "PARE_REGISTRY_PASSWORD" && with_credentials) return given_password;
      if (n == "PARE_REGISTRY_HOST") return fake.host;
      return "";
    };
    pool = std::make_unique<RegistryPool>(fake, env, options);
  }
  bool with_credentials = true;
  std::string given_password = "p";  // what the user's credentials say (fake.password is right)
};

}  // namespace pare::registry::testing
