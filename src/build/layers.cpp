#include "build/layers.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "build/generate.h"
#include "build/inputs.h"
#include "rootfs/assemble.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/parallel.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

// Bump when the layer contents pare generates change for the same inputs.
constexpr const char* kLayerRecipeVersion = "pare-layer-10";  // 10: checked records

// A field of the recipe, length-prefixed so no value can imitate another field.
void field(std::string& recipe, std::string_view v) {
  recipe += " " + std::to_string(v.size()) + ":";
  recipe += v;
}

// Everything of a local file or tree that generate.cpp copies, through the
// same walker: lexical names, types, the normalised modes, contents and link
// targets. A source the walker refuses is refused here too, before any fetch.
// The files are hashed on every core first: a node_modules tree is thousands
// of small files, and hashing them is most of an app-only rebuild's key.
Result<void> add_entry_hashes(const std::vector<LocalEntry>& entries, std::string& recipe) {
  std::vector<std::string> digests(entries.size());
  constexpr size_t kFilesForThreads = 32;  // below this, threads cost more than they save
  size_t threads = entries.size() < kFilesForThreads
                       ? 1
                       : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  PARE_CHECK(parallel_for(entries.size(), threads, [&](size_t i) -> Result<void> {
    if (entries[i].kind != LocalEntry::Kind::file) return {};
    PARE_TRY(digests[i], sha256_file_hex(entries[i].path));
    return {};
  }));
  for (size_t i = 0; i < entries.size(); ++i) {
    const LocalEntry& e = entries[i];
    recipe += "\n   ";
    field(recipe, e.rel.empty() ? "." : e.rel);
    switch (e.kind) {
      case LocalEntry::Kind::symlink:
        field(recipe, "symlink");
        field(recipe, e.link);
        break;
      case LocalEntry::Kind::dir:
        field(recipe, "dir");
        break;
      case LocalEntry::Kind::file:
        field(recipe, "file");
        field(recipe, std::to_string(local_file_mode(e.mode)));
        field(recipe, digests[i]);
        break;
    }
  }
  return {};
}

Result<void> add_level_settings(const spec::Spec& spec, const spec::Level& level,
                                std::string& recipe) {
  auto contexts = contexts_for(spec, level);
  for (const auto& f : level.files) {
    recipe += "\n  file " + f.dest + " " + std::to_string(f.mode.value_or(0xffffffff)) + " " +
              std::to_string(f.uid) + ":" + std::to_string(f.gid);
    if (f.extract) recipe += " extract";
    PARE_TRY(auto entries, list_item(f, contexts));
    PARE_CHECK(add_entry_hashes(entries, recipe));
  }
  for (const auto& p : level.paths)
    recipe += "\n  path " + std::string(spec::path_type_name(p.type)) + " " + p.path + " " +
              p.target + " " + std::to_string(p.mode.value_or(0xffffffff)) + " " +
              std::to_string(p.uid.value_or(0xffffffff)) + ":" +
              std::to_string(p.gid.value_or(0xffffffff));
  for (const auto& u : level.users)
    recipe += "\n  user " + u.name + " " + std::to_string(u.uid) + " " + std::to_string(u.gid) +
              " " + u.home + " " + u.shell + " " + u.gecos;
  for (const auto& g : level.groups) {
    recipe += "\n  group " + g.name + " " + std::to_string(g.gid);
    for (const auto& m : g.members) recipe += " " + m;
  }
  for (const auto& c : level.certificates) {
    recipe += "\n  certificate";
    PARE_TRY(auto entries, list_local(c, contexts, level.file.string() + ": certificates"));
    PARE_CHECK(add_entry_hashes(entries, recipe));
  }
  return {};
}

}  // namespace

bool merged_usr_for(const spec::Spec& spec) {
  // Debian 13 (trixie) and later are merged-/usr only.
  return !spec.suite_version.empty() && std::stoi(spec.suite_version) >= 13;
}

Result<std::string> layer_key(const LevelRef& ref, const LayerOptions& options) {
  // Everything at or below this level goes in: a change below rebuilds the
  // layers above (their status files, bundle and accounts depend on it).
  std::string recipe = kLayerRecipeVersion;
  recipe += "\ncompress " + compressor_fingerprint(options.compress);
  recipe += "\nmtime " + std::to_string(options.mtime);
  recipe += "\nfilter " + rootfs::filter_fingerprint(options.filter);
  recipe += "\nsuite " + ref.spec->source.suite + " " + ref.spec->suite_version + " arch " +
            ref.plan->arch;
  recipe += "\nlevel " + std::to_string(ref.level);
  if (!ref.plan->base_digest.empty()) recipe += "\nbase " + ref.plan->base_digest;
  for (size_t l = 0; l <= ref.level; ++l) {
    recipe += "\nlevel-input " + std::to_string(l) +
              (is_debug_level(ref.spec->levels[l]) ? " debug" : "") +
              (ref.spec->levels[l].files_only ? " files" : "");
    for (const auto& p : ref.plan->levels[l]) {
      recipe += "\n  pkg " + p.name + " " + p.sha256;
      for (const auto& glob : p.only) field(recipe, glob);
    }
    PARE_CHECK(add_level_settings(*ref.spec, ref.spec->levels[l], recipe));
  }
  return sha256_hex(recipe);
}

std::optional<oci::LayerBlob> cached_layer(const std::filesystem::path& cache_dir,
                                           const std::string& key) {
  auto record = fs::read_checked(cache_dir / "layers" / (key + ".json"), 1 << 20);
  if (record.state != fs::CheckedState::ok) return std::nullopt;
  auto j = nlohmann::json::parse(record.payload, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  oci::LayerBlob blob;
  try {
    blob.media_type = j.at("mediaType").get<std::string>();
    blob.digest = j.at("digest").get<std::string>();
    blob.diff_id = j.at("diffID").get<std::string>();
    blob.size = j.at("size").get<uint64_t>();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (blob.digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(blob.digest.substr(7)))
    return std::nullopt;
  blob.file = cache_dir / "blobs" / "sha256" / blob.digest.substr(7);
  // Nothing from the cache enters an image unverified: the blob's bytes are
  // hashed as the output is written from them (oci/layout.cpp), in the same
  // pass that copies them; a damaged one is removed there and the layer built
  // again. Here only its size is checked.
  std::error_code ec;
  if (std::filesystem::file_size(blob.file, ec) != blob.size || ec) return std::nullopt;
  fs::touch(cache_dir / "layers" / (key + ".json"));  // used: kept by `pare cache prune`
  fs::touch(blob.file);
  return blob;
}

namespace {

sbom::FileEntry::Type entry_type(oci::EntryType t) {
  switch (t) {
    case oci::EntryType::file:
      return sbom::FileEntry::Type::file;
    case oci::EntryType::dir:
      return sbom::FileEntry::Type::dir;
    case oci::EntryType::symlink:
      return sbom::FileEntry::Type::symlink;
    case oci::EntryType::hardlink:
      return sbom::FileEntry::Type::hardlink;
  }
  return sbom::FileEntry::Type::other;
}

}  // namespace

Result<void> remember_layer(const std::filesystem::path& cache_dir, const std::string& key,
                            const oci::LayerBlob& blob) {
  nlohmann::json j = {{"mediaType", blob.media_type},
                      {"digest", blob.digest},
                      {"diffID", blob.diff_id},
                      {"size", blob.size}};
  return fs::write_checked(cache_dir / "layers" / (key + ".json"), j.dump() + "\n");
}

Result<oci::LayerBlob> build_layer(const LevelRef& ref, const LayerOptions& options,
                                   const UnpackedSet& unpacked,
                                   const std::filesystem::path& cache_dir) {
  bool merged = merged_usr_for(*ref.spec);
  LevelContext ctx{*ref.spec, *ref.plan, ref.level, unpacked, merged};
  rootfs::LayerContent content;
  for (const auto& p : ref.plan->levels[ref.level]) {
    const rootfs::UnpackedPackage* pkg = find_unpacked(unpacked, p);
    if (!pkg) return Error(Errc::internal, "package " + p.key() + " was not unpacked");
    content.packages.push_back(pkg);
  }
  PARE_TRY(content.generated, generated_entries(ctx));
  content.links_below = symlinks_below(ctx);
  content.merged_usr = merged;
  content.mtime = options.mtime;
  content.drop = [](const rootfs::UnpackedPackage& pkg, const oci::TarHeader& h) {
    return left_out_of_image(pkg.name, h.path);
  };
  // The layer's summary (sbom/layer_summary.h) is made as it is written, so that its SBOM, and
  // inspect, ls or audit of the image, need not decompress it again.
  sbom::LayerFiles summary;
  content.observe = [&](const oci::TarHeader& h, std::string_view data, const std::string& sha) {
    sbom::FileEntry e;
    e.type = entry_type(h.type);
    e.mode = h.mode;
    e.uid = h.uid;
    e.gid = h.gid;
    e.size = h.type == oci::EntryType::file ? h.size : 0;
    e.link = h.link;
    e.sha256 = sha;
    bool wanted = sbom::is_summary_content(h.path);
    std::string bytes = wanted ? std::string(data) : std::string();
    sbom::add_layer_entry(summary, h.path, std::move(e), wanted, wanted ? &bytes : nullptr, true);
  };
  PARE_TRY(auto writer, oci::LayerWriter::create(cache_dir / "blobs" / "sha256", options.compress));
  PARE_CHECK(rootfs::write_layer(content, writer->tar()));
  PARE_TRY(oci::LayerBlob blob, writer->finish());
  sbom::store_layer_summary(cache_dir, blob.digest, summary);
  return blob;
}

}  // namespace pare::build
