#include "sbom/image_files.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>

#include "util/log.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

constexpr std::string_view kStatusDir = "var/lib/dpkg/status.d/";
constexpr std::string_view kStatusFile = "var/lib/dpkg/status";
constexpr std::string_view kApkDb = "lib/apk/db/installed";
constexpr std::string_view kDocDir = "usr/share/doc/";
// Bounds on what one layer may make pare hold (PATH_MAX is 4096 on Linux: a runtime could not
// create a longer path either).
constexpr size_t kMaxPathBytes = 4096;
constexpr uint64_t kMaxEntries = 2'000'000;
constexpr uint64_t kKeyScanBytes = 64 << 10;

std::string archive_error(struct archive* a) {
  return archive_error_string(a) ? archive_error_string(a) : "unreadable";
}

bool is_whiteout(const std::string& path) {
  return path.compare(path.rfind('/') + 1, 4, ".wh.") == 0;
}

// A layer entry's path as a runtime applies it (containerd cleans it and keeps it under the
// root): empty and "." components dropped, ".." going up but never above the root.
std::string normal_path(const char* raw) {
  std::string_view in = raw ? raw : "";
  std::vector<std::string_view> parts;
  for (size_t start = 0; start <= in.size();) {
    size_t slash = std::min(in.find('/', start), in.size());
    std::string_view part = in.substr(start, slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = slash + 1;
  }
  std::string path;
  for (auto part : parts) (path.empty() ? path : path += '/') += part;
  return path;
}

FileEntry entry_of(struct archive_entry* entry, size_t layer) {
  FileEntry e;
  e.layer = layer;
  e.mode = static_cast<uint32_t>(archive_entry_perm(entry)) & 07777;
  e.uid = static_cast<uint32_t>(archive_entry_uid(entry));
  e.gid = static_cast<uint32_t>(archive_entry_gid(entry));
  if (const char* hard = archive_entry_hardlink(entry)) {
    e.type = FileEntry::Type::hardlink;
    e.link = normal_path(hard);
    return e;
  }
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
      e.type = FileEntry::Type::file;
      e.size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(entry)));
      break;
    case AE_IFDIR:
      e.type = FileEntry::Type::dir;
      break;
    case AE_IFLNK:
      e.type = FileEntry::Type::symlink;
      e.link = archive_entry_symlink(entry) ? archive_entry_symlink(entry) : "";
      break;
    default:
      e.type = FileEntry::Type::other;
  }
  return e;
}

// Reads the entry's data, keeping its first `limit` bytes and/or hashing all of it (streamed).
// Returns whether what was kept is the whole file.
Result<bool> read_data(struct archive* a, const std::string& path, bool keep, bool hash,
                       uint64_t limit, std::string& kept, std::string& digest) {
  Sha256 sha;
  bool whole = true;
  char buf[1 << 16];
  for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) != 0;) {
    if (n < 0) return Error(Errc::invalid, path + ": " + archive_error(a));
    std::string_view chunk(buf, static_cast<size_t>(n));
    if (hash) sha.update(chunk);
    if (!keep || !whole) continue;
    if (kept.size() + chunk.size() > limit) {
      kept.append(chunk.substr(0, limit - kept.size()));
      whole = false;
      if (!hash) break;
      continue;
    }
    kept.append(chunk);
  }
  if (hash) digest = sha.hex_digest();
  return whole;
}

// The layer's bytes as libarchive reads them, hashed on the way: the blob's digest is checked
// on the very bytes the entries come from, so a damaged cache blob or a layout blob changed on
// disk is refused, never read as if it were the image.
struct HashedFile {
  std::FILE* file = nullptr;
  Sha256 sha;
  char buf[1 << 16];
  ~HashedFile() {
    if (file) std::fclose(file);
  }
};

la_ssize_t hashed_read(struct archive*, void* data, const void** out) {
  auto* h = static_cast<HashedFile*>(data);
  size_t n = std::fread(h->buf, 1, sizeof h->buf, h->file);
  if (n == 0 && std::ferror(h->file)) return -1;
  h->sha.update(std::string_view(h->buf, n));
  *out = h->buf;
  return static_cast<la_ssize_t>(n);
}

Result<void> digest_matches(const LayerRef& layer, const std::string& hex) {
  if ("sha256:" + hex != layer.digest)
    return Error(Errc::integrity, "layer blob " + layer.digest + " (" + layer.file.string() +
                                      ") hashes to sha256:" + hex + ": damaged or changed");
  return {};
}

// The rest of the file (libarchive stops at the tar end marker), then the digest compared.
Result<void> finish_digest(HashedFile& h, const LayerRef& layer) {
  for (size_t n; (n = std::fread(h.buf, 1, sizeof h.buf, h.file)) > 0;)
    h.sha.update(std::string_view(h.buf, n));
  if (std::ferror(h.file)) return Error(Errc::io, layer.file.string() + ": read error");
  return digest_matches(layer, h.sha.hex_digest());
}

Result<void> read_entries(struct archive* a, const ReadOptions& options, size_t layer_index,
                          LayerFiles& out);

}  // namespace

Result<LayerFiles> read_layer(const LayerRef& layer, const ReadOptions& options,
                              size_t layer_index) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(layer.file, ec))
    return Error(Errc::invalid, layer.file.string() + ": not a regular file");
  if (!layer.digest.empty() && layer.digest.rfind("sha256:", 0) != 0)
    return Error(Errc::invalid, "layer " + layer.digest + ": only sha256 digests are checked");
  HashedFile hashed;
  hashed.file = std::fopen(layer.file.c_str(), "rb");
  if (!hashed.file) return Error(Errc::io, layer.file.string() + ": cannot open");
  struct archive* a = archive_read_new();
  std::unique_ptr<struct archive, decltype(&archive_read_free)> guard(a, archive_read_free);
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  LayerFiles out;
  Result<void> read = archive_read_open(a, &hashed, nullptr, hashed_read, nullptr) == ARCHIVE_OK
                          ? read_entries(a, options, layer_index, out)
                          : Error(Errc::invalid, "cannot read the layer: " + archive_error(a));
  // A damaged blob shows as a digest mismatch first, whatever libarchive made of it.
  if (!layer.digest.empty()) PARE_CHECK(finish_digest(hashed, layer));
  if (!read.ok()) return read.error();
  return out;
}

Result<void> check_layer_blob(const LayerRef& layer) {
  if (layer.digest.empty()) return {};
  PARE_TRY(std::string hex, sha256_file_hex(layer.file));
  return digest_matches(layer, hex);
}

namespace {

Result<void> read_entries(struct archive* a, const ReadOptions& options, size_t layer_index,
                          LayerFiles& out) {
  uint64_t total = 0, entries = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) return {};
    if (rc < ARCHIVE_WARN)
      return Error(Errc::invalid, "not a readable tar layer: " + archive_error(a));
    const char* raw = archive_entry_pathname(entry);
    if (raw && std::strlen(raw) > kMaxPathBytes)
      return Error(Errc::invalid,
                   "an entry's path is longer than " + std::to_string(kMaxPathBytes) + " bytes");
    if (++entries > kMaxEntries)
      return Error(Errc::invalid, "more than " + std::to_string(kMaxEntries) + " entries");
    std::string path = normal_path(raw);
    if (path.empty()) continue;  // the root directory itself
    FileEntry e = entry_of(entry, layer_index);
    if (e.link.size() > kMaxPathBytes)
      return Error(Errc::invalid, "/" + path + ": a link target longer than " +
                                      std::to_string(kMaxPathBytes) + " bytes");
    bool wanted = options.content && options.content(path);
    std::optional<std::string> kept;
    if (e.type == FileEntry::Type::file && !is_whiteout(path)) {
      bool hash = options.digest && options.digest(path);
      if (wanted || hash) {
        // A key candidate is scanned, not read: its first bytes are kept whatever its size.
        bool scan = is_key_candidate(path);
        uint64_t limit =
            scan ? std::min(options.max_file_bytes, kKeyScanBytes) : options.max_file_bytes;
        std::string bytes;
        PARE_TRY(bool whole, read_data(a, path, wanted, hash, limit, bytes, e.sha256));
        if (wanted && !whole && !scan) {
          PARE_LOG(warn) << "/" << path << ": larger than " << limit
                         << " bytes: not read as package metadata";
          wanted = false;
        } else if (wanted) {
          total += bytes.size();
          if (total > options.max_total_bytes)
            return Error(Errc::invalid, "the layer's metadata files exceed " +
                                            std::to_string(options.max_total_bytes >> 20) + " MiB");
          kept = std::move(bytes);
        }
      }
    }
    add_layer_entry(out, path, std::move(e), wanted, kept ? &*kept : nullptr, options.entries);
  }
}

}  // namespace

void add_layer_entry(LayerFiles& out, const std::string& path, FileEntry e, bool wanted,
                     const std::string* content, bool keep_entry) {
  std::string dir = path.substr(0, path.rfind('/') + 1);
  std::string base = path.substr(dir.size());
  if (base == ".wh..wh..opq") {
    out.opaque_dirs.push_back(dir);
    return;
  }
  if (base.rfind(".wh.", 0) == 0) {
    out.removed.push_back(dir + base.substr(4));
    return;
  }
  if (e.type == FileEntry::Type::file) {
    if (wanted && content) out.files[path] = *content;
    if (!wanted) {
      out.removed.push_back(path);  // an unwanted file hides a wanted one below
      out.files.erase(path);
    }
  } else if (e.type == FileEntry::Type::hardlink && wanted &&
             out.files.count(e.link)) {  // a hardlink names a file earlier in its layer
    out.files[path] = out.files[e.link];
  } else if (e.type == FileEntry::Type::dir) {
    out.replaced.push_back(path);  // a directory merges with one below; it replaces a file
  } else {
    out.removed.push_back(path);  // a link or an unwanted file now stands there
    out.files.erase(path);
  }
  // Within one layer the last entry wins as on disk: a non-directory takes the place of what
  // the layer put below that path, and an entry below a non-directory replaces it with a
  // directory.
  if (e.type != FileEntry::Type::dir) {
    std::string below = path + "/";
    for (auto it = out.entries.lower_bound(below);
         it != out.entries.end() && it->first.compare(0, below.size(), below) == 0;)
      it = out.entries.erase(it);
    for (auto it = out.files.lower_bound(below);
         it != out.files.end() && it->first.compare(0, below.size(), below) == 0;)
      it = out.files.erase(it);
  }
  for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
    if (auto it = out.entries.find(path.substr(0, slash));
        it != out.entries.end() && it->second.type != FileEntry::Type::dir) {
      out.entries.erase(it);
      out.files.erase(path.substr(0, slash));
    }
  if (keep_entry) out.entries[path] = std::move(e);
}

Result<LayerFiles> read_layer_files(const LayerRef& layer, const PathFilter& wanted,
                                    uint64_t limit) {
  ReadOptions options;
  options.content = wanted;
  options.max_file_bytes = limit;
  return read_layer(layer, options);
}

namespace {

template <typename Map>
void erase_under(Map& map, const std::string& prefix) {
  for (auto it = map.lower_bound(prefix); it != map.end() && it->first.rfind(prefix, 0) == 0;)
    it = map.erase(it);
}

template <typename Map>
void apply_whiteouts(const LayerFiles& layer, Map& map) {
  // Whiteouts hide what the layers below put there; the layer's own entries then land.
  for (const auto& dir : layer.opaque_dirs) erase_under(map, dir);
  for (const auto& gone : layer.removed) {
    map.erase(gone);
    erase_under(map, gone + "/");
  }
}

}  // namespace

void apply_layer_files(const LayerFiles& layer, std::map<std::string, std::string>& files) {
  apply_whiteouts(layer, files);
  for (const auto& dir : layer.replaced) files.erase(dir);
  for (const auto& [path, content] : layer.files) {
    erase_under(files, path + "/");  // a file where a directory was replaces all of it
    files[path] = content;
  }
}

void apply_layer(const LayerFiles& layer, FlatImage& image) {
  apply_layer_files(layer, image.files);
  apply_whiteouts(layer, image.entries);
  for (const auto& [path, e] : layer.entries) {
    if (e.type != FileEntry::Type::dir) erase_under(image.entries, path + "/");
    image.entries[path] = e;
  }
}

Result<FlatImage> read_flat_image(const std::vector<LayerRef>& layers, const ReadOptions& options) {
  FlatImage image;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto r = read_layer(layers[i], options, i);
    if (!r.ok()) return r.error().context("layer " + std::to_string(i));
    apply_layer(*r, image);
  }
  return image;
}

std::vector<LayerRef> layer_refs(const oci::ImageOnDisk& image) {
  std::vector<LayerRef> out;
  for (size_t i = 0; i < image.layer_files.size(); ++i)
    out.push_back({image.layer_files[i],
                   i < image.manifest.layers.size() ? image.manifest.layers[i].digest : ""});
  return out;
}

std::string resolve_path(const std::map<std::string, FileEntry>& entries, const std::string& path,
                         bool follow_last) {
  // Components still to walk, the next one last (a stack: links push their target's parts);
  // `done` is the resolved prefix. Bounded: 40 links, and kMaxWalk components in all.
  constexpr size_t kMaxWalk = 1 << 16;
  std::vector<std::string> todo;
  size_t walked = 0;
  auto push = [&](const std::string& p) {
    std::vector<std::string> parts;
    for (size_t start = 0; start <= p.size();) {
      size_t slash = std::min(p.find('/', start), p.size());
      if (slash > start) parts.push_back(p.substr(start, slash - start));
      start = slash + 1;
    }
    walked += parts.size();
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
  };
  push(path);
  std::string done;
  for (int hops = 0; !todo.empty();) {
    if (walked > kMaxWalk) return "";
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == ".") continue;
    if (part == "..") {
      size_t slash = done.rfind('/');
      done = slash == std::string::npos ? "" : done.substr(0, slash);
      continue;
    }
    std::string next = done.empty() ? part : done + "/" + part;
    auto it = entries.find(next);
    if (it == entries.end()) {
      // A directory the layers imply (entries below it) but never list is still a directory.
      auto below = entries.lower_bound(next + "/");
      if (below == entries.end() || below->first.compare(0, next.size() + 1, next + "/") != 0)
        return "";
      done = next;
      continue;
    }
    bool last = todo.empty();
    const FileEntry& e = it->second;
    if ((e.type == FileEntry::Type::symlink && (!last || follow_last)) ||
        (e.type == FileEntry::Type::hardlink && last && follow_last)) {
      if (++hops > 40) return "";
      // A hardlink names a path from the root; so does an absolute symlink.
      if (e.type == FileEntry::Type::hardlink || (!e.link.empty() && e.link.front() == '/'))
        done.clear();
      push(e.link);
      continue;
    }
    done = next;
  }
  return done;
}

Result<std::map<std::string, std::string>> read_image_files(const std::vector<LayerRef>& layers,
                                                            const PathFilter& wanted,
                                                            uint64_t max_file_bytes) {
  ReadOptions options;
  options.content = wanted;
  options.max_file_bytes = max_file_bytes;
  PARE_TRY(FlatImage image, read_flat_image(layers, options));
  return std::move(image.files);
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

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

template <typename Fn>
void each_line(const std::string& text, Fn fn) {
  for (size_t start = 0; start < text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    fn(std::string_view(text).substr(start, nl - start));
    start = nl + 1;
  }
}

std::string relative(std::string_view p) {
  for (;;) {
    if (p.substr(0, 2) == "./")
      p.remove_prefix(2);
    else if (!p.empty() && p.front() == '/')
      p.remove_prefix(1);
    else
      break;
  }
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return std::string(p);
}

}  // namespace

bool is_key_candidate(const std::string& path) {
  for (std::string_view suffix : {".pem", ".key", ".crt", ".p8"})
    if (ends_with(path, suffix)) return true;
  return false;
}

bool is_ownership_path(const std::string& path) {
  if (path.rfind(kStatusDir, 0) == 0) return ends_with(path, ".md5sums");
  if (path.rfind("var/lib/dpkg/info/", 0) == 0)
    return ends_with(path, ".list") || ends_with(path, ".md5sums");
  return path == kApkDb;
}

std::set<std::string> owned_paths(const std::map<std::string, std::string>& files) {
  std::set<std::string> out;
  for (const auto& [path, text] : files) {
    if (is_status_d_entry(path) || path == kStatusFile) {
      // Conffiles (Debian policy 5.6.7 with dpkg's " /path md5" lines): a package's own files
      // that dh_md5sums leaves out of its md5sums.
      bool in_conffiles = false;
      each_line(text, [&](std::string_view line) {
        if (line.rfind("Conffiles:", 0) == 0) {
          in_conffiles = true;
        } else if (in_conffiles && !line.empty() && (line[0] == ' ' || line[0] == '\t')) {
          size_t start = line.find_first_not_of(" \t");
          size_t end = line.find_first_of(" \t", start);
          if (start != std::string_view::npos)
            out.insert(
                relative(line.substr(start, end == std::string_view::npos ? end : end - start)));
        } else {
          in_conffiles = false;
        }
      });
      continue;
    }
    if (!is_ownership_path(path)) continue;
    if (path == kApkDb) {
      std::string dir;
      each_line(text, [&](std::string_view line) {
        if (line.rfind("F:", 0) == 0) dir = relative(line.substr(2));
        if (line.rfind("R:", 0) == 0)
          out.insert(dir.empty() ? std::string(line.substr(2))
                                 : dir + "/" + std::string(line.substr(2)));
      });
    } else if (ends_with(path, ".md5sums")) {
      // md5sum(1) lines: "<hash>  <path>" (one space or " *" accepted too).
      each_line(text, [&](std::string_view line) {
        size_t sep = line.find_first_of(" \t");
        if (sep == std::string_view::npos) return;
        std::string_view rest = line.substr(sep);
        size_t start = rest.find_first_not_of(" \t*");
        if (start != std::string_view::npos) out.insert(relative(rest.substr(start)));
      });
    } else {
      each_line(text, [&](std::string_view line) {
        std::string p = relative(line);
        if (!p.empty()) out.insert(p);
      });
    }
  }
  return out;
}

std::string stored_path(const std::map<std::string, FileEntry>& entries, const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return path;
  std::string dir = resolve_path(entries, path.substr(0, slash));
  return dir.empty() ? path : dir + path.substr(slash);
}

std::set<std::string> owned_files(const FlatImage& image) {
  std::set<std::string> out;
  for (const auto& p : owned_paths(image.files)) out.insert(stored_path(image.entries, p));
  return out;
}

bool is_database_path(const std::string& path) {
  for (std::string_view dir : {"var/lib/dpkg/", "lib/apk/db/"})
    if (path.rfind(dir, 0) == 0) return true;
  return path.rfind(std::string(kImageSbomDir) + "/", 0) == 0;
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
