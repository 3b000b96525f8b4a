// HTTP behind a small interface, so that index fetching and downloads can be
// tested offline with an in-memory fake (tests/support/fake_http.h) and run for
// real with libcurl (make_curl_client).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "util/progress.h"
#include "util/result.h"

namespace pare::http {

class Client {
 public:
  virtual ~Client() = default;

  // GET a (small) resource into memory. HTTP 404/410 -> Errc::not_found;
  // other failures -> Errc::network (after retries for transient ones).
  // Implementations are safe to call from several threads at once.
  virtual Result<std::string> get(const std::string& url) = 0;

  struct Job {
    std::string url;
    std::filesystem::path dest;  // written atomically (temp + rename) after verification
    std::string sha256;          // expected hex digest; empty = do not verify
    uint64_t size = 0;           // expected size; 0 = unknown
    // Called (on the downloading thread) once dest is verified and in place,
    // so later stages can start on it while other downloads go on.
    std::function<void()> on_done;
  };
  // Download all jobs, several at once. Each file is verified (size, SHA-256)
  // before it is renamed to dest; a mismatch is Errc::integrity naming the URL.
  // progress.advance() is called with bytes received.
  virtual Result<void> download_all(const std::vector<Job>& jobs, Progress& progress) = 0;
};

struct CurlOptions {
  int parallel = 8;  // concurrent transfers
  int retries = 3;   // for transient failures (connect errors, 5xx, truncated bodies)
  long connect_timeout_s = 15;
  long low_speed_timeout_s = 30;  // abort a transfer slower than 1 KB/s for this long
  // The proxy for http:// URLs when the environment names none (http_proxy): the host's apt
  // proxy (deb/apt_conf.h). no_proxy still applies.
  std::string http_proxy;
};

std::unique_ptr<Client> make_curl_client(const CurlOptions& options = {});

// RFC 3986 percent-encoding: every byte but the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX
// (query values, purl components).
std::string percent_encode(std::string_view text);

// Join a base URL and a relative path with exactly one '/'.
std::string join_url(std::string_view base, std::string_view rel);

}  // namespace pare::http
