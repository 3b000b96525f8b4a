#include "registry/push.h"

#include <map>
#include <mutex>
#include <set>

#include "util/parallel.h"

namespace pare::registry {

namespace {

// "python3:nonroot" -> {"python3", "nonroot"}; "latest" -> {"", "latest"}.
std::pair<std::string, std::string> split_tag(const std::string& tag) {
  auto colon = tag.rfind(':');
  if (colon == std::string::npos) return {"", tag};
  return {tag.substr(0, colon), tag.substr(colon + 1)};
}

}  // namespace

Result<std::vector<TagTarget>> map_tags(const std::vector<std::string>& source_tags,
                                        const Reference& destination) {
  if (source_tags.empty()) return Error(Errc::invalid, "the source has no tags to push");
  std::vector<TagTarget> out;
  bool by_digest = source_tags.size() == 1 && source_tags[0].rfind("sha256:", 0) == 0;
  if (by_digest && destination.tag.empty())
    return Error(Errc::invalid,
                 "the source is named by digest, which is no tag to push under: "
                 "give the destination one (" +
                     destination.registry + "/" + destination.repository + ":TAG)");
  if (!destination.tag.empty() || !destination.digest.empty()) {
    if (source_tags.size() != 1)
      return Error(Errc::invalid, destination.str() + " names one tag, but the source has " +
                                      std::to_string(source_tags.size()) +
                                      "; push to a repository (no :TAG) or pick one source tag");
    Reference r = destination;
    r.digest.clear();
    if (r.tag.empty()) r.tag = split_tag(source_tags[0]).second;
    return std::vector<TagTarget>{{source_tags[0], r}};
  }
  std::set<std::string> names;
  for (const auto& t : source_tags) names.insert(split_tag(t).first);
  for (const auto& t : source_tags) {
    auto [name, tag] = split_tag(t);
    Reference r = destination;
    if (names.size() > 1 && !name.empty()) r.repository += "/" + name;
    auto check = parse_reference(r.registry + "/" + r.repository + ":" + tag);
    if (!check.ok())
      return Error(Errc::invalid, "source tag '" + t + "' cannot be pushed as " + r.registry + "/" +
                                      r.repository + ":" + tag + ": " + check.error().message());
    r.tag = tag;
    out.push_back({t, r});
  }
  return out;
}

Result<std::vector<Pushed>> push_tags(oci::ImageSource& source,
                                      const std::vector<std::string>& tags,
                                      const Reference& destination, RegistryPool& pool,
                                      const PushOptions& options) {
  std::vector<std::string> source_tags = tags;
  if (source_tags.empty()) {
    PARE_TRY(source_tags, source.tags());
  }
  PARE_TRY(auto targets, map_tags(source_tags, destination));
  std::vector<Pushed> out(targets.size());
  // Each copy checks and uploads its blobs in parallel; a re-push of a whole family is one
  // HEAD per tag.
  auto push_one = [&](size_t i) -> Result<void> {
    const TagTarget& t = targets[i];
    PARE_TRY(oci::Descriptor root, source.resolve(t.source_tag));
    auto dest = open_registry_destination(pool, t.target, options);
    oci::CopyOptions copy;
    copy.progress = options.progress;
    auto r = oci::copy_image(source, root, *dest, {t.target.tag}, copy);
    if (!r.ok()) return r.error().context("pushing " + t.source_tag + " to " + t.target.str());
    Pushed& p = out[i];
    p.reference = t.target.str();
    p.digest = r->root.digest;
    p.media_type = r->root.media_type;
    p.blobs_uploaded = r->blobs_copied;
    p.blobs_present = r->blobs_present;
    p.blobs_mounted = r->blobs_mounted;
    p.bytes_uploaded = r->bytes_copied;
    return {};
  };
  // Tags of one repository go one after another: the distribution registry's filesystem
  // storage can lose a manifest link when the same manifest is PUT twice at once (an index
  // tag and its per-architecture tag name the same child), and a later tag then finds its
  // manifests present and sends only the tag. Repositories go in parallel, after the first
  // one (whose layers the others mount).
  std::vector<std::vector<size_t>> by_repo;
  std::map<std::string, size_t> repo_index;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto [it, fresh] = repo_index.emplace(targets[i].target.repository, by_repo.size());
    if (fresh) by_repo.emplace_back();
    by_repo[it->second].push_back(i);
  }
  auto push_repo = [&](size_t r) -> Result<void> {
    for (size_t i : by_repo[r]) PARE_CHECK(push_one(i));
    return {};
  };
  if (options.layers_elsewhere) {
    PARE_CHECK(parallel_for(by_repo.size(), 4, push_repo));
    return out;
  }
  PARE_CHECK(push_repo(0));
  PARE_CHECK(parallel_for(by_repo.size() - 1, 4, [&](size_t r) { return push_repo(r + 1); }));
  return out;
}

}  // namespace pare::registry
