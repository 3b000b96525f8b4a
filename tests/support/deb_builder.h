// Test helpers for building real Debian packages and package indexes
// (header-only; shared by the deb, rootfs and build unit tests).
//
//   pare::testing::TempTree dir;                       // removed on destruction
//   auto deb = pare::testing::DebBuilder("hello", "1.0")
//                  .file("usr/bin/hello", "#!/bin/sh\n", 0755)
//                  .symlink("usr/bin/hi", "hello")
//                  .build(dir.path());                 // runs dpkg-deb --build
//
// Packages are built by the real dpkg-deb (--root-owner-group, so every entry
// is owned by 0:0) from a staging tree, so the .deb is exactly what Debian's
// tools produce. Building throws std::runtime_error on failure (test code only).
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "oci/tar.h"
#include "rootfs/unpack.h"

namespace pare::testing {

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempTree {
 public:
  explicit TempTree(std::string_view prefix = "pare-test") {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempTree() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& p, std::string_view bytes) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a /bin/sh command, returning its output (stdout and stderr) and exit status.
inline std::pair<int, std::string> run_capture(const std::string& cmd) {
  std::string output;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, ""};
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline void run_or_throw(const std::string& cmd) {
  auto [rc, out] = run_capture(cmd);
  if (rc != 0)
    throw std::runtime_error("command failed (" + std::to_string(rc) + "): " + cmd + "\n" + out);
}

// Builds one .deb with dpkg-deb from files described in code.
class DebBuilder {
 public:
  explicit DebBuilder(std::string name, std::string version = "1.0", std::string arch = "amd64")
      : name_(std::move(name)), version_(std::move(version)), arch_(std::move(arch)) {}

  // An extra control field ("Depends", "Multi-Arch", ...); replaces one set before.
  DebBuilder& field(const std::string& key, const std::string& value) {
    fields_[key] = value;
    return *this;
  }
  DebBuilder& file(const std::string& path, const std::string& content, unsigned mode = 0644) {
    items_.push_back({Kind::file, path, content, mode});
    return *this;
  }
  DebBuilder& dir(const std::string& path, unsigned mode = 0755) {
    items_.push_back({Kind::dir, path, "", mode});
    return *this;
  }
  DebBuilder& symlink(const std::string& path, const std::string& target) {
    items_.push_back({Kind::symlink, path, target, 0777});
    return *this;
  }
  // A second name for the already added file `target` (tar stores the
  // path that sorts first as the file and the others as hardlinks to it).
  DebBuilder& hardlink(const std::string& path, const std::string& target) {
    items_.push_back({Kind::hardlink, path, target, 0});
    return *this;
  }
  // Write DEBIAN/md5sums for the regular files (as dh_md5sums does).
  DebBuilder& md5sums(bool on = true) {
    md5sums_ = on;
    return *this;
  }
  DebBuilder& conffiles(const std::string& text) {
    conffiles_ = text;
    return *this;
  }
  // "xz", "gzip", "zstd" or "none".
  DebBuilder& compression(const std::string& c) {
    compression_ = c;
    return *this;
  }

  std::string control() const {
    std::string c = "Package: " + name_ + "\nVersion: " + version_ + "\nArchitecture: " + arch_ +
                    "\nMaintainer: pare tests <tests@pare.invalid>\n";
    for (const auto& [k, v] : fields_) c += k + ": " + v + "\n";
    if (!fields_.count("Description")) c += "Description: test package " + name_ + "\n";
    return c;
  }

  // Builds <out_dir>/<name>_<version>_<arch>.deb and returns its path.
  std::filesystem::path build(const std::filesystem::path& out_dir) const {
    namespace stdfs = std::filesystem;
    stdfs::path root = out_dir / (".stage-" + name_ + "-" + std::to_string(counter()++));
    stdfs::remove_all(root);
    stdfs::create_directories(root / "DEBIAN");
    write_text(root / "DEBIAN/control", control());
    for (const auto& it : items_) stage(root, it);
    if (md5sums_)
      run_or_throw(
          "cd " + shell_quote(root.string()) +
          " && find . -path ./DEBIAN -prune -o -type f -print | LC_ALL=C sort | "
          "sed 's|^\\./||' | while IFS= read -r f; do md5sum \"$f\"; done > DEBIAN/md5sums");
    if (!conffiles_.empty()) write_text(root / "DEBIAN/conffiles", conffiles_);
    stdfs::path deb = out_dir / (name_ + "_" + version_ + "_" + arch_ + ".deb");
    run_or_throw("dpkg-deb --root-owner-group -Z" + compression_ + " --build " +
                 shell_quote(root.string()) + " " + shell_quote(deb.string()) + " >/dev/null");
    stdfs::remove_all(root);
    return deb;
  }

  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }

 private:
  enum class Kind { file, dir, symlink, hardlink };
  struct Item {
    Kind kind;
    std::string path, content;
    unsigned mode;
  };

  static int& counter() {
    static int n = 0;
    return n;
  }

  static void stage(const std::filesystem::path& root, const Item& it) {
    namespace stdfs = std::filesystem;
    stdfs::path p = root / it.path;
    stdfs::create_directories(p.parent_path());
    switch (it.kind) {
      case Kind::file:
        write_text(p, it.content);
        ::chmod(p.c_str(), it.mode);
        break;
      case Kind::dir:
        stdfs::create_directories(p);
        ::chmod(p.c_str(), it.mode);
        break;
      case Kind::symlink:
        stdfs::create_symlink(it.content, p);
        break;
      case Kind::hardlink:
        stdfs::create_hard_link(root / it.content, p);
        break;
    }
  }

  std::string name_, version_, arch_;
  std::map<std::string, std::string> fields_;
  std::vector<Item> items_;
  bool md5sums_ = false;
  std::string conffiles_;
  std::string compression_ = "xz";
};

// One stanza of a Packages index (deb822), with the fields the resolver
// needs; `extra` is appended as written ("Depends: b (>= 1)\n...").
inline std::string packages_stanza(const std::string& name, const std::string& version,
                                   const std::string& extra = "",
                                   const std::string& arch = "amd64") {
  // A fake but well-formed SHA-256 derived from the name and version.
  std::string sum;
  std::string seed = name + "_" + version;
  for (size_t i = 0; sum.size() < 64; ++i)
    sum += "0123456789abcdef"[(static_cast<unsigned char>(seed[i % seed.size()]) + i * 7) % 16];
  std::string s = "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch +
                  "\nFilename: pool/main/" + name.substr(0, 1) + "/" + name + "/" + name + "_" +
                  version + "_" + arch + ".deb\nSize: 1000\nInstalled-Size: 4\nSHA256: " + sum +
                  "\n";
  s += extra;
  if (!extra.empty() && extra.back() != '\n') s += "\n";
  return s + "\n";
}

// One entry of a hand-made unpacked package (see make_unpacked).
struct FakeEntry {
  oci::TarHeader header;
  std::string content;  // files only; header.size is set from it
};

inline FakeEntry fake_file(std::string path, std::string content, uint32_t mode = 0644) {
  FakeEntry e;
  e.header.path = std::move(path);
  e.header.type = oci::EntryType::file;
  e.header.mode = mode;
  e.content = std::move(content);
  return e;
}
inline FakeEntry fake_dir(std::string path, uint32_t mode = 0755) {
  FakeEntry e;
  e.header.path = std::move(path);
  e.header.type = oci::EntryType::dir;
  e.header.mode = mode;
  return e;
}
inline FakeEntry fake_symlink(std::string path, std::string target) {
  FakeEntry e;
  e.header.path = std::move(path);
  e.header.type = oci::EntryType::symlink;
  e.header.mode = 0777;
  e.header.link = std::move(target);
  return e;
}
inline FakeEntry fake_hardlink(std::string path, std::string target, uint32_t mode = 0644) {
  FakeEntry e;
  e.header.path = std::move(path);
  e.header.type = oci::EntryType::hardlink;
  e.header.mode = mode;
  e.header.link = std::move(target);
  return e;
}

// An UnpackedPackage with exactly these entries (in this order, which need
// not be one dpkg-deb would produce), written in the unpacked-cache format
// under `dir` and loaded from there. Throws on failure (test code only).
inline std::unique_ptr<rootfs::UnpackedPackage> make_unpacked(
    const std::filesystem::path& dir, const std::string& name,
    const std::vector<FakeEntry>& entries, const std::string& md5sums = "",
    const std::string& extra_control = "") {
  std::vector<rootfs::UnpackedEntry> index;
  std::string data;
  for (const auto& f : entries) {
    rootfs::UnpackedEntry e{f.header, 0};
    if (f.header.type == oci::EntryType::file) {
      e.offset = data.size();
      e.header.size = f.content.size();
      data += f.content;
    }
    index.push_back(std::move(e));
  }
  std::filesystem::create_directories(dir);
  write_text(dir / "data", data);
  auto written = rootfs::write_unpacked_metadata(
      dir, index, "Package: " + name + "\nVersion: 1.0\nArchitecture: amd64\n" + extra_control,
      md5sums);
  if (!written.ok()) throw std::runtime_error("make_unpacked: " + written.error().message());
  auto loaded = rootfs::UnpackedPackage::load(dir);
  if (!loaded.ok()) throw std::runtime_error("make_unpacked: " + loaded.error().message());
  return std::move(loaded.value());
}

}  // namespace pare::testing
