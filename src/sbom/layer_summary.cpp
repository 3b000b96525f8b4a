#include "sbom/layer_summary.h"

#include "sbom/document.h"
#include "util/checked.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

constexpr std::string_view kMagic = "pare-layer-summary-1\n";
constexpr uint64_t kMaxRecord = uint64_t{512} << 20;
constexpr uint64_t kMaxKeyFile = 64 << 10;

// Little-endian fixed-width integers and length-prefixed strings.
class Writer {
 public:
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void str(std::string_view s) {
    u64(s.size());
    out.append(s);
  }
  std::string out;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool u64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{static_cast<unsigned char>(in_[i])} << (8 * i);
    in_.remove_prefix(8);
    return true;
  }
  bool u32(uint32_t& v) {
    uint64_t w = 0;
    if (!u64(w) || w > 0xffffffffu) return false;
    v = static_cast<uint32_t>(w);
    return true;
  }
  bool str(std::string& s) {
    uint64_t n = 0;
    if (!u64(n) || n > in_.size()) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  // A count of items that each take at least `min_bytes`: bounded by what is left.
  bool count(uint64_t& n, uint64_t min_bytes) { return u64(n) && n <= in_.size() / min_bytes; }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

void write_list(Writer& w, const std::vector<std::string>& list) {
  w.u64(list.size());
  for (const auto& s : list) w.str(s);
}

bool read_list(Reader& r, std::vector<std::string>& list) {
  uint64_t n = 0;
  if (!r.count(n, 8)) return false;
  list.resize(n);
  for (auto& s : list)
    if (!r.str(s)) return false;
  return true;
}

bool read_entry(Reader& r, std::string& path, FileEntry& e) {
  uint64_t type = 0;
  if (!r.str(path) || !r.u64(type) || type > static_cast<uint64_t>(FileEntry::Type::other))
    return false;
  e.type = static_cast<FileEntry::Type>(type);
  return r.u32(e.mode) && r.u32(e.uid) && r.u32(e.gid) && r.u64(e.size) && r.str(e.link) &&
         r.str(e.sha256);
}

// What a summary keeps: everything the reader kept (key candidates are only their first
// 64 KiB already), /etc/passwd only when small.
bool kept_in_summary(const std::string& path, const std::string& content) {
  return path != "etc/passwd" || content.size() <= kMaxKeyFile;
}

std::filesystem::path record_path(const std::filesystem::path& cache_dir,
                                  const std::string& digest) {
  if (cache_dir.empty() || digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(digest.substr(7)))
    return {};
  return cache_dir / "layer-summaries" / digest.substr(7);
}

void prune(LayerFiles& files) {
  for (auto it = files.files.begin(); it != files.files.end();)
    it = kept_in_summary(it->first, it->second) ? std::next(it) : files.files.erase(it);
}

}  // namespace

Result<LayerFiles> layer_summary(const LayerRef& layer, const std::filesystem::path& cache_dir,
                                 bool check_cached_blob) {
  std::filesystem::path record = record_path(cache_dir, layer.digest);
  if (!record.empty()) {
    if (check_cached_blob) PARE_CHECK(check_layer_blob(layer));
    auto cached = fs::read_checked(record, kMaxRecord);
    if (cached.state == fs::CheckedState::ok) {
      if (auto summary = decode_summary(cached.payload)) return std::move(*summary);
      PARE_LOG(warn) << "cache: " << record.string() << " is no layer summary: made again";
    }
  }
  ReadOptions options;
  options.entries = true;
  options.content = is_summary_content;
  options.digest = [](const std::string&) { return true; };
  options.max_file_bytes = uint64_t{64} << 20;
  PARE_TRY(LayerFiles files, read_layer(layer, options, 0));
  store_layer_summary(cache_dir, layer.digest, files);  // pruned there, as a warm read sees it
  return files;
}

void store_layer_summary(const std::filesystem::path& cache_dir, const std::string& digest,
                         LayerFiles& summary) {
  prune(summary);
  std::filesystem::path record = record_path(cache_dir, digest);
  if (record.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(record.parent_path(), ec);
  std::string bytes = encode_summary(summary);
  if (bytes.size() > kMaxRecord) return;  // it could not be read back: not written
  // A cache that cannot be written only costs the next run its speed.
  if (auto w = fs::write_checked(record, bytes); !w.ok()) {
    PARE_LOG(debug) << "cache: layer summary not kept: " << w.error().message();
  }
}

bool is_summary_content(const std::string& path) {
  if (is_metadata_path(path) || is_ownership_path(path)) return true;
  if (path.rfind(std::string(kImageSbomDir) + "/", 0) == 0) return true;
  return is_key_candidate(path) || path == "etc/passwd";
}

std::string encode_summary(const LayerFiles& layer) {
  Writer w;
  w.out.append(kMagic);
  w.u64(layer.entries.size());
  for (const auto& [path, e] : layer.entries) {
    w.str(path);
    w.u64(static_cast<uint64_t>(e.type));
    w.u64(e.mode);
    w.u64(e.uid);
    w.u64(e.gid);
    w.u64(e.size);
    w.str(e.link);
    w.str(e.sha256);
  }
  w.u64(layer.files.size());
  for (const auto& [path, content] : layer.files) {
    w.str(path);
    w.str(content);
  }
  write_list(w, layer.removed);
  write_list(w, layer.replaced);
  write_list(w, layer.opaque_dirs);
  return std::move(w.out);
}

std::optional<LayerFiles> decode_summary(std::string_view bytes) {
  if (bytes.substr(0, kMagic.size()) != kMagic) return std::nullopt;
  Reader r(bytes.substr(kMagic.size()));
  LayerFiles out;
  uint64_t n = 0;
  if (!r.count(n, 7 * 8)) return std::nullopt;
  for (uint64_t i = 0; i < n; ++i) {
    std::string path;
    FileEntry e;
    if (!read_entry(r, path, e)) return std::nullopt;
    out.entries[path] = std::move(e);
  }
  if (!r.count(n, 16)) return std::nullopt;
  for (uint64_t i = 0; i < n; ++i) {
    std::string path, content;
    if (!r.str(path) || !r.str(content)) return std::nullopt;
    out.files[path] = std::move(content);
  }
  if (!read_list(r, out.removed) || !read_list(r, out.replaced) || !read_list(r, out.opaque_dirs) ||
      !r.done())
    return std::nullopt;
  return out;
}

Result<FlatImage> read_flat_summaries(const std::vector<LayerRef>& layers,
                                      const std::filesystem::path& cache_dir) {
  FlatImage image;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto summary = layer_summary(layers[i], cache_dir, true);
    if (!summary.ok()) return summary.error().context("layer " + std::to_string(i));
    for (auto& [path, e] : summary->entries) e.layer = i;
    apply_layer(*summary, image);
  }
  return image;
}

}  // namespace pare::sbom
