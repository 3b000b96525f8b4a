#include "build/cache.h"

#include <sys/stat.h>

#include <chrono>

#include "rootfs/unpack.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kStaleTemporarySeconds = 3600;

constexpr const char* kTagName = "CACHEDIR.TAG";
constexpr const char* kTag =
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by pare (its package and layer cache).\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n";

// pare removes only what it wrote: verify and prune need pare's tag.
Result<void> check_is_pare_cache(const stdfs::path& cache_dir) {
  if (!fs::exists(cache_dir)) return Error(Errc::not_found, "no cache at " + cache_dir.string());
  auto tag = fs::read_file(cache_dir / kTagName, 4096);
  if (!tag.ok() || tag->find("created by pare") == std::string::npos)
    return Error(Errc::invalid, cache_dir.string() +
                                    " is not a pare cache (it has no CACHEDIR.TAG written by "
                                    "pare): nothing was checked or removed");
  return {};
}

// The directories that hold cache entries (and so may hold temporaries).
const char* const kEntryDirs[] = {"blobs/sha256",      "unpacked", "layers",
                                  "resolutions",       "indexes",  "indexes/inrelease",
                                  "indexes/verified2", "stanzas"};
const char* const kRecordDirs[] = {"layers", "resolutions", "indexes/verified2", "stanzas"};

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t age_of(const stdfs::path& p) {
  struct stat st;
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return now_seconds() - static_cast<int64_t>(st.st_mtime);
}

uint64_t size_of(const stdfs::path& p) {
  std::error_code ec;
  if (!stdfs::is_directory(stdfs::symlink_status(p, ec))) {
    auto n = stdfs::file_size(p, ec);
    return ec ? 0 : n;
  }
  uint64_t total = 0;
  for (auto it = stdfs::recursive_directory_iterator(p, ec); !ec && it != stdfs::end(it);
       it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

void remove_entry(const stdfs::path& p, CacheReport& report) {
  uint64_t size = size_of(p);
  std::error_code ec;
  stdfs::remove_all(p, ec);
  if (ec) return;
  report.removed.push_back(p.string());
  report.bytes_removed += size;
}

bool is_temporary(const std::string& name) {
  return name.rfind(".pare-tmp", 0) == 0 || name.rfind(".pare-layout", 0) == 0 ||
         (name.rfind('.', 0) == 0 && name.find(".tmp-") != std::string::npos) ||
         name.find(".old-") != std::string::npos;
}

std::vector<stdfs::path> list(const stdfs::path& dir) {
  std::vector<stdfs::path> out;
  std::error_code ec;
  for (auto it = stdfs::directory_iterator(dir, ec); !ec && it != stdfs::end(it); it.increment(ec))
    out.push_back(it->path());
  return out;
}

void verify_blob(const stdfs::path& p, CacheReport& report) {
  auto digest = sha256_file_hex(p);
  if (!digest.ok() || *digest != p.filename().string()) remove_entry(p, report);
}

}  // namespace

Result<void> open_cache(const stdfs::path& cache_dir) {
  if (fs::exists(cache_dir / kTagName)) return {};
  return fs::write_file_atomic(cache_dir / kTagName, kTag);
}

CacheReport sweep_stale_temporaries(const stdfs::path& cache_dir) {
  CacheReport report;
  for (const char* sub : kEntryDirs)
    for (const auto& p : list(cache_dir / sub))
      if (is_temporary(p.filename().string()) && age_of(p) > kStaleTemporarySeconds)
        remove_entry(p, report);
  return report;
}

Result<CacheReport> verify_cache(const stdfs::path& cache_dir) {
  PARE_CHECK(check_is_pare_cache(cache_dir));
  CacheReport report = sweep_stale_temporaries(cache_dir);
  for (const auto& p : list(cache_dir / "blobs/sha256")) {
    if (is_temporary(p.filename().string())) continue;
    ++report.checked;
    verify_blob(p, report);
  }
  for (const auto& p : list(cache_dir / "unpacked")) {
    if (is_temporary(p.filename().string())) continue;
    ++report.checked;
    auto pkg = rootfs::UnpackedPackage::load(p);
    if (!pkg.ok() || !(*pkg)->check_all().ok()) remove_entry(p, report);
  }
  for (const char* sub : kRecordDirs)
    for (const auto& p : list(cache_dir / sub)) {
      if (is_temporary(p.filename().string())) continue;
      ++report.checked;
      // read_checked removes a damaged record itself.
      if (fs::read_checked(p, uint64_t{1} << 30).state == fs::CheckedState::damaged)
        report.removed.push_back(p.string());
    }
  return report;
}

Result<CacheReport> prune_cache(const stdfs::path& cache_dir, int64_t older_than_seconds) {
  PARE_CHECK(check_is_pare_cache(cache_dir));
  if (older_than_seconds < 0) return Error(Errc::invalid, "--older-than must not be negative");
  CacheReport report = sweep_stale_temporaries(cache_dir);
  // Records first, then what they point at: a build never finds a record
  // whose blob is gone without rebuilding it (records are checked on use).
  for (const char* sub : {"layers", "resolutions", "unpacked", "blobs/sha256", "stanzas"})
    for (const auto& p : list(cache_dir / sub)) {
      ++report.checked;
      if (age_of(p) > older_than_seconds) remove_entry(p, report);
    }
  return report;
}

}  // namespace pare::build
