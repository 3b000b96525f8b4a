// Small helpers shared by the deb unit tests: temporary directories, running
// shell commands, compressing with the real command-line tools.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pare::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pare-deb-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::filesystem::path& p, std::string_view bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Run a /bin/sh command; returns its exit status (-1 if it did not exit normally).
inline int run_shell(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

inline bool have_program(const char* name) {
  return run_shell(std::string("command -v ") + name + " >/dev/null 2>&1") == 0;
}

// Compress `data` with a command-line tool ("xz", "gzip -n", "zstd -q", "bzip2").
inline std::string compress_with(const std::string& tool, std::string_view data) {
  ScratchDir dir;
  write_bytes(dir / "in", data);
  std::string cmd =
      tool + " -c < '" + (dir / "in").string() + "' > '" + (dir / "out").string() + "'";
  if (run_shell(cmd) != 0) throw std::runtime_error("command failed: " + cmd);
  return read_bytes(dir / "out");
}

}  // namespace pare::testing
