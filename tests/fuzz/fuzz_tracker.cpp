// Fuzz target for vulnerability feeds (scan/tracker.h, scan/osv.h): the bytes as a zip of OSV
// records, as an OSV record
// and as the security tracker's JSON export for one release, then matched against a few
// packages. Any bytes parse or give an error; nothing throws.
#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "scan/feed_cache.h"
#include "scan/match.h"
#include "scan/osv.h"
#include "scan/tracker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scan::Feed osv;
  (void)scan::looks_like_osv(text);
  (void)scan::add_osv_record(text, "fuzz.json", "Debian:12", osv);
  (void)scan::match({}, osv);
  (void)scan::decode_feed(text);  // a cached feed record
  // The bytes as a zip of OSV records.
  static const std::filesystem::path zip = std::filesystem::temp_directory_path() /
                                           ("pare-fuzz-osv-" + std::to_string(getpid()) + ".zip");
  if (std::FILE* f = std::fopen(zip.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    scan::Feed zipped;
    (void)scan::add_osv_zip(zip, "Debian:12", zipped);
  }
  auto feed = scan::parse_tracker_json(text, "fuzz.json", "bookworm");
  if (!feed.ok()) return 0;
  auto back = scan::decode_feed(scan::encode_feed(*feed));
  if (!back || scan::encode_feed(*back) != scan::encode_feed(*feed)) std::abort();
  std::vector<sbom::PackageRecord> packages(2);
  packages[0].name = "openssl";
  packages[0].version = "3.0.15-1~deb12u1";
  packages[1].name = "libc6";
  packages[1].version = "2.36-9+deb12u4";
  packages[1].source = "glibc";
  for (const auto& [source, advisories] : *feed) {
    packages.push_back(packages[0]);
    packages.back().name = source;
    for (const auto& a : advisories) packages.back().version = a.fixed_version;
  }
  (void)scan::match(packages, *feed);
  return 0;
}
