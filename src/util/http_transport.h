// One HTTP request at a time, any method, behind a small interface: the registry client
// (src/registry) speaks the distribution API through it, and its unit tests answer it with
// an in-memory registry (tests/support/fake_registry.h). The mirror downloads keep their
// own client (http.h); this one adds what a registry needs: PUT/PATCH/POST/HEAD, request
// headers, bodies streamed from a file range, response headers, and no automatic redirects
// (the registry client follows them itself, so that credentials never go to another host).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/fs.h"
#include "util/result.h"

namespace pare::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct FileRange {
  std::filesystem::path path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct TlsOptions {
  // When set, the PEM certificates trusted instead of curl's default bundle: whoever
  // builds it includes the system roots and adds --ca-file and certs.d certificates.
  std::string ca_pem;
  // A client certificate and key for mutual TLS (certs.d's client.cert / client.key).
  std::filesystem::path client_cert;
  std::filesystem::path client_key;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;                    // sent when body_file is not set
  std::optional<FileRange> body_file;  // streamed from disk, never held in memory
  // A 2xx answer's body goes to `sink` when set; otherwise it is kept in memory, and
  // more than max_body bytes is an error (every answer is bounded before it is read).
  fs::ByteSink* sink = nullptr;
  uint64_t max_body = uint64_t{4} << 20;
  const TlsOptions* tls = nullptr;
  // Called with the bytes sent so far (upload progress).
  std::function<void(uint64_t)> on_sent;
};

struct Response {
  long status = 0;
  Headers headers;   // names lower-cased, in the order received
  std::string body;  // a non-2xx answer's body is kept (bounded) for error messages
  // The first header of that (lower-case) name, or "".
  std::string header(std::string_view name) const;
};

// Transport failures (no answer at all) are Errc::network; `reset` tells a connection that
// broke mid-request (worth resuming) from one that never opened.
class Transport {
 public:
  virtual ~Transport() = default;
  // Safe to call from several threads at once.
  virtual Result<Response> send(const Request& request) = 0;
};

struct TransportOptions {
  long connect_timeout_s = 15;
  long low_speed_timeout_s = 60;
};
std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options = {});

// `reference` (a Location header: absolute, path-absolute, relative or network-path) resolved
// against `base` as RFC 3986 section 5 says (curl's URL parser); only http(s) results.
Result<std::string> resolve_url(const std::string& base, const std::string& reference);
// "scheme://host[:port]" of an absolute URL ("" if it is not one): what tells hosts apart.
std::string url_origin(std::string_view url);

// In the error of a TLS handshake that failed (not of a certificate that failed verification):
// the one failure after which a loopback or --insecure-registry registry is tried over http.
inline constexpr const char* kPlainHttpServer = "server speaks plain HTTP";

}  // namespace pare::http
