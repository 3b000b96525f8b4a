// auto-deps' view of an app level: every path the level adds, and every ELF file read from the
// bytes the layer will hold, including those inside an `extract: true` tarball.
#include "build/app_deps.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "oci/tar.h"
#include "spec/spec.h"
#include "support/deb_builder.h"
#include "util/fs.h"

namespace pare::build {
namespace {

namespace stdfs = std::filesystem;
using pare::testing::TempTree;

// A tar of (path, content) files, plain.
void write_tar(const stdfs::path& file,
               const std::vector<std::pair<std::string, std::string>>& files) {
  auto out = fs::AtomicFile::create(file);
  ASSERT_TRUE(out.ok());
  oci::TarWriter tar(&*out);
  for (const auto& [path, content] : files) {
    oci::TarHeader h;
    h.path = path;
    h.size = content.size();
    h.mode = 0755;
    ASSERT_TRUE(tar.add(h, content).ok());
  }
  ASSERT_TRUE(tar.finish().ok());
  ASSERT_TRUE(out->commit().ok());
}

TEST(AppFiles, ElfFilesInsideAnExtractedTarballAreRead) {
  TempTree tmp;
  // The test binary itself: an ELF file for this machine.
  std::string elf = fs::read_file("/proc/self/exe").value();
  write_tar(tmp / "app.tar", {{"bin/server", elf}, {"share/readme.txt", "hello"}});
  ASSERT_TRUE(fs::write_file_atomic(tmp / "plain-tool", elf).ok());
  ASSERT_TRUE(
      fs::write_file_atomic(tmp / "app.yaml", R"(source: {suite: bookworm, components: [main]}
archs: [amd64]
auto-deps: true
files:
  - {src: app.tar, dest: /opt/app, extract: true}
  - {src: plain-tool, dest: /usr/local/bin/tool}
)")
          .ok());
  spec::LoadOptions options;
  auto spec = spec::load_spec(tmp / "app.yaml", options);
  ASSERT_TRUE(spec.ok()) << spec.error().message();
  auto files = level_app_files(*spec, spec->levels.back());
  ASSERT_TRUE(files.ok()) << files.error().message();
  std::vector<std::string> elf_paths;
  for (const auto& f : files->elf) elf_paths.push_back(f.path);
  EXPECT_EQ(elf_paths, (std::vector<std::string>{"/opt/app/bin/server", "/usr/local/bin/tool"}));
  const auto& all = files->all_paths;
  EXPECT_NE(std::find(all.begin(), all.end(), "/opt/app/share/readme.txt"), all.end());
  EXPECT_EQ(std::find(all.begin(), all.end(), "/opt/app/app.tar"), all.end())
      << "the tarball itself is not in the image";
  ASSERT_EQ(files->elf_sha256.size(), 2u);
  EXPECT_EQ(files->elf_sha256[0], files->elf_sha256[1]) << "the same bytes, hashed alike";

  // A file inside the tarball that starts like ELF but is not one: one error naming both.
  write_tar(tmp / "app.tar", {{"bin/broken",
                               "\x7f"
                               "ELF and nothing else"}});
  auto broken = level_app_files(*spec, spec->levels.back());
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("app.tar (opt/app/bin/broken) is not a readable ELF"),
            std::string::npos)
      << broken.error().message();
}

}  // namespace
}  // namespace pare::build
