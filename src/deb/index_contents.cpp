// IndexFetcher::library_index: the Contents-ARCH files of a suite, verified like the Packages
// files (index.cpp) and reduced to their shared objects (contents.h).
#include "deb/decompress.h"
#include "deb/index.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::deb {

namespace {

// The compressed forms of Contents-ARCH Debian publishes, best first.
constexpr const char* kContentsSuffixes[] = {".gz", ".xz", ".zst", ""};

// Bounds for the reduced form when read back (bookworm's main: ~3 MB).
constexpr uint64_t kMaxLibraryIndex = uint64_t{256} << 20;

}  // namespace

Result<LibraryIndex> IndexFetcher::library_index(const IndexRequest& req) {
  if (req.archs.size() != 1)
    return Error(Errc::invalid, "library index: exactly one architecture, not " +
                                    std::to_string(req.archs.size()));
  if (req.mirror.empty() || req.suite.empty())
    return Error(Errc::invalid, "library index: no mirror or suite");
  Suite s = suite_of(req, cache_dir_);
  PARE_TRY(std::string inrelease, load_inrelease(s));
  PARE_TRY(Release release, verified_release(s, req.keyring, inrelease));
  LibraryIndex out;
  bool any = false;
  for (const std::string& component : req.components) {
    std::string base = component + "/Contents-" + req.archs.front();
    const ReleaseFileEntry* compressed = nullptr;
    for (const char* suffix : kContentsSuffixes)
      if ((compressed = find_release_file(release, base + suffix))) break;
    if (!compressed) continue;
    PARE_TRY(LibraryIndex libs,
             component_libraries(s, release, *compressed, find_release_file(release, base)));
    out.merge(std::move(libs));
    any = true;
  }
  if (!any)
    return Error(Errc::not_found, s.inrelease_url + " lists no Contents-" + req.archs.front() +
                                      " file: which package ships a library cannot be found");
  return out;
}

Result<LibraryIndex> IndexFetcher::component_libraries(const Suite& s, const Release& release,
                                                       const ReleaseFileEntry& compressed,
                                                       const ReleaseFileEntry* plain) {
  std::filesystem::path cached = cache_dir_ / "indexes" / (compressed.sha256 + ".so-index");
  auto record = fs::read_checked(cached, kMaxLibraryIndex);  // a damaged one is removed
  if (record.state == fs::CheckedState::ok) {
    auto parsed = LibraryIndex::parse(std::move(record.payload));
    if (parsed.ok()) return parsed;
    PARE_LOG(warn) << cached.string() << ": " << parsed.error().message() << "; fetched again";
  }
  if (offline_)
    return Error(Errc::offline, "offline and " + s.base + "/" + compressed.path +
                                    " is not in the cache (run `pare deps` once online)");
  PARE_TRY(std::string bytes, download(s, release, compressed));
  auto text = decompress_index(bytes, compressed.path, kMaxDecompressedIndex,
                               plain && plain != &compressed ? plain->size : 0);
  if (!text.ok()) return text.error().context(s.base + "/" + compressed.path);
  bytes.clear();
  if (plain && plain != &compressed && sha256_hex(*text) != plain->sha256)
    return Error(Errc::integrity, s.base + "/" + compressed.path +
                                      " does not decompress to what the Release lists for " +
                                      plain->path);
  auto reduced = shared_objects_of_contents(*text);
  if (!reduced.ok()) return reduced.error().context(s.base + "/" + compressed.path);
  PARE_CHECK(fs::write_checked(cached, *reduced));
  return LibraryIndex::parse(std::move(*reduced));
}

}  // namespace pare::deb
