#include "build/build.h"

#include <chrono>
#include <future>
#include <optional>
#include <set>
#include <thread>
#include "build/app_deps.h"

#include "build/cache.h"
#include "build/images.h"
#include "build/inputs.h"
#include "build/registry_cache.h"
#include "build/run_memo.h"
#include "build/sbom_output.h"
#include "oci/previous_blobs.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/parallel.h"

namespace pare::build {

namespace {

class Timer {
 public:
  explicit Timer(std::vector<StageTime>& times) : times_(times) {}
  void lap(const std::string& stage) {
    auto now = std::chrono::steady_clock::now();
    double s = std::chrono::duration<double>(now - last_).count();
    times_.push_back({stage, s});
    PARE_LOG(debug) << "stage " << stage << ": " << s << " s";
    last_ = now;
  }

 private:
  std::vector<StageTime>& times_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

int thread_count(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

Result<Plan> make_plan(const spec::Spec& spec, const std::optional<std::filesystem::path>& lockfile,
                       const Environment& env) {
  if (!lockfile) return plan_by_resolving(spec, env);
  PARE_TRY(spec::Lockfile lock, spec::read_lockfile(*lockfile));
  return plan_from_lockfile(spec, lock, *lockfile, env);
}

// Layer keys for every (arch, level), and which layers must be built.
struct LayerJob {
  size_t arch, level;
  std::string key;
  std::optional<oci::LayerBlob> blob;
  bool from_registry = false;
};

// A layer the local cache lacks may be in the registry cache; one it has is added there when
// the registry cache lacks it (so a warm runner fills a new cache too). The registry is asked
// about every key at once (the requests wait on the network, not the CPU).
Result<std::vector<LayerJob>> plan_layers(const Plan& plan, const BuildOptions& options,
                                          const Environment& env) {
  std::vector<LayerJob> jobs;
  for (size_t a = 0; a < plan.archs.size(); ++a)
    for (size_t l = 0; l < plan.spec.levels.size(); ++l) {
      PARE_TRY(std::string key, layer_key({&plan.spec, &plan.archs[a], l}, options.layer));
      jobs.push_back({a, l, key, cached_layer(env.cache_dir, key)});
    }
  if (!env.layer_cache) return jobs;
  // Each job has its own key (the key names the level and the architecture).
  PARE_CHECK(parallel_for(jobs.size(), 8, [&](size_t i) -> Result<void> {
    LayerJob& job = jobs[i];
    if (job.blob) {
      add_to_registry(*env.layer_cache, job.key, *job.blob, env.cache_dir, false);
    } else {
      job.blob =
          layer_from_registry(*env.layer_cache, job.key, env.cache_dir, options.write_output);
      job.from_registry = job.blob.has_value();
    }
    return {};
  }));
  return jobs;
}

// The packages the missing layers need: their own levels and everything below.
std::vector<deb::PackageInfo> packages_needed(const Plan& plan, const std::vector<LayerJob>& jobs) {
  std::vector<deb::PackageInfo> out;
  std::set<std::pair<size_t, size_t>> done;
  for (const auto& job : jobs) {
    if (job.blob) continue;
    for (size_t l = 0; l <= job.level; ++l)
      if (done.insert({job.arch, l}).second)
        for (const auto& p : plan.archs[job.arch].levels[l]) out.push_back(p);
  }
  return out;
}

// Tags the cache as pare's (build/cache.h), except offline: an offline run
// creates nothing in a cache it does not find.
Result<void> mark_cache(const Environment& env) {
  return env.offline ? Result<void>() : open_cache(env.cache_dir);
}

// pare removes only what it wrote: an existing file at a lockfile's path is
// replaced only when it is empty or a lockfile itself.
Result<void> check_lockfile_replaceable(const std::filesystem::path& dest) {
  std::error_code ec;
  auto st = std::filesystem::symlink_status(dest, ec);
  if (ec || st.type() == std::filesystem::file_type::not_found) return {};
  if (st.type() == std::filesystem::file_type::regular &&
      (std::filesystem::file_size(dest, ec) == 0 || spec::read_lockfile(dest).ok()))
    return {};
  return Error(Errc::invalid, dest.string() +
                                  " exists and is not a pare lockfile: not replaced (remove it "
                                  "yourself or give another -o)");
}

// Whether a package of `set` lost its cache entry (UnpackedPackage::check
// removes an entry whose files do not match their digests).
bool dropped_damaged(const UnpackedSet& set) {
  return std::any_of(set.begin(), set.end(),
                     [](const auto& kv) { return !fs::exists(kv.second->dir()); });
}

}  // namespace

Result<Plan> run_resolve(const std::filesystem::path& spec_path, const spec::LoadOptions& load,
                         const Environment& env) {
  PARE_TRY(spec::Spec spec, spec::load_spec(spec_path, load));
  add_debug_level(spec, spec.variants);
  PARE_CHECK(mark_cache(env));
  PARE_TRY(auto app_deps, add_auto_deps(spec, env));
  (void)app_deps;
  return plan_by_resolving(spec, env);
}

Result<std::filesystem::path> run_lock(const std::filesystem::path& spec_path,
                                       const spec::LoadOptions& load,
                                       const std::optional<std::filesystem::path>& out,
                                       const Environment& env) {
  // A lock always holds the debug level's packages, so that it serves every variant.
  PARE_TRY(spec::Spec spec, spec::load_spec(spec_path, load));
  add_debug_level(spec, {"debug"});
  std::filesystem::path dest = out ? *out : spec::default_lockfile_path(spec_path);
  PARE_CHECK(check_lockfile_replaceable(dest));  // before anything is fetched
  PARE_CHECK(mark_cache(env));
  PARE_TRY(auto app_deps, add_auto_deps(spec, env));
  (void)app_deps;
  PARE_TRY(Plan plan, plan_by_resolving(spec, env));
  PARE_CHECK(fs::write_file_atomic(dest, spec::lockfile_json(lockfile_from_plan(plan))));
  return dest;
}

namespace {

// Plan, fetch, unpack and build the layers of one spec; returns its tagged images.
Result<std::vector<oci::TaggedImage>> build_spec(const std::filesystem::path& spec_path,
                                                 const BuildOptions& options,
                                                 const Environment& env, BuildResult& result,
                                                 Timer& timer, PackageFacts& facts, SbomMaker* sbom,
                                                 std::vector<BuiltSbom>& sboms) {
  PARE_TRY(spec::Spec spec, spec::load_spec(spec_path, options.load));
  std::vector<std::string> variants = options.variants.empty() ? spec.variants : options.variants;
  add_debug_level(spec, variants);
  PARE_CHECK(check_local_inputs(spec));  // before any download: a missing file fails at once
  PARE_TRY(auto app_deps, add_auto_deps(spec, env));
  for (auto& d : app_deps) result.app_deps.push_back(std::move(d));
  timer.lap("spec");
  PARE_TRY(Plan plan, make_plan(spec, options.lockfile, env));
  timer.lap(options.lockfile ? "lockfile" : "index+resolve");
  for (const auto& ap : plan.archs)
    for (const auto& level : ap.levels)
      for (const auto& p : level) facts.emplace(p.key(), p);

  PARE_TRY(std::vector<LayerJob> jobs, plan_layers(plan, options, env));
  std::vector<deb::PackageInfo> needed = packages_needed(plan, jobs);
  FetchStats fetched;
  PARE_TRY(UnpackedSet unpacked, fetch_and_unpack(needed, options.layer.filter, env,
                                                  thread_count(options.threads), fetched));
  result.packages_downloaded += fetched.downloaded;
  timer.lap("fetch+unpack");

  Progress& progress = env.progress_or_null();
  size_t to_build = std::count_if(jobs.begin(), jobs.end(), [](const auto& j) { return !j.blob; });
  progress.begin("layers", to_build, "layers");
  for (auto& job : jobs) {
    if (job.blob) {
      ++result.layers_cached;
      result.layers_from_registry += job.from_registry;
      continue;
    }
    LevelRef ref{&plan.spec, &plan.archs[job.arch], job.level};
    auto blob = build_layer(ref, options.layer, unpacked, env.cache_dir);
    if (!blob.ok() && dropped_damaged(unpacked)) {
      // A cached unpacked file did not match its digest and its entry was
      // removed: unpack again (from the verified .deb) and build the layer once more.
      PARE_LOG(warn) << blob.error().message() << "; unpacking again";
      PARE_TRY(unpacked, fetch_and_unpack(needed, options.layer.filter, env,
                                          thread_count(options.threads), fetched));
      blob = build_layer(ref, options.layer, unpacked, env.cache_dir);
    }
    if (!blob.ok())
      return blob.error().context("layer for " + plan.spec.levels[job.level].name + " (" +
                                  plan.archs[job.arch].arch + ")");
    PARE_CHECK(remember_layer(env.cache_dir, job.key, *blob));
    if (env.layer_cache) add_to_registry(*env.layer_cache, job.key, *blob, env.cache_dir, true);
    job.blob = std::move(blob.value());
    ++result.layers_built;
    progress.advance(1);
  }
  progress.end();
  timer.lap("layers");

  std::vector<std::vector<oci::LayerBlob>> layers(plan.archs.size());
  for (const auto& job : jobs) layers[job.arch].push_back(*job.blob);
  ImageMeta meta{options.layer.mtime, std::nullopt, sbom, &sboms};
  if (options.git_annotations)
    meta.git = vcs::find_git_info(plan.spec.levels.back().file.parent_path(), vcs::disk_reader());
  PARE_TRY(auto tagged, make_images(plan, layers, variants, meta));
  timer.lap("images+sbom");
  for (auto& s : summarize(plan, tagged, sbom && plan.spec.sbom))
    result.images.push_back(std::move(s));
  std::vector<std::string> archs;
  for (const auto& ap : plan.archs) archs.push_back(ap.arch);
  return with_arch_tags(tagged, archs);
}

}  // namespace

std::vector<oci::TaggedImage> with_arch_tags(const std::vector<oci::TaggedImage>& images,
                                             const std::vector<std::string>& archs) {
  std::vector<oci::TaggedImage> out = images;
  if (archs.size() < 2) return out;
  for (const auto& t : images)
    for (size_t a = 0; a < t.images.size() && a < archs.size(); ++a)
      out.push_back({t.tag + "-" + archs[a], {t.images[a]}});
  return out;
}

namespace {

// Every spec built, then the output written from their images.
Result<BuildResult> build_and_write(const BuildOptions& options, const Environment& env,
                                    std::vector<std::filesystem::path>& blob_files,
                                    oci::PreviousBlobs* previous) {
  BuildResult result;
  Timer timer(result.times);
  std::vector<oci::TaggedImage> all;
  std::set<std::string> tags;
  PackageFacts facts;
  std::vector<BuiltSbom> sboms;
  SbomMaker maker(facts, options.layer.mtime, env.cache_dir, options.layer.compress);
  SbomMaker* sbom = options.sbom ? &maker : nullptr;
  for (const auto& path : options.spec_paths) {
    auto tagged = build_spec(path, options, env, result, timer, facts, sbom, sboms);
    if (!tagged.ok()) {
      blob_files.insert(blob_files.end(), maker.dropped().begin(), maker.dropped().end());
      return tagged.error();
    }
    for (auto& t : *tagged) {
      if (!tags.insert(t.tag).second)
        return Error(Errc::invalid, path.string() + ": tag " + t.tag +
                                        " is already made by another spec (set `name:`)");
      all.push_back(std::move(t));
    }
  }
  for (const auto& t : all)
    for (const auto& image : t.images)
      for (const auto& layer : image.layers) blob_files.push_back(layer.file);
  // The documents beside the output are rendered on a second thread while the output is
  // written (both take tens of milliseconds for an app with many files), and written only
  // once the output is in place. (A std::async future waits for its thread when destroyed.)
  std::future<RenderedSboms> rendered;
  if (options.sbom) {
    result.sbom_dir = sbom_dir_for(options.output);
    rendered = std::async(std::launch::async, [&] {
      return render_sboms(sboms, all, options.layer.mtime, result.sbom_dir);
    });
  }
  if (options.write_output) {
    result.output = options.output;
    PARE_CHECK(oci::write_output(options.format, options.output, all, previous));
    timer.lap("output");
  }
  if (options.sbom) {
    PARE_TRY(result.sboms, write_sboms(rendered.get(), result.sbom_dir));
    timer.lap("sbom");
  }
  if (!options.write_output) result.built = std::move(all);
  return result;
}

}  // namespace

Result<BuildResult> run_build(const BuildOptions& options, const Environment& env) {
  if (options.spec_paths.empty()) return Error(Errc::invalid, "no spec given");
  // Refused before anything is fetched or built: pare replaces only its own outputs.
  if (options.write_output) PARE_CHECK(oci::check_replaceable(options.format, options.output));
  if (options.sbom) PARE_CHECK(check_sbom_dir_replaceable(sbom_dir_for(options.output)));
  PARE_CHECK(mark_cache(env));
  sweep_stale_temporaries(env.cache_dir);  // what killed builds left behind
  RunMemo memo;  // the specs of this run share their indexes and resolvers
  Environment run_env = env;
  run_env.memo = &memo;
  // The layout being replaced is hashed while the build runs (oci/previous_blobs.h).
  std::optional<oci::PreviousBlobs> previous;
  if (options.write_output && options.format == oci::OutputFormat::oci_layout)
    previous.emplace(options.output);
  for (int attempt = 0;; ++attempt) {
    std::vector<std::filesystem::path> blobs;
    auto built = build_and_write(options, run_env, blobs, previous ? &*previous : nullptr);
    // A cached layer blob that failed its digest while the output was written
    // was removed there: one more pass builds that layer again.
    bool dropped =
        std::any_of(blobs.begin(), blobs.end(), [](const auto& b) { return !fs::exists(b); });
    if (built.ok() || attempt > 0 || !dropped) return built;
    PARE_LOG(warn) << built.error().message() << "; the layer is built again";
  }
}

}  // namespace pare::build
