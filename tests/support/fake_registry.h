// An in-memory distribution registry behind http::Transport, for offline unit tests of the
// registry client (as ninja's VirtualFileSystem stands in for the disk). It speaks enough of
// the distribution spec for pare's client: /v2/, manifests (GET/HEAD/PUT by tag or digest),
// blobs (HEAD/GET, optionally redirected to another host), uploads (POST, mount, PATCH with
// Content-Range, GET status, PUT ?digest=), tags/list. It records every request, can demand
// Basic or bearer auth, and can be told to fail requests (an HTTP status or a dropped
// connection) to exercise retries and resumed uploads.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "registry/auth.h"
#include "util/http_transport.h"
#include "util/sha256.h"

namespace pare::testing {

class FakeRegistry : public http::Transport {
 public:
  struct Logged {
    std::string method, url, authorization;
  };
  struct Fault {
    std::function<bool(const http::Request&)> matches;
    long status = 0;            // 0 = drop the connection (Errc::network)
    uint64_t accept_bytes = 0;  // for a dropped PATCH: how much of its body the registry kept
    std::string retry_after;
    int times = 1;
  };

  std::string host = "registry.example:5000";
  std::string auth;  // "", "basic", "bearer"
  std::string user = "u", password = "p";
  std::string blob_redirect_host;  // when set, blob GETs answer 307 to http://<this>/...
  bool referrers_api = false;
  std::vector<Fault> faults;

  std::map<std::string, std::string> blobs;                              // digest -> bytes
  std::map<std::string, std::map<std::string, std::string>> repos;       // repo -> ref -> digest
  std::map<std::string, std::pair<std::string, std::string>> manifests;  // digest -> type, bytes
  std::map<std::string, std::string> uploads;                            // uuid -> bytes so far
  std::vector<Logged> log;
  int token_requests = 0;

  std::string url(const std::string& path) const { return "http://" + host + path; }
  size_t count(const std::string& method, const std::string& part) {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const auto& l : log)
      if (l.method == method && l.url.find(part) != std::string::npos) ++n;
    return n;
  }

  Result<http::Response> send(const http::Request& req) override {
    std::lock_guard lock(mutex_);
    std::string body = req.body;
    if (req.body_file) {
      int fd = ::open(req.body_file->path.c_str(), O_RDONLY);
      body.resize(req.body_file->length);
      ssize_t got =
          ::pread(fd, body.data(), body.size(), static_cast<off_t>(req.body_file->offset));
      ::close(fd);
      if (got != static_cast<ssize_t>(body.size())) return Error(Errc::io, "short read");
    }
    log.push_back({req.method, req.url, header(req, "Authorization")});
    // The client tries https first; this registry speaks plain HTTP (host must be insecure).
    if (req.url.rfind("https://", 0) == 0) return Error(Errc::network, http::kPlainHttpServer);
    for (auto& f : faults) {
      if (f.times <= 0 || !f.matches(req)) continue;
      --f.times;
      if (f.status == 0) {
        if (req.method == "PATCH") keep_partial(req, body.substr(0, f.accept_bytes));
        return Error(Errc::network, "connection reset (injected)");
      }
      http::Response r{f.status, {}, ""};
      if (!f.retry_after.empty()) r.headers.emplace_back("retry-after", f.retry_after);
      return r;
    }
    http::Response r = route(req, body);
    if (req.sink && r.status >= 200 && r.status < 300 && req.method != "HEAD") {
      PARE_CHECK(req.sink->write(r.body));
      r.body.clear();
    }
    if (req.method == "HEAD") r.body.clear();
    return r;
  }

 private:
  static std::string header(const http::Request& req, const std::string& name) {
    for (const auto& [k, v] : req.headers)
      if (k == name) return v;
    return "";
  }
  static std::string query(const std::string& url, const std::string& key) {
    auto q = url.find('?');
    if (q == std::string::npos) return "";
    std::string rest = url.substr(q + 1);
    for (size_t start = 0; start <= rest.size();) {
      size_t amp = rest.find('&', start);
      std::string pair = rest.substr(start, amp - start);
      if (pair.rfind(key + "=", 0) == 0) return decode(pair.substr(key.size() + 1));
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
    return "";
  }
  static std::string decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  }
  static http::Response answer(long status, std::string body = "", http::Headers h = {}) {
    return http::Response{status, std::move(h), std::move(body)};
  }

  void keep_partial(const http::Request& req, const std::string& part) {
    std::string uuid = upload_uuid(req.url);
    if (uploads.count(uuid)) uploads[uuid] += part;
  }
  std::string upload_uuid(const std::string& url) const {
    auto p = url.find("/blobs/uploads/");
    std::string rest = url.substr(p + 15);
    return rest.substr(0, rest.find('?'));
  }

  bool authorized(const http::Request& req) {
    if (auth.empty()) return true;
    std::string a = header(req, "Authorization");
    if (auth == "basic") return a == "Basic " + base64_encode(user + ":" + password);
    return a == "Bearer token-for-" + user;
  }
  http::Response challenge() const {
    std::string c = auth == "basic" ? "Basic realm=\"fake\""
                                    : "Bearer realm=\"http://auth.example/token\",service=\"fake\"";
    return answer(401,
                  R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                  {{"www-authenticate", c}});
  }

  http::Response route(const http::Request& req, const std::string& body) {
    const std::string& u = req.url;
    if (u.rfind("http://auth.example/token", 0) == 0) {
      ++token_requests;
      if (header(req, "Authorization") != "Basic " + base64_encode(user + ":" + password))
        return answer(401);
      return answer(200, R"({"token":"token-for-)" + user + R"(","expires_in":300})");
    }
    if (!blob_redirect_host.empty() && u.rfind("http://" + blob_redirect_host, 0) == 0) {
      std::string digest = u.substr(u.rfind('/') + 1);
      if (!header(req, "Authorization").empty()) return answer(400, "credentials leaked");
      return blobs.count(digest) ? answer(200, blobs[digest]) : answer(404);
    }
    std::string prefix = "http://" + host + "/v2/";
    if (u.rfind(prefix, 0) != 0) return answer(404);
    if (!authorized(req)) return challenge();
    std::string path = u.substr(prefix.size());
    if (path.empty()) return answer(200, "{}");
    std::string plain = path.substr(0, path.find('?'));
    for (const char* kind :
         {"/manifests/", "/blobs/uploads/", "/blobs/", "/tags/list", "/referrers/"}) {
      auto at = plain.find(kind);
      if (at == std::string::npos) continue;
      std::string repo = plain.substr(0, at), rest = plain.substr(at + std::string(kind).size());
      std::string k = kind;
      if (k == "/manifests/") return manifest(req, repo, rest, body);
      if (k == "/blobs/uploads/") return upload(req, repo, rest, body);
      if (k == "/blobs/") return blob(req, repo, rest);
      if (k == "/tags/list") {
        std::string list;
        for (const auto& [ref, d] : repos[repo])
          if (ref.rfind("sha256:", 0) != 0) list += (list.empty() ? "\"" : ",\"") + ref + "\"";
        return answer(200, R"({"name":")" + repo + R"(","tags":[)" + list + "]}");
      }
      if (!referrers_api) return answer(404);
      nlohmann::json list = nlohmann::json::array();
      for (const auto& [d, m] : manifests) {
        auto j = nlohmann::json::parse(m.second, nullptr, false);
        if (j.is_object() && j.contains("subject") && j["subject"].value("digest", "") == rest)
          list.push_back({{"mediaType", m.first},
                          {"digest", d},
                          {"size", m.second.size()},
                          {"artifactType", j.value("artifactType", "")}});
      }
      nlohmann::json index = {{"schemaVersion", 2},
                              {"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"manifests", list}};
      return answer(200, index.dump(),
                    {{"content-type", "application/vnd.oci.image.index.v1+json"}});
    }
    return answer(404);
  }

  http::Response manifest(const http::Request& req, const std::string& repo, const std::string& ref,
                          const std::string& body) {
    if (req.method == "PUT") {
      std::string digest = "sha256:" + sha256_hex(body);
      if (ref.rfind("sha256:", 0) == 0 && ref != digest) return answer(400);
      manifests[digest] = {header(req, "Content-Type"), body};
      repos[repo][ref] = digest;
      repos[repo][digest] = digest;
      http::Headers h{{"docker-content-digest", digest}};
      if (referrers_api && body.find(R"("subject":{)") != std::string::npos)
        h.emplace_back("oci-subject", "yes");
      return answer(201, "", h);
    }
    auto it = repos[repo].find(ref);
    if (it == repos[repo].end()) return answer(404, R"({"errors":[{"code":"MANIFEST_UNKNOWN"}]})");
    const auto& [type, bytes] = manifests[it->second];
    return answer(200, bytes,
                  {{"content-type", type},
                   {"docker-content-digest", it->second},
                   {"content-length", std::to_string(bytes.size())}});
  }

  http::Response blob(const http::Request& req, const std::string& repo,
                      const std::string& digest) {
    if (!repo_has(repo, digest)) return answer(404);
    if (!blob_redirect_host.empty() && req.method == "GET")
      return answer(307, "", {{"location", "http://" + blob_redirect_host + "/b/" + digest}});
    return answer(200, req.method == "HEAD" ? "" : blobs[digest],
                  {{"content-length", std::to_string(blobs[digest].size())}});
  }
  bool repo_has(const std::string& repo, const std::string& digest) {
    return blobs.count(digest) && linked_[repo].count(digest);
  }

  http::Response upload(const http::Request& req, const std::string& repo, const std::string& uuid,
                        const std::string& body) {
    if (req.method == "POST") {
      std::string mount = query(req.url, "mount"), from = query(req.url, "from");
      if (!mount.empty() && repo_has(from, mount)) {
        linked_[repo].insert(mount);
        return answer(201, "", {{"location", "/v2/" + repo + "/blobs/" + mount}});
      }
      std::string id = "u" + std::to_string(next_upload_++);
      uploads[id] = "";
      return answer(202, "", {{"location", "/v2/" + repo + "/blobs/uploads/" + id}});
    }
    auto it = uploads.find(uuid);
    if (it == uploads.end()) return answer(404, R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN"}]})");
    std::string range_of =
        it->second.empty() ? "0-0" : "0-" + std::to_string(it->second.size() - 1);
    if (req.method == "GET") return answer(204, "", {{"range", range_of}});
    if (req.method == "PATCH") {
      std::string range = header(req, "Content-Range");
      if (std::stoull(range.substr(0, range.find('-'))) != it->second.size()) return answer(416);
      it->second += body;
      return answer(202, "",
                    {{"location", "/v2/" + repo + "/blobs/uploads/" + uuid},
                     {"range", "0-" + std::to_string(it->second.size() - 1)}});
    }
    // PUT ?digest=: the body (if any) completes the upload.
    it->second += body;
    std::string digest = query(req.url, "digest");
    if ("sha256:" + sha256_hex(it->second) != digest)
      return answer(400, R"({"errors":[{"code":"DIGEST_INVALID"}]})");
    blobs[digest] = it->second;
    linked_[repo].insert(digest);
    uploads.erase(it);
    return answer(201, "", {{"docker-content-digest", digest}});
  }

  std::mutex mutex_;
  std::map<std::string, std::set<std::string>> linked_;  // repo -> blobs it holds
  int next_upload_ = 0;
};

}  // namespace pare::testing
