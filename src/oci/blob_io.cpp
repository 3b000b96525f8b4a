// Bounded, hashed reads of local blob bytes (source.h): what a descriptor claims (size,
// digest) is checked while the bytes are read, before anyone uses them.
#include <fcntl.h>
#include <unistd.h>

#include "oci/source.h"
#include "util/sha256.h"

namespace pare::oci {

Error digest_mismatch(const Descriptor& d, const std::string& where, const std::string& got) {
  return Error(Errc::integrity, where + ": content does not match its digest " + d.digest +
                                    " (it hashes to sha256:" + got + ")");
}

Result<void> stream_verified(const http::FileRange& range, const Descriptor& d,
                             fs::ByteSink& sink) {
  if (!d.digest.empty() && range.length != d.size)
    return Error(Errc::integrity, range.path.string() + ": " + std::to_string(range.length) +
                                      " bytes where the descriptor of " + d.digest + " says " +
                                      std::to_string(d.size));
  int fd = ::open(range.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fs::errno_error("opening", range.path);
  Sha256 hash;
  std::string buffer(1 << 20, '\0');
  uint64_t done = 0;
  while (done < range.length) {
    size_t want = std::min<uint64_t>(buffer.size(), range.length - done);
    ssize_t got = ::pread(fd, buffer.data(), want, static_cast<off_t>(range.offset + done));
    if (got <= 0) {
      ::close(fd);
      return Error(Errc::io, range.path.string() + ": short read at byte " + std::to_string(done));
    }
    std::string_view chunk(buffer.data(), static_cast<size_t>(got));
    hash.update(chunk);
    if (auto r = sink.write(chunk); !r.ok()) {
      ::close(fd);
      return r.error();
    }
    done += static_cast<uint64_t>(got);
  }
  ::close(fd);
  std::string hex = hash.hex_digest();
  if (!d.digest.empty() && d.digest != "sha256:" + hex)
    return digest_mismatch(d, range.path.string(), hex);
  return {};
}

Result<std::string> read_verified(const http::FileRange& range, const Descriptor& d,
                                  uint64_t limit) {
  if (range.length > limit)
    return Error(Errc::invalid, range.path.string() + ": " + std::to_string(range.length) +
                                    " bytes, more than the " + std::to_string(limit) + " allowed");
  std::string out;
  fs::StringSink sink(out, limit);
  PARE_CHECK(stream_verified(range, d, sink));
  return out;
}

Result<std::string> read_config(ImageSource& source, const Descriptor& config) {
  std::string out;
  fs::StringSink sink(out, kMaxManifestBytes);
  auto r = source.read_blob(config, sink);
  if (!r.ok()) return r.error().context("image config " + config.digest);
  return out;
}

}  // namespace pare::oci
