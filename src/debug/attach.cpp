#include "debug/attach.h"

#include <random>

#include "util/log.h"

namespace pare::debug {

namespace {

// The shell script the toolbox runs for --chroot ($1... is the command, none for a shell).
// `sleep` keeps a process whose root is the toolbox's, so /proc/$h/root reaches the toolbox's
// shell binary (the running shell's /proc/$$/exe) from inside the target's root. A busybox
// binary is told which applet to be ("sh"); it then runs its applets through /proc/self/exe.
constexpr const char* kChrootScript =
    "sleep 2147483647 & h=$!\n"
    "e=$(readlink /proc/$$/exe); s=/proc/$h/root$e; a=\n"
    "case ${e##*/} in busybox*) a=sh ;; esac\n"
    "[ $# -eq 0 ] && exec chroot /proc/1/root \"$s\" $a\n"
    "exec chroot /proc/1/root \"$s\" $a -c 'exec \"$@\"' sh \"$@\"\n";

// The command after the toolbox's image: its shell, with the command if there is one.
std::vector<std::string> toolbox_command(const std::vector<std::string>& command, bool chroot) {
  std::vector<std::string> out;
  if (chroot) {
    out = {"-c", kChrootScript, "pare-debug"};
  } else if (!command.empty()) {
    out = {"-c", "exec \"$@\"", "sh"};
  }
  out.insert(out.end(), command.begin(), command.end());
  return out;
}

bool all_digits(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

bool user_needs_lookup(const std::string& config_user) {
  if (config_user.empty()) return false;
  auto colon = config_user.find(':');
  std::string uid = config_user.substr(0, colon);
  std::string gid = colon == std::string::npos ? "" : config_user.substr(colon + 1);
  return !all_digits(uid) || (!gid.empty() && !all_digits(gid));
}

std::vector<std::string> attach_run_args(EngineKind kind, const ContainerInfo& target,
                                         const AttachOptions& o, const std::string& user) {
  std::string ns = "container:" + target.id;
  std::vector<std::string> args{"--rm", "-i"};
  if (o.tty) args.push_back("-t");
  args.insert(args.end(), {"--name", o.name, "--label", "dev.pare.debug.target=" + target.id,
                           "--pid", ns, "--network", ns});
  // Docker joins another container's IPC namespace only when that one made it shareable.
  if (kind == EngineKind::podman || target.ipc_mode == "shareable")
    args.insert(args.end(), {"--ipc", ns});
  if (kind == EngineKind::podman) args.insert(args.end(), {"--uts", ns});
  // Reading another user's /proc/1/root takes CAP_SYS_PTRACE (ptrace access mode checks).
  args.insert(args.end(),
              {"--cap-add", "SYS_PTRACE", "--user", user, "--entrypoint", "sh", o.toolbox});
  auto cmd = toolbox_command(o.command, o.chroot);
  args.insert(args.end(), cmd.begin(), cmd.end());
  return args;
}

std::vector<std::string> user_lookup_run_args(EngineKind, const ContainerInfo& target,
                                              const std::string& toolbox) {
  return {"--rm",      "--pid",        "container:" + target.id,
          "--cap-add", "SYS_PTRACE",   "--user",
          "0",         "--entrypoint", "sh",
          toolbox,     "-c",           "stat -c %u:%g /proc/1"};
}

std::string toolbox_container_name(const std::string& prefix) {
  std::random_device rd;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string name = prefix + "-";
  for (int i = 0; i < 12; ++i) name += "0123456789abcdef"[hex(rd)];
  return name;
}

Result<int> attach(Engine& engine, const std::string& target_name, const AttachOptions& o) {
  PARE_TRY(ContainerInfo target, engine.container(target_name));
  if (!target.running)
    return Error(Errc::invalid, "container '" + target_name + "' is not running (" +
                                    (target.status.empty() ? "stopped" : target.status) +
                                    "): pare debug joins a running container; `pare debug "
                                    "--image IMAGE` debugs an image");
  std::string user = o.user;
  if (o.chroot) {
    if (!user.empty() && user != "0" && user != "root" && user.rfind("0:", 0) != 0)
      return Error(Errc::invalid,
                   "--chroot runs as root (chroot(2) needs CAP_SYS_CHROOT): "
                   "leave out --user " +
                       user);
    user = "0";
  } else if (user.empty()) {
    user = target.user.empty() ? "0" : target.user;
    if (user_needs_lookup(user)) {  // a name the toolbox may not know: ask the kernel
      PARE_TRY(std::string ids,
               engine.run_captured(user_lookup_run_args(engine.choice().kind, target, o.toolbox)));
      while (!ids.empty() && (ids.back() == '\n' || ids.back() == '\r')) ids.pop_back();
      if (ids.empty() || ids.find_first_not_of("0123456789:") != std::string::npos)
        return Error(Errc::invalid, "cannot tell the uid of '" + target_name + "''s process");
      user = ids;
    }
  }
  PARE_LOG(info) << "attaching " << o.name << " (" << o.toolbox << ") to " << target_name
                 << " as user " << user;
  auto code = engine.run_attached(attach_run_args(engine.choice().kind, target, o, user));
  // `run --rm` removes it on a normal exit; this covers the engine's client being killed.
  engine.remove_container(o.name);
  return code;
}

std::vector<std::string> kubectl_debug_args(const KubectlOptions& o) {
  std::vector<std::string> args{"kubectl", "debug"};
  if (!o.namespace_.empty()) args.insert(args.end(), {"-n", o.namespace_});
  args.push_back(o.command.empty() ? "-it" : "-i");
  args.push_back(o.pod);
  args.push_back("--image=" + o.image);
  if (!o.container.empty()) args.push_back("--target=" + o.container);
  args.push_back("--profile=general");
  args.push_back("--");
  args.push_back("sh");
  auto cmd = toolbox_command(o.command, o.chroot);
  args.insert(args.end(), cmd.begin(), cmd.end());
  return args;
}

}  // namespace pare::debug
