#include "registry/client.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "util/fs.h"
#include "util/log.h"

namespace pare::registry {

namespace {

namespace stdfs = std::filesystem;

constexpr int64_t kMaxRetryAfterSeconds = 60;

bool is_transient_status(long status) {
  return status >= 500 || status == 429 || status == 408;
}

std::string strip_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') return std::string(host.substr(0, host.find(']') + 1));
  return std::string(
      host.substr(0, host.rfind(':') == std::string_view::npos ? host.size() : host.rfind(':')));
}

std::string origin_of(std::string_view url) {
  return http::url_origin(url);
}

// A URL as logs and errors show it: without its query (signed blob-storage URLs carry their
// credentials there).
std::string shown_url(const std::string& url) {
  return url.substr(0, url.find('?'));
}

// Registry-controlled text as messages show it: no control characters, at most `limit` bytes.
std::string printable(std::string_view text, size_t limit) {
  std::string out;
  for (char c : text) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  return out;
}

// Certificates a registry's certs.d directories hold, and its client certificate.
Result<void> add_certs_dir(const stdfs::path& dir, http::TlsOptions& tls) {
  std::error_code ec;
  if (!stdfs::is_directory(dir, ec)) return {};
  std::vector<stdfs::path> files;
  for (const auto& e : stdfs::directory_iterator(dir, ec)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    if (f.extension() == ".crt") {
      PARE_TRY(std::string pem, fs::read_file(f, uint64_t{4} << 20));
      tls.ca_pem += "\n" + pem;
    } else if (f.extension() == ".cert") {
      tls.client_cert = f;
      tls.client_key = stdfs::path(f).replace_extension(".key");
    }
  }
  return {};
}

}  // namespace

// An IPv4 literal in 127.0.0.0/8: four decimal octets, the first 127 (a name such as
// "127.example" is not one).
bool is_loopback_ipv4(std::string_view host) {
  int parts = 0;
  for (size_t start = 0; start <= host.size(); ++parts) {
    size_t dot = host.find('.', start);
    std::string_view octet = host.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (octet.empty() || octet.size() > 3 ||
        !std::all_of(octet.begin(), octet.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        std::stoi(std::string(octet)) > 255 || (parts == 0 && octet != "127"))
      return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 3;
}

bool is_loopback_host(std::string_view host_and_port) {
  std::string host = strip_port(host_and_port);
  return host == "localhost" || host == "[::1]" || is_loopback_ipv4(host);
}

Registry::Registry(std::string host, http::Transport& transport, CredentialEnv credentials,
                   ClientOptions options)
    : host_(std::move(host)),
      transport_(transport),
      credential_env_(std::move(credentials)),
      options_(std::move(options)) {}

bool Registry::plain_http_allowed() const {
  if (is_loopback_host(host_)) return true;
  for (const auto& h : options_.insecure_registries)
    if (h == host_ || h == strip_port(host_)) return true;
  return false;
}

// The trust anchors: the system roots, --ca-file, then the certs.d directories for this host.
Result<void> Registry::ensure_endpoint() {
  if (!base_.empty()) return {};
  bool extra = false;
  http::TlsOptions tls;
  if (!options_.ca_file.empty()) {
    PARE_TRY(std::string pem, fs::read_file(options_.ca_file, uint64_t{4} << 20));
    tls.ca_pem += pem;
    extra = true;
  }
  for (const auto& dir : options_.certs_dirs) {
    size_t before = tls.ca_pem.size();
    PARE_CHECK(add_certs_dir(dir / host_, tls));
    extra = extra || tls.ca_pem.size() != before || !tls.client_cert.empty();
  }
  if (extra && fs::exists(options_.system_roots)) {
    PARE_TRY(std::string roots, fs::read_file(options_.system_roots, uint64_t{16} << 20));
    tls.ca_pem = roots + "\n" + tls.ca_pem;
  }
  tls_ = std::move(tls);
  // Ping /v2/ over https; a loopback or insecure registry that answers TLS with plain HTTP
  // is then spoken to over http (as docker and podman do for such registries).
  for (const char* scheme : {"https://", "http://"}) {
    http::Request ping;
    ping.url = scheme + host_ + "/v2/";
    ping.tls = &tls_;
    ping.max_body = 64 << 10;
    auto r = transport_.send(ping);
    // A dropped connection or a name that did not resolve this once: tried again, as any
    // other request is (a failed handshake or certificate is not retried).
    for (int attempt = 0; !r.ok() && attempt < options_.retries &&
                          r.error().message().find(http::kPlainHttpServer) == std::string::npos &&
                          r.error().message().find("certificate") == std::string::npos;
         ++attempt) {
      wait(attempt, nullptr);
      r = transport_.send(ping);
    }
    if (!r.ok()) {
      bool plain = r.error().message().find(http::kPlainHttpServer) != std::string::npos;
      if (plain && std::string(scheme) == "https://" && plain_http_allowed()) continue;
      if (plain)
        return Error(Errc::network, host_ +
                                        " answers in plain HTTP, not HTTPS; pass "
                                        "--insecure-registry " +
                                        host_ + " if that is intended");
      return Error(Errc::network, "registry " + host_ + " is unreachable: " + r.error().message());
    }
    if (r->status == 401) {
      auto challenges = parse_www_authenticate(r->header("www-authenticate"));
      if (!challenges.ok()) return challenges.error().context(host_);
      for (const auto& c : challenges.value())
        if (c.scheme == "bearer" || c.scheme == "basic") {
          challenge_ = c;
          break;
        }
    }
    base_ = std::string(scheme) + host_;
    PARE_LOG(debug) << "registry " << host_ << ": " << base_
                    << (challenge_ ? " (auth: " + challenge_->scheme + ")" : " (anonymous)");
    return {};
  }
  return Error(Errc::internal, "unreachable");
}

Result<std::string> Registry::url(std::string_view path) {
  std::lock_guard lock(mutex_);
  PARE_CHECK(ensure_endpoint());
  return base_ + std::string(path);
}

Result<void> Registry::load_credential() {
  if (credential_loaded_) return {};
  PARE_TRY(credential_, find_credential(host_, credential_env_));
  credential_loaded_ = true;
  return {};
}

Result<std::string> Registry::fetch_token(const std::vector<std::string>& scopes) {
  const auto& p = challenge_->params;
  auto realm = p.find("realm");
  if (realm == p.end() || realm->second.empty())
    return Error(Errc::invalid, host_ + " asks for a bearer token but names no token server");
  std::string url = realm->second;
  // The password goes to the token server: never in clear text to a remote one.
  bool tls = url.rfind("https://", 0) == 0;
  if (!tls && !(url.rfind("http://", 0) == 0 && plain_http_allowed()))
    return Error(Errc::invalid, host_ + " names the token server '" + printable(url, 200) +
                                    "', which is not https: refused (credentials would cross "
                                    "the network in clear text)");
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  if (auto s = p.find("service"); s != p.end()) {
    url += sep + std::string("service=") + url_encode(s->second);
    sep = '&';
  }
  for (const auto& scope : scopes) {
    url += sep + std::string("scope=") + url_encode(scope);
    sep = '&';
  }
  http::Request req;
  req.url = url;
  req.tls = &tls_;
  req.max_body = 1 << 20;
  if (credential_)
    req.headers.emplace_back("Authorization", "Basic " + base64_encode(credential_->username + ":" +
                                                                       credential_->secret));
  auto r = transport_.send(req);
  if (!r.ok())
    return Error(Errc::network,
                 "token server of " + host_ + " is unreachable: " + r.error().message());
  if (r->status == 401 || r->status == 403) return auth_error();
  if (r->status != 200) return status_error(r.value(), "token request to " + origin_of(url));
  PARE_TRY(Token t, parse_token_response(r->body));
  return t.token;
}

Result<std::optional<std::string>> Registry::authorization(const std::vector<std::string>& scopes,
                                                           bool refresh) {
  if (!challenge_) return std::optional<std::string>();
  PARE_CHECK(load_credential());
  if (challenge_->scheme == "basic") {
    if (!credential_) return std::optional<std::string>();
    return std::optional<std::string>(
        "Basic " + base64_encode(credential_->username + ":" + credential_->secret));
  }
  std::string key;
  for (const auto& s : scopes) key += s + " ";
  if (refresh) tokens_.erase(key);
  auto it = tokens_.find(key);
  if (it == tokens_.end()) {
    PARE_TRY(std::string token, fetch_token(scopes));
    it = tokens_.emplace(key, std::move(token)).first;
  }
  return std::optional<std::string>("Bearer " + it->second);
}

Result<http::Response> Registry::send_once(const Call& call, const std::string& url, bool with_auth,
                                           bool refresh_auth) {
  http::Request req;
  req.method = call.method;
  req.url = url;
  req.headers = call.headers;
  req.body = call.body;
  req.body_file = call.body_file;
  req.sink = call.sink;
  req.max_body = call.max_body;
  req.tls = &tls_;
  req.on_sent = call.on_sent;
  if (with_auth) {
    std::optional<std::string> auth;
    {
      std::lock_guard lock(mutex_);
      PARE_TRY(auth, authorization(call.scopes, refresh_auth));
    }
    if (auth) req.headers.emplace_back("Authorization", *auth);
  }
  return transport_.send(req);
}

void Registry::wait(int attempt, const http::Response* response) {
  auto delay = std::min(options_.backoff_cap, options_.backoff_base * (1 << std::min(attempt, 10)));
  if (response) {
    std::string after = response->header("retry-after");
    char* end = nullptr;
    long long s = std::strtoll(after.c_str(), &end, 10);
    if (!after.empty() && *end == '\0' && s >= 0)
      delay = std::chrono::seconds(std::min<long long>(s, kMaxRetryAfterSeconds));
  }
  ++retries_done_;
  if (options_.sleep)
    options_.sleep(delay);
  else
    std::this_thread::sleep_for(delay);
}

Result<http::Response> Registry::send(const Call& call) {
  // "/v2/..." paths, and Locations the registry gave (absolute, path-absolute or relative),
  // resolved as RFC 3986 says.
  PARE_TRY(std::string root, this->url("/v2/"));
  PARE_TRY(std::string url, http::resolve_url(root, call.target));
  std::string own_origin;
  {
    std::lock_guard lock(mutex_);
    own_origin = base_;
  }
  bool refreshed = false;
  for (int attempt = 0, redirects = 0;;) {
    bool same_host = origin_of(url) == own_origin;
    auto r = send_once(call, url, same_host, false);
    if (r.ok() && r->status == 401 && same_host && !refreshed) {
      // A token for too small a scope, or an expired one: the challenge says what to ask for.
      auto challenges = parse_www_authenticate(r->header("www-authenticate"));
      if (challenges.ok())
        for (const auto& c : challenges.value())
          if (c.scheme == "bearer" || c.scheme == "basic") {
            std::lock_guard lock(mutex_);
            challenge_ = c;
          }
      refreshed = true;
      r = send_once(call, url, true, true);
    }
    if (r.ok() && call.follow_redirects && r->status >= 301 && r->status <= 308 &&
        r->status != 304 && !r->header("location").empty()) {
      if (++redirects > 5) return Error(Errc::network, "more than 5 redirects from " + url);
      PARE_TRY(url, http::resolve_url(url, r->header("location")));
      continue;  // to another host without the Authorization header (send_once: same_host)
    }
    bool transient = !r.ok() ? r.error().code() == Errc::network : is_transient_status(r->status);
    // A body already streamed into the caller's sink cannot be taken back: the caller retries.
    bool retry = call.retry && !call.sink;
    if (!transient || !retry || attempt >= options_.retries) {
      if (!r.ok()) return r.error().context(call.method + " " + shown_url(url));
      return r;
    }
    PARE_LOG(info) << "retrying " << call.method << " " << shown_url(url) << " ("
                   << (r.ok() ? "HTTP " + std::to_string(r->status) : r.error().message()) << ")";
    wait(attempt++, r.ok() ? &r.value() : nullptr);
  }
}

Error Registry::auth_error() const {
  if (credential_)
    return Error(Errc::invalid, host_ + " refused the credentials from " + credential_->source +
                                    " (wrong username or password?)");
  std::string places;
  for (const auto& place : credential_places(credential_env_))
    places += (places.empty() ? "" : ", ") + place;
  return Error(Errc::invalid, host_ + " requires credentials; none were found in: " + places +
                                  " (run `pare login " + host_ + "`)");
}

Error Registry::status_error(const http::Response& response, const std::string& what) const {
  std::string detail;
  bool digest_invalid = false;
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_discarded() && j.is_object() && j.contains("errors") && j["errors"].is_array())
    for (const auto& e : j["errors"]) {
      if (!e.is_object()) continue;
      std::string code =
          e.contains("code") && e["code"].is_string() ? e["code"].get<std::string>() : "";
      std::string msg =
          e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "";
      if (detail.size() > 400) break;
      detail += (detail.empty() ? "" : "; ") + printable(code, 60) +
                (msg.empty() ? "" : ": " + printable(msg, 200));
      digest_invalid = digest_invalid || code == "DIGEST_INVALID";
    }
  std::string base = what + ": HTTP " + std::to_string(response.status) +
                     (detail.empty() ? "" : " (" + detail + ")");
  // The registry hashed what it received, and it was not what the digest says.
  if (digest_invalid && response.status == 400) return Error(Errc::integrity, base);
  switch (response.status) {
    case 401: {
      // A token without the scope asked for: the credentials are right but not enough.
      auto challenges = parse_www_authenticate(response.header("www-authenticate"));
      if (challenges.ok())
        for (const auto& c : challenges.value())
          if (auto e = c.params.find("error");
              e != c.params.end() && e->second == "insufficient_scope")
            return Error(Errc::invalid,
                         what + ": " + host_ + " denied it: the credentials from " +
                             (credential_ ? credential_->source : std::string("(none)")) +
                             " do not grant " +
                             (c.params.count("scope") ? c.params.at("scope") : std::string("it")) +
                             " (a push needs the repository's push scope)");
      return auth_error().context(what);
    }
    case 403:
      return Error(Errc::invalid,
                   base + "; the credentials for " + host_ +
                       " do not allow this (push needs the repository's push scope)");
    case 404:
      return Error(Errc::not_found, base);
    case 413:
      return Error(Errc::invalid, base +
                                      "; the registry refuses something this large (quota or "
                                      "size limit)");
    default:
      return Error(response.status >= 500 || response.status == 429 ? Errc::network : Errc::invalid,
                   base);
  }
}

void Registry::remember_blob(const std::string& digest, const std::string& repository) {
  std::lock_guard lock(mutex_);
  blob_homes_[digest].insert(repository);
}

std::optional<std::string> Registry::repository_with_blob(const std::string& digest,
                                                          const std::string& except) {
  std::lock_guard lock(mutex_);
  auto it = blob_homes_.find(digest);
  if (it == blob_homes_.end()) return std::nullopt;
  for (const auto& repo : it->second)
    if (repo != except) return repo;
  return std::nullopt;
}

bool Registry::blob_known_in(const std::string& digest, const std::string& repository) {
  std::lock_guard lock(mutex_);
  auto it = blob_homes_.find(digest);
  return it != blob_homes_.end() && it->second.count(repository) > 0;
}

Registry& RegistryPool::get(const std::string& host) {
  std::lock_guard lock(mutex_);
  auto& r = registries_[host];
  if (!r) r = std::make_unique<Registry>(host, transport_, credentials_, options_);
  return *r;
}

}  // namespace pare::registry
