// The registry commands of the command table: push, pull, copy, tags, manifest, login,
// logout, attach, referrers. Each parses its arguments, calls src/registry, and prints.
#include "cli/registry_commands.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/session.h"
#include "oci/copy.h"
#include "registry/image_io.h"
#include "registry/push.h"
#include "registry/referrers.h"

namespace pare::cli {

namespace {

using nlohmann::json;

registry::Reference remote_or_throw(const registry::ImageRef& ref) {
  if (!ref.remote)
    throw Error(Errc::invalid, "'" + ref.text + "' is not a registry reference (docker://REF)");
  return *ref.remote;
}

// DEST of push: "REGISTRY/team", with or without docker://.
registry::Reference push_destination(const std::string& text) {
  std::string_view t = text;
  if (t.rfind("docker://", 0) == 0) t.remove_prefix(9);
  auto ref = registry::parse_reference(t, short_names_from_env()).value();
  // parse_reference adds ":latest" to a bare name; a push destination without a tag is a
  // repository (every source tag keeps its own).
  bool has_tag = t.find('@') != std::string_view::npos ||
                 (t.rfind(':') != std::string_view::npos && t.rfind(':') > t.rfind('/'));
  if (!has_tag) ref.tag.clear();
  return ref;
}

void print_pushed(const std::vector<registry::Pushed>& pushed, const CommonOptions& o) {
  if (o.json) {
    json j = json::array();
    for (const auto& p : pushed)
      j.push_back({{"reference", p.reference},
                   {"digest", p.digest},
                   {"media_type", p.media_type},
                   {"blobs_uploaded", p.blobs_uploaded},
                   {"blobs_present", p.blobs_present},
                   {"blobs_mounted", p.blobs_mounted},
                   {"bytes_uploaded", p.bytes_uploaded}});
    std::printf(
        "%s\n",
        json{{"pushed", j}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (o.quiet) return;
  for (const auto& p : pushed)
    std::printf("%s@%s  (%zu blobs uploaded, %zu present)\n", p.reference.c_str(), p.digest.c_str(),
                p.blobs_uploaded, p.blobs_present);
}

registry::PushOptions push_options(Session& session) {
  registry::PushOptions p;
  p.progress = &session.progress;
  return p;
}

}  // namespace

std::vector<registry::Pushed> push_local(Session& session, const RegistryOptions& ro,
                                         const std::string& source_text,
                                         const std::string& destination_text) {
  auto src_ref = registry::parse_image_ref(source_text, short_names_from_env()).value();
  auto& pool = session.registries(ro);
  auto source = registry::open_source(pool, src_ref).value();
  std::vector<std::string> tags;
  if (src_ref.local && !src_ref.local->tag.empty()) tags.push_back(src_ref.local->tag);
  if (src_ref.remote) tags.push_back(src_ref.remote->manifest_ref());
  return push_source(session, ro, *source, tags, destination_text);
}

std::vector<registry::Pushed> push_source(Session& session, const RegistryOptions& ro,
                                          oci::ImageSource& source,
                                          const std::vector<std::string>& tags,
                                          const std::string& destination_text,
                                          bool layers_elsewhere) {
  session.progress.begin("push", 0, "B");
  auto options = push_options(session);
  options.layers_elsewhere = layers_elsewhere;
  auto pushed = registry::push_tags(source, tags, push_destination(destination_text),
                                    session.registries(ro), options);
  session.progress.end();
  return pushed.value();
}

void add_cache_options(CLI::App* cmd, CacheOptions& o) {
  auto* rw =
      cmd->add_option("--cache", o.cache,
                      "a registry repository (REGISTRY/REPO) as a shared layer cache: layers "
                      "found there are not built, layers built are added (default: "
                      "$PARE_CACHE)");
  cmd->add_option("--cache-from", o.cache_from,
                  "the same, read only (for untrusted branches; default: $PARE_CACHE_FROM)")
      ->excludes(rw);
}

std::unique_ptr<registry::LayerCache> open_layer_cache(Session& session, const RegistryOptions& ro,
                                                       const CacheOptions& o) {
  auto from_env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  std::string text = o.cache, read_only = o.cache_from;
  if (text.empty() && read_only.empty()) {
    text = from_env("PARE_CACHE");
    if (text.empty()) read_only = from_env("PARE_CACHE_FROM");
  }
  bool writable = !text.empty();
  if (!writable) text = read_only;
  if (text.empty()) return nullptr;
  registry::Reference ref = push_destination(text);
  if (!ref.tag.empty() || !ref.digest.empty())
    throw Error(Errc::invalid,
                "--cache " + text + ": name a repository (REGISTRY/REPO), not a tag");
  registry::Repository repo(session.registries(ro).get(ref.registry), ref.repository);
  return std::make_unique<registry::LayerCache>(std::move(repo), writable, kPareVersion);
}

std::function<int()> setup_push(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto src = std::make_shared<std::string>();
  auto dst = std::make_shared<std::string>();
  cmd->add_option("source", *src, "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE")
      ->required();
  cmd->add_option("destination", *dst,
                  "REGISTRY/REPO (each tag keeps its name; several images go to REPO/NAME:TAG) "
                  "or REGISTRY/REPO:TAG for one image")
      ->required();
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    print_pushed(push_local(session, *ro, *src, *dst), *o);
    return 0;
  };
}

// copy and pull: one image (or every tag of a layout, to a registry) from SRC to DST.
int run_copy(Session& session, const CommonOptions& o, const RegistryOptions& ro,
             const std::string& src_text, const std::string& dst_text,
             const std::string& platform) {
  auto names = short_names_from_env();
  auto src_ref = registry::parse_image_ref(src_text, names).value();
  auto dst_ref = registry::parse_image_ref(dst_text, names).value();
  if (dst_ref.remote && platform.empty()) {
    print_pushed(push_local(session, ro, src_text, dst_text.substr(9)), o);
    return 0;
  }
  auto& pool = session.registries(ro);
  auto source = registry::open_source(pool, src_ref).value();
  std::string src_tag = src_ref.local ? src_ref.local->tag : src_ref.remote->manifest_ref();
  oci::Descriptor root = source->resolve(src_tag).value();
  oci::CopyOptions copy;
  copy.progress = &session.progress;
  if (!platform.empty()) copy.platform = oci::parse_platform(platform).value();
  session.progress.begin("copy", 0, "B");
  oci::CopyResult result;
  std::string shown;
  if (dst_ref.remote) {
    auto dest = registry::open_registry_destination(pool, *dst_ref.remote, push_options(session));
    result = oci::copy_image(*source, root, *dest, {dst_ref.remote->tag}, copy).value();
    shown = dst_ref.remote->str();
  } else {
    std::string tag = dst_ref.local->tag;
    if (tag.empty()) {
      if (src_ref.remote) {
        std::string repo = src_ref.remote->repository;
        tag = repo.substr(repo.rfind('/') + 1) + ":" +
              (src_ref.remote->tag.empty() ? "latest" : src_ref.remote->tag);
      } else {
        tag = src_tag.empty() ? "latest" : src_tag;
      }
    }
    auto dest = dst_ref.local->kind == oci::LocalRef::Kind::layout
                    ? oci::open_layout_destination(dst_ref.local->path).value()
                    : oci::open_archive_destination(*dst_ref.local).value();
    result = oci::copy_image(*source, root, *dest, {tag}, copy).value();
    dest->commit().value();
    shown = dest->name() + ":" + tag;
  }
  session.progress.end();
  if (o.json) {
    std::printf("%s\n", json{{"copied",
                              {{"reference", shown},
                               {"digest", result.root.digest},
                               {"media_type", result.root.media_type},
                               {"blobs_copied", result.blobs_copied},
                               {"blobs_present", result.blobs_present},
                               {"blobs_mounted", result.blobs_mounted},
                               {"bytes_copied", result.bytes_copied}}}}
                            .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
  } else if (!o.quiet) {
    std::printf("%s@%s  (%zu blobs copied, %zu present)\n", shown.c_str(),
                result.root.digest.c_str(), result.blobs_copied, result.blobs_present);
  }
  return 0;
}

std::function<int()> setup_copy(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto src = std::make_shared<std::string>();
  auto dst = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("source", *src,
                  "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE or docker://REF")
      ->required();
  cmd->add_option("destination", *dst,
                  "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:TAG] or "
                  "docker://REF")
      ->required();
  cmd->add_option("--platform", *platform, "only this platform of an index (linux/arm64)");
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    return run_copy(session, *o, *ro, *src, *dst, *platform);
  };
}

std::function<int()> setup_pull(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto src = std::make_shared<std::string>();
  auto dst = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("source", *src, "docker://REF (a tag or @sha256: digest)")->required();
  cmd->add_option("destination", *dst,
                  "oci:DIR[:TAG] (default tag: NAME:TAG of the source; other tags of an "
                  "existing layout are kept)")
      ->required();
  cmd->add_option("--platform", *platform,
                  "only this platform of an index (default: every platform)");
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    auto ref = registry::parse_image_ref(*src, short_names_from_env()).value();
    remote_or_throw(ref);
    return run_copy(session, *o, *ro, *src, *dst, *platform);
  };
}

std::function<int()> setup_tags(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto repo = std::make_shared<std::string>();
  cmd->add_option("repository", *repo, "docker://REGISTRY/REPO")->required();
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    auto ref = remote_or_throw(registry::parse_image_ref(*repo, short_names_from_env()).value());
    registry::Repository r(session.registries(*ro).get(ref.registry), ref.repository);
    auto tags = r.tags().value();
    if (o->json)
      std::printf("%s\n", json{{"repository", ref.registry + "/" + ref.repository}, {"tags", tags}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    else
      for (const auto& t : tags) std::printf("%s\n", t.c_str());
    return 0;
  };
}

std::function<int()> setup_manifest(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto ref_text = std::make_shared<std::string>();
  cmd->add_option("image", *ref_text, "docker://REF, oci:DIR:TAG, ...")->required();
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    auto ref = registry::parse_image_ref(*ref_text, short_names_from_env()).value();
    auto source = registry::open_source(session.registries(*ro), ref).value();
    std::string tag = ref.local ? ref.local->tag : ref.remote->manifest_ref();
    oci::Descriptor d = source->resolve(tag).value();
    std::string bytes = source->read_manifest(d).value();
    if (o->json)
      std::printf("%s\n", json{{"digest", d.digest},
                               {"media_type", d.media_type},
                               {"size", d.size},
                               {"manifest", json::parse(bytes)}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    else
      std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  };
}

}  // namespace pare::cli
