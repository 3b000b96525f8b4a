// Small helpers shared by the oci unit tests.
#pragma once

#include "support/command.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "oci/layer.h"
#include "oci/tar.h"
#include "util/fs.h"

namespace pare::oci::testing {

class StringSink : public fs::ByteSink {
 public:
  Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  std::string data;
};

struct CommandResult {
  int status = -1;  // as from pclose(): 0 is success
  std::string output;
};

// Runs a shell command, capturing stdout and stderr together.
inline CommandResult run_command(const std::string& cmd) {
  CommandResult r;
  r.output = pare::testing::run_command(cmd + " 2>&1", &r.status);
  return r;
}

inline bool have_tool(const std::string& name) {
  return run_command("command -v " + name + " >/dev/null").status == 0;
}

inline std::string quote(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

inline fs::TempDir make_temp_dir() {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path(), "pare-oci-test");
  EXPECT_TRUE(dir.ok());
  return std::move(dir.value());
}

struct ReadEntry {
  TarHeader header;
  std::string data;
};

inline std::vector<ReadEntry> read_all(std::string_view archive) {
  std::vector<ReadEntry> entries;
  auto r = read_tar(archive, [&](const TarHeader& h, std::string_view data) -> Result<void> {
    entries.push_back({h, std::string(data)});
    return {};
  });
  EXPECT_TRUE(r.ok()) << r.error().message();
  return entries;
}

inline TarHeader file_entry(std::string path, std::string_view data, uint32_t mode = 0644) {
  TarHeader h;
  h.path = std::move(path);
  h.mode = mode;
  h.size = data.size();
  return h;
}

inline TarHeader dir_entry(std::string path, uint32_t mode = 0755) {
  TarHeader h;
  h.path = std::move(path);
  h.type = EntryType::dir;
  h.mode = mode;
  return h;
}

inline TarHeader link_entry(std::string path, std::string target, EntryType type) {
  TarHeader h;
  h.path = std::move(path);
  h.type = type;
  h.mode = 0777;
  h.link = std::move(target);
  return h;
}

// A small layer with a directory and a file, written into `dir`.
inline LayerBlob make_layer(const std::filesystem::path& dir, const std::string& content,
                            Compression kind = Compression::gzip) {
  CompressOptions options;
  options.kind = kind;
  auto writer = LayerWriter::create(dir, options);
  EXPECT_TRUE(writer.ok());
  auto& w = *writer.value();
  EXPECT_TRUE(w.tar().add(dir_entry("etc")).ok());
  EXPECT_TRUE(w.tar().add(file_entry("etc/hello.txt", content), content).ok());
  auto blob = w.finish();
  EXPECT_TRUE(blob.ok()) << blob.error().message();
  return blob.value();
}

}  // namespace pare::oci::testing
