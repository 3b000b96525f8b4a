#include "scan/feed_cache.h"

#include "util/checked.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::scan {

namespace {

constexpr uint64_t kMaxRecord = uint64_t{256} << 20;

}  // namespace

// One advisory a line, its five fields separated by tabs (a tab or newline inside a field,
// which no tracker value has, becomes a space): reading it back is a split, not a parse.
std::string encode_feed(const Feed& feed) {
  std::string out;
  auto field = [&](const std::string& f, char end) {
    for (char c : f) out += (c == '\t' || c == '\n') ? ' ' : c;
    out += end;
  };
  for (const auto& [source, advisories] : feed)
    for (const auto& a : advisories) {
      field(a.id, '\t');
      field(a.source, '\t');
      field(a.status, '\t');
      field(a.fixed_version, '\t');
      field(a.urgency, '\n');
    }
  return out;
}

std::optional<Feed> decode_feed(std::string_view bytes, const std::set<std::string>* sources) {
  Feed feed;
  while (!bytes.empty()) {
    size_t nl = bytes.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // every line ends
    std::string_view line = bytes.substr(0, nl);
    bytes.remove_prefix(nl + 1);
    if (sources) {  // the source is the second field: skip the line before splitting it
      size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string_view::npos) return std::nullopt;
      if (!sources->count(std::string(line.substr(t1 + 1, t2 - t1 - 1)))) continue;
    }
    std::string fields[5];
    for (int i = 0; i < 5; ++i) {
      size_t tab = line.find('\t');
      if ((i < 4) != (tab != std::string_view::npos)) return std::nullopt;  // exactly five
      fields[i] = std::string(line.substr(0, tab));
      line.remove_prefix(tab == std::string_view::npos ? line.size() : tab + 1);
    }
    if (fields[1].empty()) return std::nullopt;
    Advisory a{std::move(fields[0]), fields[1], std::move(fields[2]), std::move(fields[3]),
               std::move(fields[4])};
    feed[fields[1]].push_back(std::move(a));
  }
  return feed;
}

Result<Feed> tracker_feed_cached(std::string_view text, const std::string& name,
                                 const std::string& release, const std::filesystem::path& cache_dir,
                                 const std::set<std::string>* sources) {
  std::filesystem::path record;
  bool plain_release = !release.empty() && release.find_first_of("/\\\\.") == std::string::npos;
  if (!cache_dir.empty() && plain_release) {
    record = cache_dir / "feeds" / (sha256_hex(text) + "-" + release);
    auto cached = fs::read_checked(record, kMaxRecord);
    if (cached.state == fs::CheckedState::ok) {
      if (auto feed = decode_feed(cached.payload, sources)) return std::move(*feed);
    }
  }
  PARE_TRY(Feed feed, parse_tracker_json(text, name, release));
  if (!record.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(record.parent_path(), ec);
    if (auto w = fs::write_checked(record, encode_feed(feed)); !w.ok()) {
      PARE_LOG(debug) << "cache: feed not kept: " << w.error().message();
    }
  }
  if (sources)
    for (auto it = feed.begin(); it != feed.end();)
      it = sources->count(it->first) ? std::next(it) : feed.erase(it);
  return feed;
}

}  // namespace pare::scan
