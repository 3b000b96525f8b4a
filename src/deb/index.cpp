#include "deb/index.h"

#include <ctime>
#include <future>
#include <system_error>

#include "deb/decompress.h"
#include "deb/sources.h"
#include "deb/stanza_index.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::deb {

namespace stdfs = std::filesystem;

namespace {

// The compressed forms pare reads, best first. Debian publishes .xz and .gz
// (and lists the plain file's hash and size): .gz is 40% bigger but decodes
// ~5x faster with libdeflate into a buffer of the listed size, which wins on
// a mirror that answers at tens of MB/s or more (bench/README.md).
constexpr const char* kPackagesNames[] = {"Packages.gz", "Packages.xz", "Packages.zst",
                                          "Packages.bz2", "Packages"};

// The most a Packages file fetched on the word of a not yet verified Release
// may weigh, compressed or not (bookworm's main is 50 MB decompressed).
constexpr uint64_t kMaxSpeculativeIndex = uint64_t{256} << 20;

std::string parent_dir(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

int64_t system_now() {
  return static_cast<int64_t>(std::time(nullptr));
}

// A component may contain '/' ("updates/main"); nothing may climb out of dists/.
Result<void> check_request(const IndexRequest& req) {
  auto bad = [](const std::string& what) { return Error(Errc::invalid, "index request: " + what); };
  if (req.mirror.empty()) return bad("no mirror given");
  if (req.suite.empty() || req.suite.find("..") != std::string::npos)
    return bad("bad suite '" + req.suite + "'");
  if (req.archs.empty()) return bad("no architectures given");
  for (const std::string& arch : req.archs)
    if (arch.empty() || arch.find('/') != std::string::npos || arch.find("..") != std::string::npos)
      return bad("bad architecture '" + arch + "'");
  if (req.components.empty()) return bad("no components given");
  for (const std::string& c : req.components)
    if (c.empty() || c.find("..") != std::string::npos) return bad("bad component '" + c + "'");
  return {};
}

}  // namespace

IndexFetcher::IndexFetcher(http::Client& http, stdfs::path cache_dir, bool offline, Clock now)
    : http_(http),
      cache_dir_(std::move(cache_dir)),
      offline_(offline),
      now_(now ? std::move(now) : Clock(system_now)) {}

stdfs::path IndexFetcher::cached_inrelease(const stdfs::path& cache_dir, const std::string& mirror,
                                           const std::string& suite) {
  return cache_dir / "indexes" / "inrelease" /
         sha256_hex(strip_trailing_slashes(mirror) + "\n" + suite);
}

IndexFetcher::Suite IndexFetcher::suite_of(const IndexRequest& req, const stdfs::path& cache_dir) {
  Suite s;
  s.mirror = strip_trailing_slashes(req.mirror);
  s.suite = req.suite;
  s.base = s.mirror + "/dists/" + req.suite;
  s.inrelease_url = s.base + "/InRelease";
  s.inrelease_cache = cached_inrelease(cache_dir, req.mirror, req.suite);
  return s;
}

Result<SuiteIndex> IndexFetcher::fetch(const IndexRequest& req) {
  PARE_CHECK(check_request(req));
  Suite s = suite_of(req, cache_dir_);

  PARE_TRY(std::string inrelease, load_inrelease(s));
  // Checking the signature takes ~0.1 s when the keyring is first imported:
  // meanwhile, fetch the Packages files the not yet verified Release names.
  // What is fetched so is used only if the verified Release lists the same
  // hashes for it (packages()).
  auto verifying =
      std::async(std::launch::async, [&] { return verified_release(s, req.keyring, inrelease); });
  Prefetched early = offline_ ? Prefetched{} : prefetch(s, inrelease, req);
  SuiteIndex out;
  PARE_TRY(out.release, verifying.get());
  for (const std::string& arch : req.archs) {
    std::vector<PackagesIndex> of_arch;
    for (const std::string& component : req.components) {
      auto p = packages(s, out.release, component, arch, early);
      if (!p.ok() && p.error().code() == Errc::not_found) {
        out.unavailable.emplace(arch, p.error());
        break;
      }
      if (!p.ok()) return p.error();
      of_arch.push_back(std::move(*p));
    }
    if (!out.unavailable.count(arch))
      out.packages.insert(out.packages.end(), of_arch.begin(), of_arch.end());
  }
  if (out.unavailable.size() == req.archs.size()) return out.unavailable.at(req.archs.front());
  return out;
}

IndexFetcher::Prefetched IndexFetcher::prefetch(const Suite& s, const std::string& inrelease,
                                                const IndexRequest& req) {
  auto release = parse_release(unverified_signed_text(inrelease), s.inrelease_url);
  if (!release.ok()) return {};  // the verified path reports what is wrong
  // One download and decompression per (arch, component), concurrently: with
  // two architectures, both main Packages files decompress at once.
  std::vector<std::pair<const ReleaseFileEntry*, std::future<Result<Fetched>>>> fetching;
  bool threads_left = true;
  for (const std::string& arch : req.archs)
    for (const std::string& component : req.components) {
      if (!threads_left) break;
      auto files = packages_entries(*release, component, arch);
      if (!files.compressed || fs::exists(packages_cache_file(*files.compressed))) continue;
      // Unverified sizes decide nothing big: a forged Release could otherwise
      // make pare allocate and decompress gigabytes before its signature fails.
      if (files.compressed->size > kMaxSpeculativeIndex ||
          (files.plain && files.plain->size > kMaxSpeculativeIndex))
        continue;
      try {
        fetching.emplace_back(files.compressed,
                              std::async(std::launch::async, [this, &s, &release, files] {
                                return fetch_packages(s, *release, files, kMaxSpeculativeIndex);
                              }));
      } catch (const std::system_error&) {
        threads_left = false;  // only a head start: packages() fetches what is left
      }
    }
  Prefetched out;
  for (auto& [entry, result] : fetching)
    out.emplace(entry->path, Early{entry->sha256, result.get()});
  return out;
}

Result<std::string> IndexFetcher::load_inrelease(const Suite& s) {
  if (offline_) {
    auto cached = fs::read_file(s.inrelease_cache);
    if (cached.ok()) return cached;
    if (cached.error().code() != Errc::not_found) return cached.error();
    return Error(Errc::offline, "offline and " + s.inrelease_url +
                                    " is not in the cache (run once without --offline)");
  }
  auto body = http_.get(s.inrelease_url);
  if (!body.ok() && body.error().code() == Errc::not_found)
    return Error(Errc::not_found, "suite '" + s.suite + "' not found on mirror " + s.mirror + ": " +
                                      s.inrelease_url + " does not exist");
  if (!body.ok()) return body.error().context("fetching " + s.inrelease_url);
  return body;
}

// OpenPGP verification costs ~0.3 s per InRelease with Debian's keyring
// (librnp validates every key's self-signatures), and an unchanged archive
// serves the same bytes again: remember the signed text of each (InRelease,
// keyring) pair that verified. The cache is trusted as much as the download
// cache is, and a changed InRelease or keyring is verified afresh.
Result<std::string> IndexFetcher::verify_cached(const std::string& inrelease,
                                                const stdfs::path& keyring) {
  PARE_TRY(std::string keys, fs::read_file(keyring, kMaxKeyringSize));
  stdfs::path marker =
      cache_dir_ / "indexes" / "verified2" / sha256_hex(sha256_hex(inrelease) + sha256_hex(keys));
  if (auto record = fs::read_checked(marker); record.state == fs::CheckedState::ok)
    return std::move(record.payload);
  PARE_TRY(std::string text, verify_clearsigned(inrelease, keyring));
  PARE_CHECK(fs::write_checked(marker, text));
  return text;
}

Result<Release> IndexFetcher::verified_release(const Suite& s, const stdfs::path& keyring,
                                               const std::string& inrelease) {
  auto text = verify_cached(inrelease, keyring);
  if (!text.ok()) return text.error().context(s.inrelease_url);
  PARE_TRY(Release release, parse_release(*text, s.inrelease_url));
  PARE_CHECK(check_valid_until(release, s.inrelease_url));
  if (release.suite != s.suite && release.codename != s.suite) {
    // apt only warns here too ("Conflicting distribution").
    PARE_LOG(warn) << s.inrelease_url << " is for suite '" << release.suite << "' (codename '"
                   << release.codename << "'), not '" << s.suite << "'";
  }
  if (!offline_) PARE_CHECK(fs::write_file_atomic(s.inrelease_cache, inrelease));
  return release;
}

Result<void> IndexFetcher::check_valid_until(const Release& release, const std::string& url) const {
  if (release.valid_until.empty()) return {};
  auto until = parse_release_date(release.valid_until);
  if (!until.ok()) return until.error().context(url + ": Valid-Until");
  if (now_() > *until)
    return Error(Errc::signature,
                 "Release file expired: " + url + " was valid until " + release.valid_until);
  return {};
}

IndexFetcher::PackagesFiles IndexFetcher::packages_entries(const Release& release,
                                                           const std::string& component,
                                                           const std::string& arch) {
  const std::string dir = component + "/binary-" + arch + "/";
  PackagesFiles out;
  for (const char* name : kPackagesNames)
    if ((out.compressed = find_release_file(release, dir + name))) break;
  out.plain = find_release_file(release, dir + "Packages");
  return out;
}

stdfs::path IndexFetcher::packages_cache_file(const ReleaseFileEntry& compressed) const {
  return cache_dir_ / "indexes" / (compressed.sha256 + ".Packages");
}

// Download and decompress one Packages file, checking both against `release`.
Result<IndexFetcher::Fetched> IndexFetcher::fetch_packages(const Suite& s, const Release& release,
                                                           const PackagesFiles& files,
                                                           uint64_t limit) {
  const ReleaseFileEntry& entry = *files.compressed;
  PARE_TRY(std::string compressed, download(s, release, entry));
  uint64_t plain_size = files.plain ? files.plain->size : 0;
  auto text = decompress_index(compressed, entry.path, limit, plain_size);
  if (!text.ok()) return text.error().context(s.base + "/" + entry.path);
  // Two independent passes over the ~50 MB text, at once: its SHA-256 (checked
  // against the Release, and the cache key) and its stanza index (which the
  // resolver would otherwise build from the cached file afterwards).
  std::string_view view = *text;
  auto index_stanzas = [view] { return StanzaIndex::build(view).serialize(); };
  std::string text_sha, stanzas;
  try {
    auto indexing = std::async(std::launch::async, index_stanzas);
    text_sha = sha256_hex(view);
    stanzas = indexing.get();
  } catch (const std::system_error&) {  // no thread to be had: one after the other
    text_sha = sha256_hex(view);
    stanzas = index_stanzas();
  }
  Fetched out{entry.sha256, std::move(text_sha), std::move(*text), std::move(stanzas)};
  PARE_CHECK(check_plain(s, entry, files.plain, out));
  return out;
}

Result<void> IndexFetcher::check_plain(const Suite& s, const ReleaseFileEntry& entry,
                                       const ReleaseFileEntry* plain, const Fetched& fetched) {
  if (plain && plain != &entry &&
      (plain->sha256 != fetched.text_sha256 || plain->size != fetched.text.size()))
    return Error(Errc::integrity, s.base + "/" + entry.path + " decompresses to SHA-256 " +
                                      fetched.text_sha256 + ", but the Release lists " +
                                      plain->sha256 + " for " + plain->path);
  return {};
}

Result<PackagesIndex> IndexFetcher::packages(const Suite& s, const Release& release,
                                             const std::string& component, const std::string& arch,
                                             Prefetched& early) {
  PackagesFiles files = packages_entries(release, component, arch);
  if (!files.compressed)
    return Error(Errc::not_found, s.inrelease_url + " lists no Packages file for component '" +
                                      component + "' and architecture '" + arch + "'");
  const ReleaseFileEntry& entry = *files.compressed;
  PackagesIndex out{s.mirror, s.suite, component, arch, packages_cache_file(entry), {}};
  if (fs::exists(out.file)) {
    // Written only after verification, so the Release's plain hash (when it
    // lists one) is the file's hash; otherwise hash what is there.
    if (files.plain) {
      out.sha256 = files.plain->sha256;
    } else {
      PARE_TRY(out.sha256, sha256_file_hex(out.file));
    }
    return out;
  }
  if (offline_)
    return Error(Errc::offline, "offline and " + s.base + "/" + entry.path + " (" + component +
                                    ", " + arch + ") is not in the cache");
  Fetched fetched;
  auto it = early.find(entry.path);
  bool asked_the_same = it != early.end() && it->second.compressed_sha256 == entry.sha256;
  if (asked_the_same && it->second.fetched.ok()) {
    fetched = std::move(*it->second.fetched);  // hashed to what the verified Release says
    PARE_CHECK(check_plain(s, entry, files.plain, fetched));
  } else if (asked_the_same && it->second.fetched.error().code() == Errc::network) {
    return it->second.fetched.error();  // retried already: do not wait for it twice
  } else {
    PARE_TRY(fetched, fetch_packages(s, release, files, kMaxDecompressedIndex));
  }
  out.sha256 = fetched.text_sha256;
  PARE_CHECK(fs::write_file_atomic(out.file, fetched.text));
  cache_stanza_index(stanza_cache_dir(cache_dir_), out.sha256, fetched.stanzas);
  return out;
}

Result<std::string> IndexFetcher::download(const Suite& s, const Release& release,
                                           const ReleaseFileEntry& entry) {
  std::string url = s.base + "/" + entry.path;
  Result<std::string> body = Error(Errc::not_found, "");
  if (release.acquire_by_hash) {
    std::string dir = parent_dir(entry.path);
    std::string by_hash =
        s.base + "/" + (dir.empty() ? "" : dir + "/") + "by-hash/SHA256/" + entry.sha256;
    body = http_.get(by_hash);
    if (body.ok()) {
      url = by_hash;
    } else if (body.error().code() != Errc::not_found) {
      return body.error().context("fetching " + by_hash);
    } else {
      PARE_LOG(debug) << by_hash << " not found, falling back to " << url;
    }
  }
  if (!body.ok()) body = http_.get(url);
  if (!body.ok()) return body.error().context("fetching " + url);
  std::string got = sha256_hex(*body);
  if (got != entry.sha256 || body->size() != entry.size)
    return Error(Errc::integrity, url + ": expected SHA-256 " + entry.sha256 + " (" +
                                      std::to_string(entry.size) + " bytes), got " + got + " (" +
                                      std::to_string(body->size()) + " bytes)");
  return body;
}

}  // namespace pare::deb
