#include "oci/previous_blobs.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "util/sha256.h"

namespace pare::oci {

namespace {

// Whether two stats describe the same unchanged file (device, inode, type, size, links,
// mtime and ctime to the nanosecond).
bool same_file_state(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_mode == b.st_mode &&
         a.st_size == b.st_size && a.st_nlink == b.st_nlink &&
         a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
         a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
}

}  // namespace

PreviousBlobs::PreviousBlobs(std::filesystem::path layout) : layout_(std::move(layout)) {
  thread_ = std::thread([this] { run(); });
}

PreviousBlobs::~PreviousBlobs() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void PreviousBlobs::run() {
  std::vector<std::pair<std::filesystem::path, struct stat>> files;
  // Errors end the listing quietly (never an exception on this thread): what is not hashed
  // ahead is hashed at use.
  std::error_code ec;
  for (std::filesystem::directory_iterator it(layout_ / "blobs" / "sha256", ec), end;
       !ec && it != end; it.increment(ec)) {
    const std::filesystem::path& path = it->path();
    struct stat st;
    if (!is_sha256_hex(path.filename().string()) || ::lstat(path.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode) || st.st_nlink != 1)
      continue;
    files.emplace_back(path, st);
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.second.st_size > b.second.st_size; });
  for (const auto& [path, before] : files) {
    if (stop_) return;
    auto digest = sha256_file_hex(path);
    struct stat after;
    if (!digest.ok() || ::lstat(path.c_str(), &after) != 0 || !same_file_state(before, after))
      continue;
    hashed_[path] = {after, std::move(digest.value())};
  }
}

void PreviousBlobs::wait() {
  if (thread_.joinable()) thread_.join();
  done_ = true;
}

bool PreviousBlobs::verified(const std::filesystem::path& file, const std::string& sha256_hex,
                             const struct stat& now) const {
  if (!done_) return false;
  auto it = hashed_.find(file);
  return it != hashed_.end() && it->second.sha256_hex == sha256_hex &&
         same_file_state(it->second.st, now);
}

}  // namespace pare::oci
