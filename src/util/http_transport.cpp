// libcurl implementation of http::Transport: one easy handle per request, borrowed from a
// pool so that connections (and TLS sessions) are reused from one request to the next.
#include "util/http_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>

#include <fcntl.h>
#include <unistd.h>

namespace pare::http {

std::string Response::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return "";
}

namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The most one response header line may be, and how many of them: a registry sends a
// dozen; a server that sends without end is cut off.
constexpr size_t kMaxHeaderBytes = 64 << 10;
constexpr size_t kMaxErrorBody = 64 << 10;

struct Exchange {
  const Request* request = nullptr;
  Response response;
  bool error_body_cut = false;  // an error answer longer than kMaxErrorBody: stopped there
  size_t header_bytes = 0;
  std::optional<Error> failure;  // set by a callback that stopped the transfer
  // request body from a file
  int fd = -1;
  uint64_t sent = 0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return std::string(s);
}

size_t on_header(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * nmemb;
  x->header_bytes += n;
  if (x->header_bytes > kMaxHeaderBytes) {
    x->failure = Error(Errc::network, "response headers longer than 64 KiB");
    return 0;
  }
  std::string_view line(ptr, n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 100 Continue): start over
    x->response.headers.clear();
    return n;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  x->response.headers.emplace_back(lower(std::string(line.substr(0, colon))),
                                   trim(line.substr(colon + 1)));
  return n;
}

size_t on_body(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* x = static_cast<Exchange*>(user);
  size_t n = size * nmemb;
  const Request& req = *x->request;
  long status = x->response.status;  // from the status line (on_header_with_status)
  bool success = status >= 200 && status < 300;
  if (success && req.sink) {
    if (auto r = req.sink->write(std::string_view(ptr, n)); !r.ok()) {
      x->failure = r.error();
      return 0;
    }
    return n;
  }
  uint64_t limit = success ? req.max_body : kMaxErrorBody;
  if (x->response.body.size() + n > limit) {
    if (!success) {  // an error page: its start is enough, and one without end must not hang us
      x->error_body_cut = true;
      return 0;
    }
    x->failure = Error(Errc::invalid, "response from " + req.url + " is larger than " +
                                          std::to_string(limit) + " bytes");
    return 0;
  }
  x->response.body.append(ptr, n);
  return n;
}

size_t on_read(char* buffer, size_t size, size_t nitems, void* user) {
  auto* x = static_cast<Exchange*>(user);
  const FileRange& range = *x->request->body_file;
  uint64_t left = range.length - x->sent;
  size_t want = std::min<uint64_t>(left, size * nitems);
  if (want == 0) return 0;
  ssize_t got = ::pread(x->fd, buffer, want, static_cast<off_t>(range.offset + x->sent));
  if (got <= 0) {
    x->failure = Error(Errc::io, "reading " + range.path.string() + " (upload body)");
    return CURL_READFUNC_ABORT;
  }
  x->sent += static_cast<uint64_t>(got);
  if (x->request->on_sent) x->request->on_sent(x->sent);
  return static_cast<size_t>(got);
}

// The status line arrives through the header callback; curl's own record of it is read
// there, so that on_body knows whether it is reading a success or an error answer.
size_t on_header_with_status(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* x = static_cast<Exchange*>(user);
  std::string_view line(ptr, size * nmemb);
  if (line.rfind("HTTP/", 0) == 0) {
    auto sp = line.find(' ');
    if (sp != std::string_view::npos)
      x->response.status = std::atol(std::string(line.substr(sp + 1, 3)).c_str());
  }
  return on_header(ptr, size, nmemb, user);
}

class CurlTransport : public Transport {
 public:
  explicit CurlTransport(const TransportOptions& o) : opts_(o) { global_init(); }
  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<Response> send(const Request& request) override {
    CURL* h = borrow();
    auto result = perform(h, request);
    give_back(h);
    return result;
  }

 private:
  CURL* borrow() {
    std::lock_guard lock(mutex_);
    if (idle_.empty()) return curl_easy_init();
    CURL* h = idle_.back();
    idle_.pop_back();
    return h;
  }
  void give_back(CURL* h) {
    std::lock_guard lock(mutex_);
    idle_.push_back(h);
  }

  Result<Response> perform(CURL* e, const Request& req) {
    curl_easy_reset(e);
    Exchange x;
    x.request = &req;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header_with_status);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, opts_.connect_timeout_s);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, opts_.low_speed_timeout_s);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "pare/0.1");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    // Proxies come from the environment (http_proxy, https_proxy, no_proxy), as curl reads them.
    if (req.tls) {
      if (!req.tls->ca_pem.empty()) {
        curl_blob blob{const_cast<char*>(req.tls->ca_pem.data()), req.tls->ca_pem.size(),
                       CURL_BLOB_NOCOPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
      }
      if (!req.tls->client_cert.empty()) {
        curl_easy_setopt(e, CURLOPT_SSLCERT, req.tls->client_cert.c_str());
        curl_easy_setopt(e, CURLOPT_SSLKEY, req.tls->client_key.c_str());
      }
    }

    curl_slist* headers = nullptr;
    for (const auto& [k, v] : req.headers)
      headers = curl_slist_append(headers, (k + ": " + v).c_str());
    // No "Expect: 100-continue" round trip before a body: registries answer at once.
    headers = curl_slist_append(headers, "Expect:");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers,
                                                                             curl_slist_free_all);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);

    if (req.method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (req.method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req.method.c_str());
      if (req.body_file) {
        x.fd = ::open(req.body_file->path.c_str(), O_RDONLY | O_CLOEXEC);
        if (x.fd < 0) return fs::errno_error("opening upload body", req.body_file->path);
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, &x);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
                         static_cast<curl_off_t>(req.body_file->length));
      } else {
        curl_easy_setopt(e, CURLOPT_POST, 1L);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      }
    }
    // Small requests (manifests, HEADs, tokens) get an overall deadline; blob transfers are
    // bounded by the low-speed limit instead (they may take long, but not stall).
    if (!req.sink && !req.body_file) curl_easy_setopt(e, CURLOPT_TIMEOUT, 300L);
    CURLcode code = curl_easy_perform(e);
    if (x.fd >= 0) ::close(x.fd);
    if (x.failure) return *x.failure;
    if (code == CURLE_WRITE_ERROR && x.error_body_cut) code = CURLE_OK;  // the status is known
    if (code != CURLE_OK) {
      std::string what = errbuf[0] ? errbuf : curl_easy_strerror(code);
      while (!what.empty() && what.back() == '\n') what.pop_back();
      // A TLS handshake that failed (not a certificate that failed verification): what a
      // plain-HTTP server answering a ClientHello looks like, whatever OpenSSL's wording.
      if (code == CURLE_SSL_CONNECT_ERROR)
        what = std::string(kPlainHttpServer) + "? (" + what + ")";
      if (code == CURLE_PEER_FAILED_VERIFICATION)
        what +=
            " (trust its CA with --ca-file FILE or a certs.d directory: "
            "/etc/containers/certs.d/HOST/ca.crt)";
      return Error(Errc::network, what);
    }
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    x.response.status = status;
    return std::move(x.response);
  }

  TransportOptions opts_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

Result<std::string> resolve_url(const std::string& base, const std::string& reference) {
  global_init();
  CURLU* u = curl_url();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> guard(u, curl_url_cleanup);
  if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) != CURLUE_OK ||
      curl_url_set(u, CURLUPART_URL, reference.c_str(), 0) != CURLUE_OK)
    return Error(Errc::invalid, "cannot resolve the URL '" + reference.substr(0, 200) + "'");
  char* out = nullptr;
  if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
    return Error(Errc::invalid, "cannot resolve the URL '" + reference.substr(0, 200) + "'");
  std::string url = out;
  curl_free(out);
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error(Errc::invalid, "'" + url.substr(0, 200) + "' is not an http(s) URL");
  return url;
}

std::string url_origin(std::string_view url) {
  auto p = url.find("://");
  if (p == std::string_view::npos) return "";
  return std::string(url.substr(0, url.find_first_of("/?#", p + 3)));
}

std::unique_ptr<Transport> make_curl_transport(const TransportOptions& options) {
  return std::make_unique<CurlTransport>(options);
}

}  // namespace pare::http
