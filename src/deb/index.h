// Fetching and caching a suite's package indexes (the "index" pipeline stage).
//
// For one (mirror, suite): GET dists/<suite>/InRelease, verify its OpenPGP
// signature against the keyring, parse the Release, check Valid-Until; then for
// each component take binary-<arch>/Packages.xz (else .gz, .zst, .bz2, plain)
// from the Release's SHA256 list, download it (by-hash when the Release says
// Acquire-By-Hash: yes, falling back to the plain path), check size and
// SHA-256, decompress it and keep it in the cache. While the signature is
// being checked (the first check imports the keyring, ~0.1 s), the Packages
// files the not yet verified Release names are already downloaded and
// decompressed; they are kept only if the verified Release lists the same
// hashes, and nothing reaches the cache before verification. fetch() may be
// called from several threads at once (one per suite):
//
//   <cache>/indexes/<sha256 of the compressed file>.Packages   decompressed Packages
//   <cache>/indexes/inrelease/<sha256 of mirror "\n" suite>    last verified InRelease
//   <cache>/stanzas/<sha256 of the decompressed file>-N.stanzas  its stanza index (built
//       while the text is hashed, so the resolver need not build it)
//
// A Packages file whose compressed hash is already cached is never downloaded
// again. Offline, the cached InRelease is re-verified and used; anything
// missing is Errc::offline.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deb/contents.h"
#include "deb/release.h"
#include "util/http.h"
#include "util/result.h"

namespace pare::deb {

struct IndexRequest {
  std::string mirror;  // e.g. "http://mirror.example/debian" (trailing '/' ignored)
  std::string suite;   // "bookworm", "bookworm-security", ...
  std::vector<std::string> components;
  // Debian architecture names (amd64, arm64, ...): one InRelease, fetched and
  // verified once, serves them all.
  std::vector<std::string> archs;
  std::filesystem::path keyring;
};

struct PackagesIndex {
  std::string mirror, suite, component, arch;
  std::filesystem::path file;  // decompressed Packages in the cache
  std::string sha256;          // of that decompressed file: cache key for later stages
};

struct SuiteIndex {
  Release release;
  // For each of IndexRequest::archs in order, its components in order.
  std::vector<PackagesIndex> packages;
  // Architectures for which some component's Packages is missing
  // (Errc::not_found: the Release lists none, or the mirror lacks the file),
  // with why; none of their components is in `packages`. fetch() returns that
  // error instead when it holds for every architecture asked for.
  std::map<std::string, Error> unavailable;
};

class IndexFetcher {
 public:
  // Seconds since the Unix epoch; tests pass a fixed clock.
  using Clock = std::function<int64_t()>;

  IndexFetcher(http::Client& http, std::filesystem::path cache_dir, bool offline, Clock now = {});

  Result<SuiteIndex> fetch(const IndexRequest& req);

  // The shared objects of the suite's Contents-ARCH for each of req.components and the one
  // architecture req.archs holds (deb/contents.h), merged in component order: the Contents
  // file's size and SHA-256 are checked against the verified Release, and its reduced form is
  // cached as <cache>/indexes/<sha256 of the compressed file>.so-index with its own digest,
  // checked when read (a damaged one is fetched again). A component whose Release lists no
  // Contents file for the architecture is skipped; none at all is Errc::not_found.
  Result<LibraryIndex> library_index(const IndexRequest& req);
  // Where the last verified InRelease of (mirror, suite) is kept (it may be absent).
  static std::filesystem::path cached_inrelease(const std::filesystem::path& cache_dir,
                                                const std::string& mirror,
                                                const std::string& suite);

 private:
  struct Suite {         // one request's URLs and cache names
    std::string mirror;  // without trailing '/'
    std::string suite;
    std::string base;  // <mirror>/dists/<suite>
    std::string inrelease_url;
    std::filesystem::path inrelease_cache;
  };
  struct PackagesFiles {
    const ReleaseFileEntry* compressed = nullptr;  // the form to fetch
    const ReleaseFileEntry* plain = nullptr;       // the decompressed file's entry, if listed
  };
  struct Fetched {
    std::string compressed_sha256;  // what the downloaded bytes hashed to
    std::string text_sha256;
    std::string text;     // decompressed
    std::string stanzas;  // its StanzaIndex, serialized
  };
  // What prefetch() got for a path of the unverified Release: the hash it
  // asked for, and the file or why not.
  struct Early {
    std::string compressed_sha256;
    Result<Fetched> fetched;
  };
  using Prefetched = std::map<std::string, Early>;  // by path in the Release

  static Suite suite_of(const IndexRequest& req, const std::filesystem::path& cache_dir);
  Result<LibraryIndex> component_libraries(const Suite& s, const Release& release,
                                           const ReleaseFileEntry& compressed,
                                           const ReleaseFileEntry* plain);
  Result<std::string> load_inrelease(const Suite& s);
  Result<Release> verified_release(const Suite& s, const std::filesystem::path& keyring,
                                   const std::string& inrelease);
  Result<std::string> verify_cached(const std::string& inrelease,
                                    const std::filesystem::path& keyring);
  Result<void> check_valid_until(const Release& release, const std::string& url) const;
  Prefetched prefetch(const Suite& s, const std::string& inrelease, const IndexRequest& req);
  static PackagesFiles packages_entries(const Release& release, const std::string& component,
                                        const std::string& arch);
  std::filesystem::path packages_cache_file(const ReleaseFileEntry& compressed) const;
  Result<Fetched> fetch_packages(const Suite& s, const Release& release, const PackagesFiles& files,
                                 uint64_t limit);
  static Result<void> check_plain(const Suite& s, const ReleaseFileEntry& entry,
                                  const ReleaseFileEntry* plain, const Fetched& fetched);
  Result<PackagesIndex> packages(const Suite& s, const Release& release,
                                 const std::string& component, const std::string& arch,
                                 Prefetched& early);
  Result<std::string> download(const Suite& s, const Release& release,
                               const ReleaseFileEntry& entry);

  http::Client& http_;
  std::filesystem::path cache_dir_;
  bool offline_;
  Clock now_;
};

}  // namespace pare::deb
