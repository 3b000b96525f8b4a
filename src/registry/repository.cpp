#include "registry/repository.h"

#include <nlohmann/json.hpp>
#include <set>

#include "util/sha256.h"

namespace pare::registry {

namespace {

// Hashes and counts what passes to the real sink; refuses more than the descriptor's size.
class VerifyingSink : public fs::ByteSink {
 public:
  VerifyingSink(fs::ByteSink& out, uint64_t limit) : out_(out), limit_(limit) {}
  Result<void> write(std::string_view bytes) override {
    received_ += bytes.size();
    if (received_ > limit_)
      return Error(Errc::integrity, "the registry sent more than the " + std::to_string(limit_) +
                                        " bytes the descriptor says");
    hash_.update(bytes);
    return out_.write(bytes);
  }
  uint64_t received() const { return received_; }
  std::string hex() { return hash_.hex_digest(); }

 private:
  fs::ByteSink& out_;
  uint64_t limit_;
  uint64_t received_ = 0;
  Sha256 hash_;
};

oci::Descriptor descriptor_from_headers(const http::Response& r) {
  oci::Descriptor d;
  d.media_type = r.header("content-type");
  if (auto semi = d.media_type.find(';'); semi != std::string::npos) d.media_type.resize(semi);
  d.digest = r.header("docker-content-digest");
  d.size = std::strtoull(r.header("content-length").c_str(), nullptr, 10);
  return d;
}

// A manifest reference with ':' is a digest (tags cannot hold one); pare checks sha256 only,
// so any other algorithm is refused rather than taken on the registry's word.
constexpr size_t kMaxTags = 100000;

bool is_digest(const std::string& ref) {
  return ref.find(':') != std::string::npos;
}
Result<void> check_digest_ref(const std::string& ref) {
  if (is_digest(ref) && ref.rfind("sha256:", 0) != 0)
    return Error(Errc::unsupported, "digest '" + ref.substr(0, 80) +
                                        "': pare verifies sha256 digests only; name the image "
                                        "by its sha256 digest or a tag");
  return {};
}

}  // namespace

std::string referrers_tag(const std::string& digest) {
  std::string tag = digest;
  if (auto colon = tag.find(':'); colon != std::string::npos) tag[colon] = '-';
  return tag.substr(0, 128);
}

Result<std::optional<oci::Descriptor>> Repository::head_manifest(const std::string& ref) {
  PARE_CHECK(check_digest_ref(ref));
  Call call;
  call.method = "HEAD";
  call.target = path("manifests/" + ref);
  call.headers = {{"Accept", oci::manifest_accept_header()}};
  call.scopes = {pull_scope()};
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status == 404) return std::optional<oci::Descriptor>();
  if (r.status != 200) return registry_.status_error(r, "HEAD " + name_ + ":" + ref);
  oci::Descriptor d = descriptor_from_headers(r);
  if (d.digest.empty() && is_digest(ref)) d.digest = ref;
  return std::optional<oci::Descriptor>(std::move(d));
}

Result<std::pair<oci::Descriptor, std::string>> Repository::get_manifest(const std::string& ref) {
  PARE_CHECK(check_digest_ref(ref));
  Call call;
  call.target = path("manifests/" + ref);
  call.headers = {{"Accept", oci::manifest_accept_header()}};
  call.scopes = {pull_scope()};
  call.max_body = oci::kMaxManifestBytes;
  std::string shown = registry_.host() + "/" + name_ + (is_digest(ref) ? "@" : ":") + ref;
  auto r = registry_.send(call);
  if (!r.ok()) {
    if (r.error().message().find("larger than") != std::string::npos)
      return Error(Errc::invalid, shown + ": manifest larger than 4 MiB, refused");
    return r.error();
  }
  if (r->status == 404)
    return Error(Errc::not_found, shown + ": no such manifest (unknown tag or repository)");
  if (r->status != 200) return registry_.status_error(r.value(), "GET " + shown);
  oci::Descriptor d = descriptor_from_headers(r.value());
  std::string hex = sha256_hex(r->body);
  std::string expected = is_digest(ref) ? ref : d.digest;
  if (!expected.empty() && expected != "sha256:" + hex)
    return Error(Errc::integrity,
                 shown + ": the manifest's bytes hash to sha256:" + hex + ", not " + expected);
  d.digest = "sha256:" + hex;
  d.size = r->body.size();
  PARE_TRY(d.media_type, oci::document_media_type(r->body, d.media_type));
  return std::make_pair(std::move(d), std::move(r->body));
}

Result<std::string> Repository::put_manifest(const std::string& ref, const std::string& media_type,
                                             std::string_view bytes) {
  Call call;
  call.method = "PUT";
  call.target = path("manifests/" + ref);
  call.headers = {{"Content-Type", media_type}};
  call.body = std::string(bytes);
  call.scopes = {push_scope()};
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status != 201 && r.status != 200)
    return registry_.status_error(r, "PUT manifest " + registry_.host() + "/" + name_ + ":" + ref);
  return r.header("oci-subject");
}

Result<bool> Repository::has_blob(const std::string& digest) {
  Call call;
  call.method = "HEAD";
  call.target = path("blobs/" + digest);
  call.scopes = {pull_scope()};
  call.follow_redirects = true;
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  return registry_.status_error(r, "HEAD blob " + digest + " in " + name_);
}

Result<void> Repository::get_blob(const oci::Descriptor& d, fs::ByteSink& sink) {
  VerifyingSink verify(sink, d.size);
  Call call;
  call.target = path("blobs/" + d.digest);
  call.scopes = {pull_scope()};
  call.follow_redirects = true;
  call.sink = &verify;  // streamed: send() does not retry it (the caller starts again)
  std::string shown = registry_.host() + "/" + name_ + "@" + d.digest;
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status == 404) return Error(Errc::not_found, shown + ": no such blob");
  if (r.status != 200) return registry_.status_error(r, "GET blob " + shown);
  if (verify.received() != d.size)
    return Error(Errc::network, shown + ": got " + std::to_string(verify.received()) +
                                    " bytes, the descriptor says " + std::to_string(d.size) +
                                    " (the transfer broke off)");
  std::string hex = verify.hex();
  if (d.digest != "sha256:" + hex)
    return Error(Errc::integrity, shown + ": the blob's bytes hash to sha256:" + hex +
                                      ", not its digest (changed on the registry?)");
  return {};
}

Result<bool> Repository::mount_blob(const std::string& digest, const std::string& from) {
  Call call;
  call.method = "POST";
  call.target = path("blobs/uploads/?mount=" + url_encode(digest) + "&from=" + url_encode(from));
  call.scopes = {push_scope(), "repository:" + from + ":pull"};
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status == 201) return true;
  if (r.status == 202) {  // not mounted: the registry opened an upload session instead
    cancel_upload(r.header("location"));
    return false;
  }
  if (r.status == 401 || r.status == 403 || r.status == 404) return false;
  return registry_.status_error(r, "mounting " + digest + " from " + from);
}

void Repository::cancel_upload(const std::string& location) {
  if (location.empty()) return;
  Call cancel;
  cancel.method = "DELETE";
  cancel.target = location;
  cancel.scopes = {push_scope()};
  cancel.retry = false;
  (void)registry_.send(cancel);  // best effort: an unused session also expires by itself
}

Result<std::vector<std::string>> Repository::tags() {
  std::vector<std::string> out;
  std::string target = path("tags/list?n=1000");
  std::set<std::string> seen;
  for (int page = 0; page < 1000 && !target.empty() && seen.insert(target).second; ++page) {
    Call call;
    call.target = target;
    call.scopes = {pull_scope()};
    call.max_body = 16 << 20;
    PARE_TRY(http::Response r, registry_.send(call));
    if (r.status == 404)
      return Error(Errc::not_found, registry_.host() + "/" + name_ + ": no such repository");
    if (r.status != 200) return registry_.status_error(r, "listing tags of " + name_);
    auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return Error(Errc::invalid, "tag list of " + name_ + " is not a JSON object");
    if (auto t = j.find("tags"); t != j.end() && t->is_array())
      for (const auto& tag : *t)
        if (tag.is_string()) out.push_back(tag.get<std::string>());
    if (out.size() > kMaxTags)
      return Error(Errc::invalid, name_ + ": more than " + std::to_string(kMaxTags) + " tags");
    // Pagination (spec "Listing Tags"): Link: </v2/...?n=..&last=..>; rel="next"
    target.clear();
    std::string link = r.header("link");
    auto lt = link.find('<'), gt = link.find('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt &&
        link.find("rel=\"next\"") != std::string::npos)
      target = link.substr(lt + 1, gt - lt - 1);
  }
  return out;
}

Result<std::optional<std::string>> Repository::referrers_api(const std::string& digest) {
  Call call;
  call.target = path("referrers/" + digest);
  call.scopes = {pull_scope()};
  call.max_body = oci::kMaxManifestBytes;
  PARE_TRY(http::Response r, registry_.send(call));
  if (r.status == 404) return std::optional<std::string>();
  if (r.status != 200) return registry_.status_error(r, "listing referrers of " + digest);
  std::string type = r.header("content-type");
  if (type.rfind(oci::media::kOciIndex, 0) != 0) return std::optional<std::string>();
  return std::optional<std::string>(std::move(r.body));
}

}  // namespace pare::registry
