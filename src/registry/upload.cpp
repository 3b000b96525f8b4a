// Blob uploads (distribution spec "Pushing blobs"): POST opens a session and answers with
// its Location; a small blob then goes in one PUT ?digest= (monolithic), a large one in
// PATCH chunks with Content-Range, each streamed from disk, then an empty PUT ?digest=.
// A chunk that fails (connection reset, 5xx) is resumed from the offset the registry
// reports for the session (GET on the Location: 204 with Range: 0-LAST); a session the
// registry no longer knows is started again.
#include <cstdlib>

#include "oci/manifest.h"
#include "registry/repository.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::registry {

namespace {

std::string with_query(const std::string& location, const std::string& query) {
  return location + (location.find('?') == std::string::npos ? "?" : "&") + query;
}

// "0-1234" -> 1235 bytes received; "" -> 0. "0-0" is how the distribution registry reports an
// empty session (and also one byte): taken as 0, so a resume never skips a byte.
uint64_t received_from_range(const std::string& range) {
  auto dash = range.find('-');
  if (dash == std::string::npos || range == "0-0") return 0;
  return std::strtoull(range.c_str() + dash + 1, nullptr, 10) + 1;
}

// Reports a blob's bytes sent (from `offset`) to the progress display.
std::function<void(uint64_t)> sent_reporter(Progress* progress, const oci::Descriptor& d,
                                            uint64_t offset) {
  if (!progress) return nullptr;
  std::string item = d.digest.substr(7, 12);
  uint64_t total = d.size;
  return [progress, item, total, offset](uint64_t sent) {
    progress->item(item, offset + sent, total);
  };
}

bool transient(const Result<http::Response>& r) {
  if (!r.ok()) return r.error().code() == Errc::network;
  return r->status >= 500 || r->status == 429 || r->status == 408;
}

}  // namespace

Result<std::string> Repository::start_upload(uint64_t* min_chunk) {
  Call call;
  call.method = "POST";
  call.target = path("blobs/uploads/");
  call.scopes = {push_scope()};
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status != 202)
    return registry_.status_error(r, "starting an upload to " + registry_.host() + "/" + name_);
  std::string location = r.header("location");
  if (location.empty()) return Error(Errc::invalid, "the registry's upload answer has no Location");
  if (min_chunk) *min_chunk = std::strtoull(r.header("oci-chunk-min-length").c_str(), nullptr, 10);
  return location;
}

Result<void> Repository::upload_chunked(const oci::Descriptor& d, const http::FileRange& bytes,
                                        std::string location, uint64_t chunk, Progress* progress) {
  uint64_t offset = 0;
  int failures = 0;
  while (offset < bytes.length) {
    uint64_t n = std::min(chunk, bytes.length - offset);
    Call patch;
    patch.method = "PATCH";
    patch.target = location;
    patch.scopes = {push_scope()};
    patch.retry = false;  // resumed below from what the registry says it has
    patch.headers = {
        {"Content-Type", "application/octet-stream"},
        {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + n - 1)}};
    patch.body_file = http::FileRange{bytes.path, bytes.offset + offset, n};
    patch.on_sent = sent_reporter(progress, d, offset);
    auto r = registry_.send(patch);
    if (r.ok() && r->status == 202) {
      if (!r->header("location").empty()) location = r->header("location");
      uint64_t now =
          r->header("range").empty() ? offset + n : received_from_range(r->header("range"));
      // A registry whose session does not move forward would keep pare here forever.
      if (now > offset && now <= bytes.length) {
        offset = now;
        continue;
      }
      if (++failures > 5)
        return Error(Errc::network, "upload of " + d.digest +
                                        " makes no progress (the registry answers Range " +
                                        r->header("range").substr(0, 40) + ")");
      continue;
    }
    // 416: the registry holds another offset than pare thought; ask it, as after a break.
    bool out_of_range = r.ok() && r->status == 416;
    if ((!transient(r) && !out_of_range) || ++failures > 5) {
      if (!r.ok()) return r.error();
      return registry_.status_error(r.value(), "uploading " + d.digest);
    }
    // Ask the registry how much of the session it has, and go on from there.
    Call status;
    status.target = location;
    status.scopes = {push_scope()};
    PARE_TRY(http::Response s, registry_.send(status));
    if (s.status != 204)
      return Error(Errc::network, "upload of " + d.digest +
                                      " broke off and its session is gone (HTTP " +
                                      std::to_string(s.status) + ")");
    if (!s.header("location").empty()) location = s.header("location");
    uint64_t have = received_from_range(s.header("range"));
    PARE_LOG(info) << "resuming upload of " << d.digest << " at byte " << have;
    offset = have;
  }
  Call finish;
  finish.method = "PUT";
  finish.target = with_query(location, "digest=" + url_encode(d.digest));
  finish.scopes = {push_scope()};
  finish.retry = false;
  finish.headers = {{"Content-Type", "application/octet-stream"}};
  PARE_TRY(http::Response done, registry_.send(finish));
  if (done.status != 201)
    return registry_.status_error(done, "finishing the upload of " + d.digest);
  return {};
}

Result<void> Repository::upload_blob(const oci::Descriptor& d, const http::FileRange& bytes,
                                     const UploadOptions& options, Progress* progress) {
  for (int attempt = 0;; ++attempt) {
    uint64_t min_chunk = 0;
    PARE_TRY(std::string location, start_upload(&min_chunk));
    Result<void> result;
    if (bytes.length <= options.monolithic_max) {
      Call put;
      put.method = "PUT";
      put.target = with_query(location, "digest=" + url_encode(d.digest));
      put.scopes = {push_scope()};
      put.retry = false;  // a failed session is started again below
      put.headers = {{"Content-Type", "application/octet-stream"}};
      put.body_file = bytes;
      put.on_sent = sent_reporter(progress, d, 0);
      auto r = registry_.send(put);
      if (r.ok() && r->status == 201) return {};
      if (!transient(r) || attempt >= options.restarts) {
        if (!r.ok()) return r.error();
        return registry_.status_error(r.value(), "uploading " + d.digest + " to " + name_);
      }
    } else {
      result =
          upload_chunked(d, bytes, location, std::max(options.chunk_size, min_chunk), progress);
      if (result.ok()) return {};
      if (result.error().code() != Errc::network || attempt >= options.restarts) return result;
    }
    PARE_LOG(info) << "starting the upload of " << d.digest << " again";
  }
}

Result<void> Repository::put_small_blob(const oci::Descriptor& d, std::string_view bytes) {
  PARE_TRY(bool has, has_blob(d.digest));
  if (has) return {};
  const char* tmp = std::getenv("TMPDIR");
  PARE_TRY(fs::TempDir dir, fs::TempDir::create(tmp && *tmp ? tmp : "/tmp", ".pare-small-blob"));
  PARE_CHECK(fs::write_file_atomic(dir.path() / "blob", bytes));
  return upload_blob(d, http::FileRange{dir.path() / "blob", 0, bytes.size()}, UploadOptions{},
                     nullptr);
}

Result<oci::Descriptor> Repository::put_empty_config() {
  constexpr std::string_view kEmpty = "{}";
  oci::Descriptor d{
      oci::media::kOciEmpty, "sha256:" + sha256_hex(kEmpty), kEmpty.size(), std::nullopt, "", {}};
  PARE_CHECK(put_small_blob(d, kEmpty));
  return d;
}

}  // namespace pare::registry
