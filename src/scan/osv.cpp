#include "scan/osv.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace pare::scan {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The first "fixed" event of the record's ECOSYSTEM ranges ("" when none: no fix yet).
std::string fixed_version(const json& affected) {
  auto ranges = affected.find("ranges");
  if (ranges == affected.end() || !ranges->is_array()) return "";
  for (const auto& r : *ranges) {
    if (!r.is_object() || str(r, "type") != "ECOSYSTEM") continue;
    auto events = r.find("events");
    if (events == r.end() || !events->is_array()) continue;
    for (const auto& e : *events)
      if (e.is_object() && e.contains("fixed") && e["fixed"].is_string())
        return e["fixed"].get<std::string>();
  }
  return "";
}

}  // namespace

bool looks_like_osv(std::string_view text) {
  // Only the first top-level key is read (a SAX parse stopped there): an OSV record's keys are
  // the schema's, a tracker export's are source package names. A 50 MB export costs nothing.
  struct FirstKey : json::json_sax_t {
    size_t depth = 0;
    std::string key_seen;
    bool start_object(std::size_t) override { return ++depth, true; }
    bool key(string_t& k) override {
      if (depth == 1) key_seen = k;
      return depth != 1;
    }
    bool end_object() override { return --depth, true; }
    bool start_array(std::size_t) override { return false; }
    bool end_array() override { return false; }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
      return false;
    }
  } sax;
  json::sax_parse(text, &sax);
  static const std::set<std::string> osv_keys = {
      "schema_version", "id",       "modified",   "published", "withdrawn",
      "aliases",        "upstream", "related",    "summary",   "details",
      "severity",       "affected", "references", "credits",   "database_specific"};
  return osv_keys.count(sax.key_seen) > 0;
}

Result<void> add_osv_record(std::string_view text, const std::string& name,
                            const std::string& ecosystem, Feed& feed) {
  if (text.size() > kMaxFeedBytes)
    return Error(Errc::invalid, name + ": too large for an OSV record");
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return Error(Errc::invalid, name + ": not JSON at byte " + std::to_string(e.byte));
  }
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string() ||
      !doc.contains("affected") || !doc["affected"].is_array())
    return Error(Errc::invalid, name + ": not an OSV record (\"id\" and \"affected\" expected)");
  std::string id = doc["id"].get<std::string>();
  // A Debian advisory (DSA/DLA/DEBIAN-CVE) usually names the CVE it fixes in "aliases" or
  // "upstream": report the CVE, as the tracker does.
  for (const char* key : {"upstream", "aliases"})
    if (auto a = doc.find(key); a != doc.end() && a->is_array())
      for (const auto& alias : *a)
        if (alias.is_string() && alias.get<std::string>().rfind("CVE-", 0) == 0) {
          id = alias.get<std::string>();
          break;
        }
  for (const auto& affected : doc["affected"]) {
    if (!affected.is_object() || !affected.contains("package") || !affected["package"].is_object())
      continue;
    const json& package = affected["package"];
    std::string source = str(package, "name");
    if (str(package, "ecosystem") != ecosystem || source.empty()) continue;
    std::string fixed = fixed_version(affected);
    feed[source].push_back({id, source, fixed.empty() ? "open" : "resolved", fixed, ""});
  }
  return {};
}

Result<void> add_osv_zip(const std::filesystem::path& zip, const std::string& ecosystem,
                         Feed& feed) {
  constexpr uint64_t kMaxRecord = uint64_t{4} << 20;
  constexpr size_t kMaxRecords = 1'000'000;
  struct archive* a = archive_read_new();
  std::unique_ptr<struct archive, decltype(&archive_read_free)> guard(a, archive_read_free);
  archive_read_support_format_zip(a);
  if (archive_read_open_filename(a, zip.c_str(), 1 << 16) != ARCHIVE_OK)
    return Error(Errc::invalid, zip.string() + ": not a readable zip: " +
                                    (archive_error_string(a) ? archive_error_string(a) : ""));
  size_t records = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) return {};
    if (rc < ARCHIVE_WARN)
      return Error(
          Errc::invalid,
          zip.string() + ": " + (archive_error_string(a) ? archive_error_string(a) : "unreadable"));
    std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    if (archive_entry_filetype(entry) != AE_IFREG || name.size() < 5 ||
        name.compare(name.size() - 5, 5, ".json") != 0)
      continue;
    if (++records > kMaxRecords)
      return Error(Errc::invalid,
                   zip.string() + ": more than " + std::to_string(kMaxRecords) + " records");
    std::string text;
    char buf[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) != 0;) {
      if (n < 0) return Error(Errc::invalid, zip.string() + " " + name + ": unreadable");
      if (text.size() + static_cast<size_t>(n) > kMaxRecord)
        return Error(Errc::invalid, zip.string() + " " + name + ": larger than 4 MiB");
      text.append(buf, static_cast<size_t>(n));
    }
    PARE_CHECK(add_osv_record(text, zip.string() + " " + name, ecosystem, feed));
  }
}

}  // namespace pare::scan
