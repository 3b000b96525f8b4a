#include "oci/copy.h"

#include <atomic>
#include <set>

#include "util/parallel.h"

namespace pare::oci {

namespace {

struct Copier {
  ImageSource& source;
  ImageDestination& destination;
  const CopyOptions& options;
  std::atomic<size_t> copied{0}, present{0}, mounted{0};
  std::atomic<uint64_t> bytes{0};

  Result<void> copy_blobs(const std::vector<Descriptor>& blobs) {
    return parallel_for(blobs.size(), options.parallel, [&](size_t i) -> Result<void> {
      const Descriptor& d = blobs[i];
      PARE_TRY(bool has, destination.has_blob(d));
      if (has) {
        ++present;
        return {};
      }
      std::string item = d.digest.substr(7, 12);
      if (options.progress) options.progress->item(item, 0, d.size);
      auto r = destination.put_blob(d, source);
      if (options.progress) options.progress->item_end(item);
      if (!r.ok()) return r.error().context("copying blob " + d.digest);
      if (options.progress) options.progress->advance(d.size);
      if (!r.value()) {
        ++mounted;
        return {};
      }
      ++copied;
      bytes += d.size;
      return {};
    });
  }

  // One manifest and what it names. `store` false: the caller's tag stores the manifest.
  Result<void> copy_manifest(const Descriptor& d, const std::string& bytes, bool store) {
    PARE_TRY(Manifest m, parse_manifest(bytes));
    std::vector<Descriptor> blobs{m.config};
    std::set<std::string> seen{m.config.digest};
    for (const auto& l : m.layers)
      if (seen.insert(l.digest).second) blobs.push_back(l);
    PARE_CHECK(copy_blobs(blobs));
    return store ? destination.put_manifest(d, bytes) : Result<void>();
  }

  // The tree below `d`, children before the documents that list them; `d` itself is stored
  // unless `store` is false (the root, which its first tag stores: one request less).
  Result<void> copy_tree(const Descriptor& d, const std::string& bytes, int depth, bool store) {
    if (depth > 4) return Error(Errc::invalid, "indexes nested more than 4 deep");
    PARE_TRY(std::string media_type, document_media_type(bytes, d.media_type));
    if (!is_index_media_type(media_type)) return copy_manifest(d, bytes, store);
    PARE_TRY(Index index, parse_index(bytes));
    for (const auto& child : index.manifests) {
      PARE_TRY(bool has, destination.has_blob(child));  // a stored manifest implies its tree
      if (has) continue;
      PARE_TRY(std::string child_bytes, source.read_manifest(child));
      PARE_CHECK(copy_tree(child, child_bytes, depth + 1, true));
    }
    return store ? destination.put_manifest(d, bytes) : Result<void>();
  }
};

}  // namespace

Result<Descriptor> select_platform(ImageSource& source, const Descriptor& root,
                                   const Platform& wanted, bool check_single_image) {
  PARE_TRY(std::string bytes, source.read_manifest(root));
  PARE_TRY(std::string media_type, document_media_type(bytes, root.media_type));
  if (!is_index_media_type(media_type)) {  // one image: its config says which platform it is
    if (!check_single_image) return root;
    PARE_TRY(Manifest m, parse_manifest(bytes));
    PARE_TRY(std::string config, read_config(source, m.config));
    PARE_TRY(ImageConfig c, parse_config(config));
    if (!c.platform.architecture.empty() && !platform_matches(wanted, c.platform))
      return Error(Errc::not_found, source.name() + " is one image, for " +
                                        platform_string(c.platform) + ", not for " +
                                        platform_string(wanted));
    return root;
  }
  PARE_TRY(Index index, parse_index(bytes));
  std::string offered;
  for (const auto& child : index.manifests) {
    if (!child.platform) continue;
    if (platform_matches(wanted, *child.platform)) return child;
    offered += (offered.empty() ? "" : ", ") + platform_string(*child.platform);
  }
  return Error(Errc::not_found, source.name() + " has no image for " + platform_string(wanted) +
                                    " (it has: " + (offered.empty() ? "none" : offered) + ")");
}

Result<CopyResult> copy_image(ImageSource& source, const Descriptor& root_in,
                              ImageDestination& destination, const std::vector<std::string>& tags,
                              const CopyOptions& options) {
  Descriptor root = root_in;
  PARE_TRY(std::string bytes, source.read_manifest(root));
  if (options.platform) {
    PARE_TRY(root, select_platform(source, root, *options.platform, true));
    if (root.digest != root_in.digest) {
      PARE_TRY(bytes, source.read_manifest(root));
    }
  }
  root.platform.reset();
  root.annotations.clear();
  Copier copier{source, destination, options};
  std::vector<std::string> to_tag;
  for (const auto& tag : tags) {
    PARE_TRY(bool same, destination.tag_is(tag, root));
    if (!same) to_tag.push_back(tag);
  }
  if (!to_tag.empty() || tags.empty()) {
    PARE_TRY(bool has, destination.has_blob(root));
    if (!has) PARE_CHECK(copier.copy_tree(root, bytes, 0, to_tag.empty()));
  }
  for (const auto& tag : to_tag) PARE_CHECK(destination.tag(root, bytes, tag));
  CopyResult result;
  result.root = root;
  result.blobs_copied = copier.copied;
  result.blobs_present = copier.present;
  result.blobs_mounted = copier.mounted;
  result.bytes_copied = copier.bytes;
  return result;
}

}  // namespace pare::oci
