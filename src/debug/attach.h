// `pare debug CONTAINER`: a toolbox container started beside a running one, in its PID,
// network, IPC and (podman) UTS namespaces, so its processes, sockets and files
// (/proc/1/root) are the toolbox's to look at; the target itself is not changed. With
// `chroot`, the shell's root is the target's filesystem while its programs stay the
// toolbox's: the toolbox keeps one process whose root is its own, and the shell is started
// through that process's /proc/PID/root (a static busybox then runs every applet from
// /proc/self/exe). Also the `kubectl debug` command that does the same in a cluster.
#pragma once

#include <string>
#include <vector>

#include "debug/engine.h"

namespace pare::debug {

struct AttachOptions {
  std::vector<std::string> command;  // empty: an interactive shell
  std::string user;                  // "" = the target's (its process's uid:gid)
  bool chroot = false;               // runs as root: chroot(2) needs CAP_SYS_CHROOT
  bool tty = false;                  // allocate a terminal (stdin and stdout are one)
  std::string toolbox;               // the image to run (any image with a POSIX sh)
  std::string name;                  // the toolbox container's name
};

// The numeric user to run as when the target's Config.User is a name (it may not exist in
// the toolbox's /etc/passwd): nullopt when `config_user` needs no look-up.
bool user_needs_lookup(const std::string& config_user);

// `ENGINE run` arguments (after "run") for the toolbox beside `target`, the user resolved.
std::vector<std::string> attach_run_args(EngineKind kind, const ContainerInfo& target,
                                         const AttachOptions& options, const std::string& user);

// The same for the one-off look-up of the target process's uid:gid (`stat -c %u:%g /proc/1`).
std::vector<std::string> user_lookup_run_args(EngineKind kind, const ContainerInfo& target,
                                              const std::string& toolbox);

// Runs the session: checks the target is running, resolves the user, runs the toolbox on
// pare's terminal, and removes it afterwards whatever happened (Ctrl-C, the target stopping).
// Returns the toolbox's exit code.
Result<int> attach(Engine& engine, const std::string& target, const AttachOptions& options);

struct KubectlOptions {
  std::string pod, container, namespace_;
  std::string image;  // the toolbox, as the cluster pulls it (REGISTRY/REPO@sha256:...)
  std::vector<std::string> command;
  bool chroot = false;
};
// `kubectl debug` with an ephemeral container of the toolbox targeting the container
// (profile "general" gives it SYS_PTRACE, which reading /proc/1/root needs).
std::vector<std::string> kubectl_debug_args(const KubectlOptions& options);

// A name for a toolbox container: "pare-debug-" and 12 random hex digits.
std::string toolbox_container_name(const std::string& prefix = "pare-debug");

}  // namespace pare::debug
