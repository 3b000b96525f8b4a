// Debugging images with no shell (debug/): `pare debug CONTAINER` attaches pare's toolbox to a
// running container, `pare debug --image IMAGE` and `pare shell SPEC` run an image with a
// busybox layer added, `pare add-debug` writes such an image, `pare debug --kubectl POD`
// gives the `kubectl debug` command. The command after `--` is cli.cpp's trailing_command().
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/debug_commands.h"
#include "cli/output.h"
#include "cli/registry_commands.h"
#include "debug/add_debug.h"
#include "debug/attach.h"
#include "debug/toolbox.h"
#include "util/log.h"

namespace pare::cli {

namespace {

struct DebugArgs {
  CommonOptions o;
  RegistryOptions ro;
  std::string engine, user, image, toolbox, platform;
  bool chroot = false;
  std::string kubectl_pod, kubectl_container, kubectl_namespace, push;
  bool kubectl_run = false;
};

std::string suite_of(const CommonOptions& o) {
  return o.suite.empty() ? "bookworm" : o.suite;
}

debug::Engine make_engine(const std::string& chosen, process::Runner& runner) {
  std::string name = chosen;
  if (name.empty())
    if (const char* e = std::getenv("PARE_ENGINE")) name = e;
  return debug::Engine(debug::choose_engine(name, process::on_path).value(), runner);
}

bool have_terminal() {
  return ::isatty(0) && ::isatty(1);
}

oci::Platform host_platform() {
  return oci::platform_for_debian_arch(spec::host_arch()).value();
}

// The image with a busybox layer loaded into the engine, run with its shell (or `command`),
// then removed from the engine. Returns the shell's exit code.
int run_with_shell(Session& session, debug::Engine& engine, oci::ImageSource& source,
                   const oci::Descriptor& root, const std::string& suite,
                   const std::string& platform, bool read_only) {
  debug::AddDebugOptions options;
  options.platform = platform.empty() ? host_platform() : oci::parse_platform(platform).value();
  options.suite = suite;
  auto made =
      debug::make_debug_images(session.env, source, root, options, session.env.cache_dir).value();
  const oci::PlatformImage& image = made.images.at(0);
  std::string name = "pare-debug-image:" + image.manifest.digest().substr(7, 12);
  debug::load_image(engine, image, name, session.env.cache_dir).value();
  std::string container = debug::toolbox_container_name("pare-shell");
  std::vector<std::string> args{"--rm", "-i"};
  if (have_terminal()) args.push_back("-t");
  args.insert(args.end(), {"--name", container});
  if (read_only) args.insert(args.end(), {"--read-only", "--network", "none"});
  args.push_back(name);
  const auto& command = trailing_command();
  if (!command.empty()) args.insert(args.end(), {"-c", "exec \"$@\"", "sh"});
  args.insert(args.end(), command.begin(), command.end());
  int code = engine.run_attached(args).value();
  engine.remove_container(container);
  if (auto removed = engine.remove_image(name); !removed) {
    PARE_LOG(warn) << "could not remove " << name << " from " << engine.name() << ": "
                   << removed.error().message();
  }
  return code;
}

// The toolbox pushed to `repo`; the reference the cluster pulls it by (REPO@sha256:...).
std::string push_toolbox(Session& session, const DebugArgs& a) {
  std::vector<std::string> archs =
      a.o.archs.empty() ? std::vector<std::string>{"amd64"} : a.o.archs;
  auto toolbox = debug::open_toolbox(session.env, suite_of(a.o), archs).value();
  auto pushed =
      push_local(session, a.ro, "oci:" + toolbox.dir.string() + ":pare-toolbox:debug", a.push);
  const auto& p = pushed.at(0);
  std::string ref = p.reference;
  auto slash = ref.rfind('/'), colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    ref.resize(colon);
  return ref + "@" + p.digest;
}

// "python3:nonroot" -> "python3:nonroot-debug", "app" -> "app-debug";
// docker://host/team/app:1.2 -> "app:1.2-debug".
std::string debug_tag_for(const OpenedImage& opened) {
  std::string base;
  if (opened.ref.local) {
    base = opened.ref.local->tag;
  } else if (opened.ref.remote) {
    const auto& r = *opened.ref.remote;
    base =
        r.repository.substr(r.repository.rfind('/') + 1) + ":" + (r.tag.empty() ? "latest" : r.tag);
  }
  if (base.empty()) return "debug";
  return base + "-debug";
}

void print_add_debug(const std::filesystem::path& dest, const std::string& tag,
                     const std::vector<oci::PlatformImage>& images, bool json, bool quiet) {
  if (json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& i : images)
      list.push_back({{"platform", oci::platform_string(i.platform)},
                      {"digest", i.manifest.digest()},
                      {"busybox_layer", i.layers.back().digest}});
    std::printf(
        "%s\n",
        nlohmann::json{{"output", dest.string()}, {"tag", tag}, {"images", list}}.dump().c_str());
    return;
  }
  if (quiet) return;
  for (const auto& i : images)
    std::printf("%-28s %s  %s, %zu layers (busybox on top)\n", printable(tag).c_str(),
                i.manifest.digest().substr(0, 19).c_str(), oci::platform_string(i.platform).c_str(),
                i.layers.size());
  std::printf("wrote %s\n", printable(dest.string()).c_str());
}

int run_kubectl(Session& session, const DebugArgs& a) {
  debug::KubectlOptions k;
  k.pod = a.kubectl_pod;
  k.container = a.kubectl_container;
  k.namespace_ = a.kubectl_namespace;
  k.command = trailing_command();
  k.chroot = a.chroot;
  k.image = !a.toolbox.empty() ? a.toolbox : a.image;
  if (k.image.empty() && !a.push.empty()) k.image = push_toolbox(session, a);
  if (k.image.empty())
    throw Error(Errc::invalid,
                "--kubectl needs the toolbox where the cluster can pull it: --push "
                "REGISTRY/REPO (pare pushes its toolbox there) or --toolbox REF");
  auto args = debug::kubectl_debug_args(k);
  if (a.kubectl_run) return process::system_runner()->attached(args).value();
  if (a.o.json) {
    std::printf("%s\n", nlohmann::json{{"command", args}, {"image", k.image}}.dump().c_str());
  } else {
    std::printf("%s\n", process::shell_quote(args).c_str());
    if (k.container.empty() && !a.o.quiet)
      std::fprintf(stderr,
                   "note: without -c CONTAINER the toolbox does not share a container's "
                   "processes\n");
  }
  return 0;
}

int run_debug(const DebugArgs& a, const std::string& container) {
  Session session(a.o);
  if (!a.kubectl_pod.empty()) {
    session.env.registries = &session.registries(a.ro);
    return run_kubectl(session, a);
  }
  auto runner = process::system_runner();
  debug::Engine engine = make_engine(a.engine, *runner);
  if (container.empty()) {
    if (a.image.empty())
      throw Error(Errc::invalid, "name a running container, or --image IMAGE, or --kubectl POD");
    OpenedImage opened = open_image(session, a.ro, a.image);
    return run_with_shell(session, engine, *opened.source, opened.root, suite_of(a.o), a.platform,
                          false);
  }
  debug::AttachOptions options;
  options.command = trailing_command();
  options.user = a.user;
  options.chroot = a.chroot;
  options.tty = have_terminal();
  options.name = debug::toolbox_container_name();
  options.toolbox = !a.toolbox.empty() ? a.toolbox : a.image;
  if (options.toolbox.empty()) {
    auto toolbox = debug::open_toolbox(session.env, suite_of(a.o), {spec::host_arch()}).value();
    options.toolbox = debug::load_toolbox(engine, toolbox, host_platform()).value();
  }
  return debug::attach(engine, container, options).value();
}

void add_engine_option(CLI::App* cmd, std::string& engine) {
  cmd->add_option("--engine", engine,
                  "podman, docker or a path to either (default: $PARE_ENGINE, else podman, then "
                  "docker, from PATH)");
}

}  // namespace

std::function<int()> setup_debug(CLI::App* cmd) {
  auto a = std::make_shared<DebugArgs>();
  auto container = std::make_shared<std::string>();
  cmd->add_option("container", *container, "a running podman or docker container (name or id)");
  add_engine_option(cmd, a->engine);
  cmd->add_option("--user", a->user,
                  "run the toolbox as this user (default: the target process's uid:gid)");
  cmd->add_flag("--chroot", a->chroot,
                "a shell whose root is the target's filesystem, with the toolbox's programs (as "
                "root)");
  cmd->add_option("--image", a->image,
                  "with CONTAINER: the toolbox image (any image with a sh); without: an image "
                  "to run with a busybox layer added (" +
                      std::string(kImageArgHelp) + ")");
  cmd->add_option("--toolbox", a->toolbox, "the toolbox image (default: pare's busybox toolbox)");
  cmd->add_option("--platform", a->platform,
                  "which image of an index --image runs (default: the host's)");
  cmd->add_option("--kubectl", a->kubectl_pod, "print the kubectl debug command for this pod");
  cmd->add_option("-c,--container", a->kubectl_container,
                  "with --kubectl: the container to target");
  cmd->add_option("-n,--namespace", a->kubectl_namespace, "with --kubectl: the pod's namespace");
  cmd->add_option(
      "--push", a->push,
      "with --kubectl: push pare's toolbox to this repository (REGISTRY/REPO) and use it");
  cmd->add_flag("--run", a->kubectl_run, "with --kubectl: run the command instead of printing it");
  add_registry_options(cmd, a->ro);
  add_common(cmd, a->o);
  cmd->footer(
      "A command after `--` runs instead of an interactive shell. The toolbox container is "
      "removed when it ends. See docs/debug.md.");
  return [=] { return run_debug(*a, *container); };
}

std::function<int()> setup_add_debug(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto output = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("oci");
  auto tag = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("-o,--output", *output, "where to write the debug image")->required();
  cmd->add_option("--format", *format, "oci (layout directory), oci-archive, docker-archive")
      ->check(CLI::IsMember({"oci", "oci-archive", "docker-archive"}));
  cmd->add_option("-t,--tag", *tag, "the output's tag (default: the image's tag + \"-debug\")");
  cmd->add_option("--platform", *platform, "only this platform of an index (OS/ARCH)");
  add_registry_options(cmd, *ro);
  add_common(cmd, *o);
  return [=] {
    Session session(*o);
    OpenedImage opened = open_image(session, *ro, *image);
    debug::AddDebugOptions options;
    if (!platform->empty()) options.platform = oci::parse_platform(*platform).value();
    options.suite = suite_of(*o);
    options.created = source_date_epoch();
    auto dest = std::filesystem::path(*output);
    auto parent = dest.has_parent_path() ? dest.parent_path() : std::filesystem::path(".");
    auto made =
        debug::make_debug_images(session.env, *opened.source, opened.root, options, parent).value();
    std::string name = tag->empty() ? debug_tag_for(opened) : *tag;
    auto kind = oci::parse_output_format(*format == "oci" ? "oci-layout" : *format).value();
    oci::write_output(kind, dest, {oci::TaggedImage(name, made.images)}).value();
    print_add_debug(dest, name, made.images, o->json, o->quiet);
    return 0;
  };
}

std::function<int()> setup_shell(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto spec_path = std::make_shared<std::string>();
  auto variant = std::make_shared<std::string>();
  auto engine_name = std::make_shared<std::string>();
  cmd->add_option("spec", *spec_path, "the image spec (YAML)")->required();
  cmd->add_option("--variant", *variant, "which variant (default: the spec's first)");
  add_engine_option(cmd, *engine_name);
  add_registry_options(cmd, *ro);
  add_common(cmd, *o);
  cmd->footer(
      "Builds the image, adds pare's busybox under /busybox and runs its shell read-only with "
      "no network: every file of the image is there, nothing of the image runs. A command "
      "after `--` runs instead of the shell.");
  return [=] {
    Session session(*o);
    session.env.registries = &session.registries(*ro);
    auto runner = process::system_runner();
    debug::Engine engine = make_engine(*engine_name, *runner);
    build::BuildOptions b;
    b.spec_paths = {*spec_path};
    b.load = load_options(*o);
    if (b.load.archs.empty()) b.load.archs = {spec::host_arch()};
    spec::Spec spec = spec::load_spec(*spec_path, b.load).value();
    b.variants = {variant->empty() ? spec.variants.at(0) : *variant};
    b.git_annotations = false;
    b.sbom = false;
    b.layer.mtime = source_date_epoch();
    auto work = fs::TempDir::create(session.env.cache_dir, ".pare-tmp-shell").value();
    b.output = work.path() / "image";
    build::BuildResult r = build::run_build(b, session.env).value();
    auto source = oci::open_local_source({oci::LocalRef::Kind::layout, b.output, ""}).value();
    oci::Descriptor root = source->resolve(r.images.at(0).tag).value();
    return run_with_shell(session, engine, *source, root, spec.source.suite, "", true);
  };
}

}  // namespace pare::cli
