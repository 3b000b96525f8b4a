// Generators for what maintainer scripts of runtime packages would have done,
// done natively and for any package that ships the same data (not per package):
// alternatives links from JVM .jinfo files, and the Java trust store for any
// JRE that links its cacerts to /etc/ssl/certs/java/cacerts.
#include <algorithm>
#include <map>
#include <set>

#include "build/generate.h"
#include "rootfs/alternatives.h"
#include "rootfs/cacerts.h"
#include "rootfs/java_truststore.h"
#include "rootfs/usrmerge.h"

namespace pare::build {

namespace {

constexpr const char* kJavaTrustStore = "etc/ssl/certs/java/cacerts";

bool links_to_trust_store(const rootfs::UnpackedPackage& pkg) {
  return std::any_of(pkg.entries.begin(), pkg.entries.end(), [](const auto& e) {
    return e.header.type == oci::EntryType::symlink &&
           e.header.link == std::string("/") + kJavaTrustStore;
  });
}

}  // namespace

Result<void> add_alternatives(const LevelContext& ctx, std::vector<rootfs::GeneratedEntry>& out) {
  auto mine = packages_of_level(ctx, ctx.level);
  bool any = std::any_of(mine.begin(), mine.end(), [](const auto* p) {
    return std::any_of(p->entries.begin(), p->entries.end(),
                       [](const auto& e) { return rootfs::is_jinfo_path(e.header.path); });
  });
  if (!any) return {};
  std::set<std::string> present;
  for (const auto* pkg : packages_upto(ctx, ctx.level))
    for (const auto& e : pkg->entries) present.insert("/" + image_path(ctx, e.header.path));
  std::map<std::string, rootfs::AlternativeLink> best;  // link -> highest priority
  for (const auto* pkg : mine)
    for (const auto& e : pkg->entries) {
      if (!rootfs::is_jinfo_path(e.header.path) || e.header.type != oci::EntryType::file) continue;
      PARE_TRY(std::string_view jinfo, pkg->checked_bytes(e));
      PARE_TRY(auto links, rootfs::jinfo_links(jinfo, e.header.path, [&](std::string_view p) {
                 return present.count(std::string(p)) > 0;
               }));
      for (auto& l : links) {
        auto it = best.find(l.link);
        if (it == best.end() || l.priority > it->second.priority) best[l.link] = l;
      }
    }
  for (const auto& [link, alt] : best) {
    rootfs::GeneratedEntry g;
    g.header.path = link;
    g.header.type = oci::EntryType::symlink;
    g.header.mode = 0777;
    g.header.link = alt.target;
    out.push_back(std::move(g));
  }
  return {};
}

Result<void> add_java_truststore(const LevelContext& ctx,
                                 std::vector<rootfs::GeneratedEntry>& out) {
  bool here = false, below = false;
  for (const auto* pkg : packages_of_level(ctx, ctx.level)) here |= links_to_trust_store(*pkg);
  if (!here) {
    for (const auto* pkg : packages_upto(ctx, ctx.level)) below |= links_to_trust_store(*pkg);
    if (!below || !bundle_changes_here(ctx)) return {};
  }
  PARE_TRY(std::string bundle, bundle_upto(ctx));
  PARE_TRY(auto certs, rootfs::pem_certificates(bundle, "the CA bundle"));
  PARE_TRY(std::string store, rootfs::java_truststore(certs));
  out.push_back(generated_file(kJavaTrustStore, std::move(store)));
  return {};
}

}  // namespace pare::build
