// build/base.h: the packages a base image's layers record (status.d as distroless writes
// it, the dpkg status database of Debian images), with whiteouts applied bottom up.
#include "build/base.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "oci/tar.h"
#include "util/compress.h"
#include "util/fs.h"

namespace pare::build {
namespace {

namespace stdfs = std::filesystem;

class Layers {
 public:
  Layers() {
    dir_ = stdfs::temp_directory_path() / ("pare-base-test-" + std::to_string(::getpid()));
    stdfs::create_directories(dir_);
  }
  ~Layers() { stdfs::remove_all(dir_); }
  // A layer of (path, content) files; gzip-compressed when `gzip`.
  void add(const std::vector<std::pair<std::string, std::string>>& files, bool gzip = false) {
    stdfs::path file = dir_ / ("layer" + std::to_string(layers.size()));
    auto out = fs::AtomicFile::create(file);
    ASSERT_TRUE(out.ok());
    std::unique_ptr<CompressingSink> z;
    fs::ByteSink* sink = &*out;
    if (gzip) {
      CompressOptions o;
      o.kind = Compression::gzip;
      z = CompressingSink::make(o, &*out);
      sink = z.get();
    }
    oci::TarWriter tar(sink);
    for (const auto& [path, content] : files) {
      oci::TarHeader h;
      h.path = path;
      h.size = content.size();
      ASSERT_TRUE(tar.add(h, content).ok());
    }
    ASSERT_TRUE(tar.finish().ok());
    if (z) {
      ASSERT_TRUE(z->finish().ok());
    }
    ASSERT_TRUE(out->commit().ok());
    oci::LayerBlob blob;
    blob.file = file;
    blob.media_type = gzip ? "application/vnd.oci.image.layer.v1.tar+gzip"
                           : "application/vnd.oci.image.layer.v1.tar";
    layers.push_back(blob);
  }
  std::vector<oci::LayerBlob> layers;

 private:
  stdfs::path dir_;
};

std::string names(const std::vector<deb::PackageInfo>& packages) {
  std::string out;
  for (const auto& p : packages) out += (out.empty() ? "" : " ") + p.name + "=" + p.version;
  return out;
}

TEST(BasePackages, StatusDirWithWhiteoutsAndMd5sums) {
  Layers l;
  l.add({{"var/lib/dpkg/status.d/libc6", "Package: libc6\nVersion: 2.36-9\nArchitecture: amd64\n"},
         {"var/lib/dpkg/status.d/libc6.md5sums", "0123  usr/lib/libc.so.6\n"},
         {"var/lib/dpkg/status.d/tzdata", "Package: tzdata\nVersion: 2024a\nArchitecture: all\n"}},
        true);
  l.add({{"var/lib/dpkg/status.d/.wh.tzdata", ""},
         {"var/lib/dpkg/status.d/python3.11", "Package: python3.11\nVersion: 3.11.2-6\n"}});
  auto p = installed_packages(l.layers);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(names(*p), "libc6=2.36-9 python3.11=3.11.2-6");
  EXPECT_EQ((*p)[0].arch, "amd64");
}

TEST(BasePackages, DpkgStatusSkipsWhatIsNotInstalled) {
  Layers l;
  l.add({{"var/lib/dpkg/status",
          "Package: bash\nStatus: install ok installed\nVersion: 5.2-2\n\n"
          "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n\n"
          "Package: never\nStatus: purge ok not-installed\nVersion: 1\n"}});
  auto p = installed_packages(l.layers);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(names(*p), "bash=5.2-2");
}

TEST(BasePackages, OpaqueDirectoryDropsLowerEntries) {
  Layers l;
  l.add({{"var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n"}});
  l.add({{"var/lib/dpkg/status.d/.wh..wh..opq", ""},
         {"var/lib/dpkg/status.d/b", "Package: b\nVersion: 2\n"}});
  auto p = installed_packages(l.layers);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(names(*p), "b=2");
}

TEST(BasePackages, MalformedRecordIsAnErrorNamingTheFile) {
  Layers l;
  l.add({{"var/lib/dpkg/status.d/x", "no colon here\n"}});
  auto p = installed_packages(l.layers);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("status.d/x"), std::string::npos) << p.error().message();
}

}  // namespace
}  // namespace pare::build
