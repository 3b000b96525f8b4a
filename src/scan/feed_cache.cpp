#include "scan/feed_cache.h"

#include <nlohmann/json.hpp>

#include "util/checked.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::scan {

namespace {

using nlohmann::json;
constexpr uint64_t kMaxRecord = uint64_t{256} << 20;

}  // namespace

std::string encode_feed(const Feed& feed) {
  json out = json::array();
  for (const auto& [source, advisories] : feed)
    for (const auto& a : advisories)
      out.push_back({a.id, a.source, a.status, a.fixed_version, a.urgency});
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Feed> decode_feed(std::string_view bytes) {
  json doc = json::parse(bytes, nullptr, false);
  if (!doc.is_array()) return std::nullopt;
  Feed feed;
  for (const auto& a : doc) {
    if (!a.is_array() || a.size() != 5) return std::nullopt;
    for (const auto& field : a)
      if (!field.is_string()) return std::nullopt;
    Advisory adv{a[0].get<std::string>(), a[1].get<std::string>(), a[2].get<std::string>(),
                 a[3].get<std::string>(), a[4].get<std::string>()};
    feed[adv.source].push_back(std::move(adv));
  }
  return feed;
}

Result<Feed> tracker_feed_cached(std::string_view text, const std::string& name,
                                 const std::string& release,
                                 const std::filesystem::path& cache_dir) {
  std::filesystem::path record;
  bool plain_release = !release.empty() && release.find_first_of("/\\\\.") == std::string::npos;
  if (!cache_dir.empty() && plain_release) {
    record = cache_dir / "feeds" / (sha256_hex(text) + "-" + release);
    auto cached = fs::read_checked(record, kMaxRecord);
    if (cached.state == fs::CheckedState::ok) {
      if (auto feed = decode_feed(cached.payload)) return std::move(*feed);
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
  return feed;
}

}  // namespace pare::scan
