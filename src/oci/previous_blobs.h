// The blobs of an OCI layout about to be replaced, hashed ahead on a background thread while
// the build runs. An app-only rebuild writes an output whose lower layers are unchanged: the
// output pass takes each from the layout it replaces, but only after hashing it again (the
// trust rule: nothing enters an output unverified), tens of megabytes for a JRE or Node.js.
// That hashing does not depend on the app layer, so it starts when the build does.
//
// The output pass takes a blob without reading it again only when this run hashed that very
// file to that digest: the same device, inode, size, link count, mtime and ctime before and
// after it was read, and again when it is taken (any write, rename or link changes the
// ctime). Anything else is hashed at use, as before.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

namespace pare::oci {

class PreviousBlobs {
 public:
  // Starts hashing the regular files of LAYOUT/blobs/sha256 that have one link and a digest
  // for a name, largest first; nothing when `layout` holds none.
  explicit PreviousBlobs(std::filesystem::path layout);
  ~PreviousBlobs();  // stops after the file being hashed and joins
  PreviousBlobs(const PreviousBlobs&) = delete;
  PreviousBlobs& operator=(const PreviousBlobs&) = delete;

  const std::filesystem::path& layout() const { return layout_; }
  // Waits for the hashing to finish (call once, before verified() is asked from any thread).
  void wait();
  // Whether `file` (a path below layout(), whose lstat is `now`) was hashed to `sha256_hex`
  // by this run and has not changed since; false before wait().
  bool verified(const std::filesystem::path& file, const std::string& sha256_hex,
                const struct stat& now) const;

 private:
  struct Hashed {
    struct stat st;
    std::string sha256_hex;
  };
  void run();

  std::filesystem::path layout_;
  std::map<std::filesystem::path, Hashed> hashed_;  // written by the thread, read after join
  std::atomic<bool> stop_{false};
  bool done_ = false;
  std::thread thread_;
};

}  // namespace pare::oci
