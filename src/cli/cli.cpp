// The command table (as ninja's tools table): each command declares its
// options and a function that calls the library and prints the result. This
// is the only place that prints or decides exit codes; library errors arrive
// here as pare::Error, through exactly one catch.
#include "cli/cli.h"
#include "cli/app_commands.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "build/build.h"
#include "cli/debug_commands.h"
#include "cli/output.h"
#include "cli/progress_line.h"
#include "cli/registry_commands.h"
#include "cli/session.h"
#include "registry/referrers.h"
#include "util/cas.h"
#include "util/log.h"

namespace pare::cli {

namespace {

struct Command {
  const char* name;
  const char* help;
  std::function<std::function<int()>(CLI::App*)> setup;  // declares options, returns the runner
  bool takes_command = false;  // the words after `--` are a command to run (trailing_command)
};

std::vector<std::string> g_trailing_command;

std::function<int()> setup_build(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto b = std::make_shared<build::BuildOptions>();
  auto format = std::make_shared<std::string>("oci");
  auto compression = std::make_shared<std::string>("gzip");
  auto lockfile = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("spec", b->spec_paths, "the image spec(s) (YAML); several go into one output")
      ->required();
  cmd->add_option("-o,--output", *output, "where to write the image (default: out/<name>[.tar])");
  cmd->add_option("--format", *format, "oci (layout directory), oci-archive, docker-archive")
      ->check(CLI::IsMember({"oci", "oci-archive", "docker-archive"}));
  cmd->add_option("--variant", b->variants,
                  "variant(s) to build: latest, nonroot, debug, debug-nonroot")
      ->delimiter(',');
  cmd->add_option("--lockfile", *lockfile,
                  "build exactly the packages of this lockfile (no resolving)");
  cmd->add_option("--compression", *compression, "layer compression: gzip (default), zstd")
      ->check(CLI::IsMember({"gzip", "zstd"}));
  cmd->add_option("-j,--jobs", b->threads, "worker threads (default: all cores)");
  auto context = std::make_shared<std::string>();
  cmd->add_option("--context", *context,
                  "a directory local files (files:, certificates:) may also come from, besides "
                  "each spec's own directory tree");
  auto no_git = std::make_shared<bool>(false);
  cmd->add_flag("--no-git-annotations", *no_git,
                "do not annotate images with the source URL and commit of the git checkout the "
                "spec is in (clones with different remotes then build the same bytes)");
  auto no_sbom = std::make_shared<bool>(false);
  cmd->add_flag("--no-sbom", *no_sbom,
                "write no SPDX / CycloneDX documents beside the output (OUT.sbom/)");
  auto push = std::make_shared<std::string>();
  auto ro = std::make_shared<RegistryOptions>();
  cmd->add_option("--push", *push,
                  "then push every tag built to this registry repository (REGISTRY/REPO; several "
                  "images go to REGISTRY/REPO/NAME:TAG)");
  auto cache = std::make_shared<CacheOptions>();
  add_cache_options(cmd, *cache);
  add_registry_options(cmd, *ro);
  add_common(cmd, *o);
  return [=] {
    Session session(*o);
    session.env.registries = &session.registries(*ro);
    b->load = load_options(*o);
    b->git_annotations = !*no_git;
    b->sbom = !*no_sbom;
    if (!context->empty()) b->load.context = *context;
    b->format = oci::parse_output_format(*format == "oci" ? "oci-layout" : *format).value();
    b->layer.compress.kind = parse_compression(*compression).value();
    b->layer.compress.threads = b->threads;
    b->layer.mtime = source_date_epoch();
    if (!lockfile->empty()) b->lockfile = *lockfile;
    b->output = output->empty()
                    ? default_output(b->spec_paths.size() == 1 ? b->spec_paths[0] : "images.yaml",
                                     b->format)
                    : std::filesystem::path(*output);
    if (!push->empty()) {  // a bad destination is an error before the build, not after it
      std::string_view t = *push;
      if (t.rfind("docker://", 0) == 0) t.remove_prefix(9);
      registry::parse_reference(t, short_names_from_env()).value();
    }
    auto layer_cache = open_layer_cache(session, *ro, *cache);
    session.env.layer_cache = layer_cache.get();
    // With a registry cache, --push without -o goes straight to the registry: layers from the
    // cache are mounted there, never downloaded.
    b->write_output = !(layer_cache && !push->empty() && output->empty());
    build::BuildResult r = build::run_build(*b, session.env).value();
    if (push->empty()) {
      print_build(r, o->json, o->quiet);
      return 0;
    }
    std::vector<registry::Pushed> pushed;
    if (b->write_output) {
      std::string transport = std::string(oci::output_format_name(b->format)) + ":";
      pushed = push_local(session, *ro, transport + r.output.string(), *push);
    } else {
      auto source =
          oci::memory_source(std::move(r.built), [&](const oci::Descriptor& d, fs::ByteSink& sink) {
            return layer_cache->repository().get_blob(d, sink);
          });
      pushed = push_source(session, *ro, *source, {}, *push, true);
    }
    // The SBOMs go along, as artifacts that refer to the images they describe, in the
    // repository each image was pushed to (a single-platform tag, or a per-arch tag, names it).
    for (const auto& p : pushed)
      for (const auto& s : r.sboms) {
        if (s.manifest_digest != p.digest) continue;
        registry::attach_all(session.registries(*ro),
                             {registry::parse_reference(p.reference).value()},
                             {{s.manifest_digest, "application/spdx+json", s.spdx},
                              {s.manifest_digest, "application/vnd.cyclonedx+json", s.cyclonedx}})
            .value();
      }
    print_build_and_push(r, pushed, o->json, o->quiet);
    return 0;
  };
}

std::function<int()> setup_resolve(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto spec_path = std::make_shared<std::string>();
  cmd->add_option("spec", *spec_path, "the image spec (YAML)")->required();
  auto ro = std::make_shared<RegistryOptions>();
  add_registry_options(cmd, *ro);
  add_common(cmd, *o);
  return [=] {
    Session session(*o);
    session.env.registries = &session.registries(*ro);
    build::Plan plan = build::run_resolve(*spec_path, load_options(*o), session.env).value();
    print_plan(plan, o->json);
    return 0;
  };
}

std::function<int()> setup_lock(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto spec_path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  cmd->add_option("spec", *spec_path, "the image spec (YAML)")->required();
  cmd->add_option("-o,--output", *out, "lockfile path (default: <spec>.lock.json beside the spec)");
  auto ro = std::make_shared<RegistryOptions>();
  add_registry_options(cmd, *ro);
  add_common(cmd, *o);
  return [=] {
    Session session(*o);
    session.env.registries = &session.registries(*ro);
    std::optional<std::filesystem::path> dest;
    if (!out->empty()) dest = *out;
    auto path = build::run_lock(*spec_path, load_options(*o), dest, session.env).value();
    print_lock(path, o->json, o->quiet);
    return 0;
  };
}

// `pare cache dir|verify|prune`: the cache directory as a whole (build/cache.h).
std::function<int()> setup_cache(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto days = std::make_shared<double>(30);
  cmd->require_subcommand(1);
  CLI::App* dir = cmd->add_subcommand("dir", "print the cache directory");
  CLI::App* verify = cmd->add_subcommand(
      "verify", "check every cache entry against its digest; remove what is damaged");
  CLI::App* prune = cmd->add_subcommand("prune", "remove entries not used for a while");
  prune->add_option("--older-than", *days, "days since an entry was last used (default 30)")
      ->check(CLI::Range(0.0, 36500.0));
  for (CLI::App* sub : {dir, verify, prune}) {
    sub->add_option("--cache-dir", o->cache_dir,
                    "cache directory (default: $PARE_CACHE_DIR, $XDG_CACHE_HOME/pare)");
    sub->add_flag("--json", o->json, "print the result as JSON on stdout");
    sub->add_flag("-q,--quiet", o->quiet, "print only errors");
  }
  return [=] {
    Session session(*o);
    const auto& cache = session.env.cache_dir;
    if (dir->parsed()) {
      std::printf("%s\n", o->json ? nlohmann::json{{"cache_dir", cache.string()}}.dump().c_str()
                                  : cache.string().c_str());
    } else if (verify->parsed()) {
      print_cache_report("verify", build::verify_cache(cache).value(), o->json, o->quiet);
    } else {
      auto seconds = static_cast<int64_t>(*days * 86400);
      print_cache_report("prune", build::prune_cache(cache, seconds).value(), o->json, o->quiet);
    }
    return 0;
  };
}

std::function<int()> setup_version(CLI::App*) {
  return [] {
    std::printf("pare %s\n", kPareVersion);
    return 0;
  };
}

const Command kCommands[] = {
    {"build", "build an image from a spec", setup_build},
    {"resolve", "print the package set: versions, sizes and why each package is there",
     setup_resolve},
    {"lock", "resolve and write a lockfile (exact versions, SHA-256, URLs)", setup_lock},
    {"deps", "which Debian packages ELF files need (what auto-deps: true adds)", setup_deps},
    {"init", "write a first spec for a project, or translate a Dockerfile (--from-dockerfile)",
     setup_init},
    {"cache", "the cache: dir, verify, prune", setup_cache},
    {"push", "push every tag of a local image to a registry", setup_push},
    {"pull", "pull an image from a registry into an OCI layout", setup_pull},
    {"copy", "copy an image between layouts, archives and registries (digests kept)", setup_copy},
    {"tags", "list a registry repository's tags", setup_tags},
    {"manifest", "print an image's raw manifest or index", setup_manifest},
    {"login", "check and store credentials for a registry", setup_login},
    {"logout", "remove stored credentials for a registry", setup_logout},
    {"attach", "push an artifact (SBOM, signature, ...) that refers to an image", setup_attach},
    {"referrers", "list the artifacts that refer to an image", setup_referrers},
    {"sbom", "the SBOM (SPDX or CycloneDX) of any image", setup_sbom},
    {"inspect", "what an image is: platforms, config, layers and their history, packages",
     setup_inspect},
    {"ls", "list an image's files (mode, owner, size, link, layer) without unpacking it", setup_ls},
    {"cat", "print a file of an image", setup_cat},
    {"audit", "is it really distroless? shells, package managers, setuid, root, secrets...",
     setup_audit},
    {"diff", "packages, files and config changed between two images", setup_diff},
    {"scan", "known vulnerabilities of an image's packages, from feed files (offline)", setup_scan},
    {"compare", "images side by side: sizes, packages, shell, root, setuid, open CVEs; --html",
     setup_compare},
    {"debug", "attach a toolbox to a running container; --image: run any image with a shell",
     setup_debug, true},
    {"add-debug", "any image with a busybox shell layer on top (original layers kept)",
     setup_add_debug},
    {"shell", "build a spec and open a shell on the image's files (read-only, nothing runs)",
     setup_shell, true},
    {"version", "print pare's version", setup_version},
};

}  // namespace

const std::vector<std::string>& trailing_command() {
  return g_trailing_command;
}

int run(int argc, char** argv) {
  // `pare debug X -- CMD...`: CMD is taken off before CLI11 sees it, so that its words are
  // never read as pare's options or positionals.
  if (argc > 1)
    for (const auto& c : kCommands)
      if (c.takes_command && std::string_view(argv[1]) == c.name)
        for (int i = 2; i < argc; ++i)
          if (std::string_view(argv[i]) == "--") {
            g_trailing_command.assign(argv + i + 1, argv + argc);
            argc = i;
            break;
          }
  CLI::App app{"pare: distroless container images from Debian packages, without a daemon or root"};
  app.require_subcommand(1);
  app.footer(
      "Run `pare COMMAND --help` for a command's options. Docs: README.md, docs/spec.md, "
      "docs/registry.md, docs/sbom.md");
  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (const auto& c : kCommands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    runners.emplace_back(sub, c.setup(sub));
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; a usage error is invalid input: exit 2, as documented.
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, runner] : runners)
      if (sub->parsed()) return runner();
  } catch (const Error& e) {
    std::fprintf(stderr, "pare: error: %s\n", e.message().c_str());
    return e.exit_code();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pare: internal error: %s\n", e.what());
    return 70;
  }
  return 1;
}

}  // namespace pare::cli
