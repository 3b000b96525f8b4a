#include "sbom/image_files.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

namespace pare::sbom {

namespace {

constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::string_view kStatusFile = "var/lib/dpkg/status";
constexpr std::string_view kApkDb = "lib/apk/db/installed";
constexpr std::string_view kDocDir = "usr/share/doc/";

std::string archive_error(struct archive* a) {
  return archive_error_string(a) ? archive_error_string(a) : "unreadable";
}

std::string normal_path(const char* raw) {
  std::string path = raw ? raw : "";
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

Result<std::string> read_entry(struct archive* a, uint64_t limit, const std::string& path) {
  std::string out;
  char buf[1 << 16];
  for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) != 0;) {
    if (n < 0) return Error(Errc::invalid, path + ": " + archive_error(a));
    if (out.size() + static_cast<uint64_t>(n) > limit)
      return Error(Errc::invalid, path + ": larger than " + std::to_string(limit >> 20) + " MiB");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<LayerFiles> read_layer_files(const std::filesystem::path& layer, const PathFilter& wanted,
                                    uint64_t limit) {
  struct archive* a = archive_read_new();
  std::unique_ptr<struct archive, decltype(&archive_read_free)> guard(a, archive_read_free);
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, layer.c_str(), 1 << 16) != ARCHIVE_OK)
    return Error(Errc::invalid, "cannot read the layer: " + archive_error(a));
  LayerFiles out;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) return out;
    if (rc < ARCHIVE_WARN)
      return Error(Errc::invalid, "not a readable tar layer: " + archive_error(a));
    std::string path = normal_path(archive_entry_pathname(entry));
    std::string dir = path.substr(0, path.rfind('/') + 1);
    std::string base = path.substr(dir.size());
    if (base == ".wh..wh..opq") {
      out.opaque_dirs.push_back(dir);
    } else if (base.rfind(".wh.", 0) == 0) {
      out.removed.push_back(dir + base.substr(4));
    } else if (archive_entry_filetype(entry) == AE_IFREG && wanted(path)) {
      PARE_TRY(out.files[path], read_entry(a, limit, path));
    } else if (archive_entry_filetype(entry) == AE_IFDIR) {
      out.replaced.push_back(path);  // a directory merges with one below; it replaces a file
    } else {
      out.removed.push_back(path);  // a link or an unwanted file now stands there
      out.files.erase(path);
    }
  }
}

void apply_layer_files(const LayerFiles& layer, std::map<std::string, std::string>& files) {
  // Whiteouts hide what the layers below put there; the layer's own entries then land.
  auto erase_under = [&](const std::string& prefix) {
    for (auto it = files.lower_bound(prefix); it != files.end() && it->first.rfind(prefix, 0) == 0;)
      it = files.erase(it);
  };
  for (const auto& dir : layer.opaque_dirs) erase_under(dir);
  for (const auto& gone : layer.removed) {
    files.erase(gone);
    erase_under(gone + "/");
  }
  for (const auto& dir : layer.replaced) files.erase(dir);
  for (const auto& [path, content] : layer.files) files[path] = content;
}

namespace {

std::string os_release_value(const std::string& text, const std::string& key) {
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? nl : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind(key + "=", 0) != 0) continue;
    std::string v = line.substr(key.size() + 1);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
      v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

bool is_status_d_entry(const std::string& path) {
  if (path.rfind(kStatusDir, 0) != 0 || path.size() == kStatusDir.size()) return false;
  std::string name = path.substr(kStatusDir.size());
  return name.find('/') == std::string::npos &&
         !(name.size() > 8 && name.compare(name.size() - 8, 8, ".md5sums") == 0);
}

}  // namespace

bool is_metadata_path(const std::string& path) {
  if (is_status_d_entry(path) || path == kStatusFile || path == kApkDb) return true;
  if (path == "etc/os-release" || path == "usr/lib/os-release" || path == "etc/debian_version")
    return true;
  // usr/share/doc/<package>/copyright
  if (path.rfind(kDocDir, 0) == 0) {
    std::string rest = path.substr(kDocDir.size());
    auto slash = rest.find('/');
    return slash != std::string::npos && rest.substr(slash + 1) == "copyright";
  }
  return false;
}

Result<std::map<std::string, std::string>> read_image_files(
    const std::vector<std::filesystem::path>& layer_files, const PathFilter& wanted,
    uint64_t max_file_bytes) {
  std::map<std::string, std::string> files;
  for (const auto& layer : layer_files) {
    auto r = read_layer_files(layer, wanted, max_file_bytes);
    if (!r.ok()) return r.error().context(layer.filename().string());
    apply_layer_files(*r, files);
  }
  return files;
}

Result<ImageContents> describe_files(const std::map<std::string, std::string>& files) {
  ImageContents out;
  std::map<std::string, PackageRecord> packages;
  for (const auto& [path, text] : files) {
    if (is_status_d_entry(path) || path == kStatusFile) {
      PARE_TRY(auto records, parse_dpkg_records(text, path));
      for (auto& r : records) packages[r.name] = std::move(r);
    } else if (path == kApkDb) {
      PARE_TRY(auto records, parse_apk_installed(text, path));
      for (auto& r : records) packages[r.name] = std::move(r);
    }
  }
  for (auto& [name, p] : packages) {
    if (p.kind != PackageKind::deb) continue;
    auto copyright = files.find(std::string(kDocDir) + name + "/copyright");
    if (copyright == files.end()) continue;
    if (auto licences = dep5_licenses(copyright->second)) p.licenses = *licences;
  }
  auto release = files.find("etc/os-release");
  if (release == files.end()) release = files.find("usr/lib/os-release");
  if (release != files.end()) {
    out.os_known = true;
    out.os.id = os_release_value(release->second, "ID");
    out.os.version_id = os_release_value(release->second, "VERSION_ID");
    std::string pretty = os_release_value(release->second, "PRETTY_NAME");
    out.os.name = pretty.empty() ? os_release_value(release->second, "NAME") : pretty;
  }
  // Debian's point release ("12.8") is in debian_version, not in os-release.
  if (auto dv = files.find("etc/debian_version"); dv != files.end()) {
    std::string v = dv->second.substr(0, dv->second.find('\n'));
    if (!v.empty() && std::isdigit(static_cast<unsigned char>(v.front()))) out.os.version = v;
    if (out.os.id.empty()) out.os.id = "debian";
  }
  for (auto& [name, p] : packages) out.packages.push_back(std::move(p));
  return out;
}

}  // namespace pare::sbom
