// A client for one registry host (OCI distribution spec v1.1, "spec.md"): where it is
// (https; plain http only for loopback hosts and --insecure-registry ones), how it wants to
// be authenticated (anonymous, Basic, or bearer tokens from its token server per scope set,
// as the distribution project's token spec describes), and requests with retries:
// connection failures, 5xx, 408 and 429 are retried with bounded exponential backoff, a
// Retry-After is honoured (up to a minute). Redirects are followed for downloads only, and
// the Authorization header is not sent to another host.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "registry/auth.h"
#include "registry/credentials.h"
#include "util/http_transport.h"

namespace pare::registry {

struct ClientOptions {
  std::vector<std::string> insecure_registries;  // hosts ("host[:port]") plain HTTP may reach
  std::filesystem::path ca_file;                 // trusted besides the system roots
  // Per-registry CA directories, as docker and podman lay them out: DIR/HOST[:PORT]/*.crt
  // (client.cert + client.key for mutual TLS).
  std::vector<std::filesystem::path> certs_dirs{"/etc/containers/certs.d", "/etc/docker/certs.d"};
  std::filesystem::path system_roots = "/etc/ssl/certs/ca-certificates.crt";
  int retries = 5;
  std::chrono::milliseconds backoff_base{200};
  std::chrono::milliseconds backoff_cap{5000};
  // How to wait between retries (tests count the waits instead).
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct Call {
  std::string method = "GET";
  std::string target;  // "/v2/..." or an absolute URL the registry gave (an upload Location)
  http::Headers headers;
  std::string body;
  std::optional<http::FileRange> body_file;
  fs::ByteSink* sink = nullptr;
  uint64_t max_body = uint64_t{4} << 20;
  std::vector<std::string> scopes;  // "repository:team/app:pull,push"
  bool retry = true;                // false for steps whose caller resumes by itself
  bool follow_redirects = false;    // blob downloads
  std::function<void(uint64_t)> on_sent;
};

class Registry {
 public:
  Registry(std::string host, http::Transport& transport, CredentialEnv credentials,
           ClientOptions options);
  const std::string& host() const { return host_; }

  // Sends the call with authentication, retries and (when asked) redirects. Any HTTP
  // status comes back as a Response; only "no answer" is an error (Errc::network).
  Result<http::Response> send(const Call& call);
  // The absolute URL of "/v2/..." on this registry.
  Result<std::string> url(std::string_view path);

  // An error for an answer the caller did not expect: the registry's own error code and
  // message (distribution spec "Error Codes"), and what the user can do.
  Error status_error(const http::Response& response, const std::string& what) const;

  // Which repositories of this registry hold a blob, as far as this process has seen (an
  // upload, a mount, a HEAD that found it, a pull): a later push to another repository mounts
  // it, and a later push to the same one needs no HEAD (the family's 28 tags share most
  // blobs: a repository is asked about each once). A blob that went missing since fails the
  // manifest PUT that names it (the registry checks), never makes a wrong image.
  void remember_blob(const std::string& digest, const std::string& repository);
  std::optional<std::string> repository_with_blob(const std::string& digest,
                                                  const std::string& except);
  bool blob_known_in(const std::string& digest, const std::string& repository);

  // Whether the registry's /v2/ answered with a challenge (Basic or bearer).
  bool asks_for_credentials() {
    std::lock_guard lock(mutex_);
    return challenge_.has_value();
  }

  // How many times send() has waited before retrying (for tests and --json reports).
  int retries_done() const { return retries_done_; }

 private:
  Result<void> ensure_endpoint();
  Error auth_error() const;  // 401: wrong credentials, or none and where they were looked for
  Result<std::optional<std::string>> authorization(const std::vector<std::string>& scopes,
                                                   bool refresh);
  Result<std::string> fetch_token(const std::vector<std::string>& scopes);
  Result<http::Response> send_once(const Call& call, const std::string& url, bool with_auth,
                                   bool refresh_auth);
  Result<void> load_credential();
  void wait(int attempt, const http::Response* response);
  bool plain_http_allowed() const;

  std::string host_;
  http::Transport& transport_;
  CredentialEnv credential_env_;
  ClientOptions options_;
  http::TlsOptions tls_;

  std::mutex mutex_;
  std::string base_;  // "https://host" once known
  std::optional<Challenge> challenge_;
  bool credential_loaded_ = false;
  std::optional<Credential> credential_;
  std::map<std::string, std::string> tokens_;  // scope set -> bearer token
  std::atomic<int> retries_done_{0};
  std::map<std::string, std::set<std::string>> blob_homes_;  // digest -> repositories holding it
};

// One Registry per host, shared by everything one command does (tokens and connections
// are reused from image to image).
class RegistryPool {
 public:
  RegistryPool(http::Transport& transport, CredentialEnv credentials, ClientOptions options)
      : transport_(transport), credentials_(std::move(credentials)), options_(std::move(options)) {}
  Registry& get(const std::string& host);

 private:
  http::Transport& transport_;
  CredentialEnv credentials_;
  ClientOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Registry>> registries_;
};

// Whether a host is a loopback address or name ("localhost", 127.0.0.0/8, "[::1]").
bool is_loopback_host(std::string_view host_and_port);

}  // namespace pare::registry
