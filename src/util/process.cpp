#include "util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace pare::process {

namespace {

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

Error spawn_error(const std::string& program, int rc) {
  if (rc == ENOENT) return Error(Errc::not_found, program + " is not on PATH");
  return Error(Errc::io, "cannot start " + program + ": " + std::strerror(rc));
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return exit_code_of(status);
}

// Reads both pipes until they close, keeping at most `limit` bytes of each.
void drain(int out_fd, int err_fd, size_t limit, Captured& c) {
  struct pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&c.out, &c.err};
  int open = 2;
  char buf[16384];
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        fds[i].fd = -1;
        --open;
        continue;
      }
      size_t room = limit - std::min(limit, sinks[i]->size());
      sinks[i]->append(buf, std::min(room, static_cast<size_t>(n)));
    }
  }
}

constexpr size_t kMaxInput = 64 << 10;

// The pipes of a captured run (stdin only when there is input); every end closed once.
struct Pipes {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  bool open(bool with_input) {
    return (!with_input || ::pipe2(in, O_CLOEXEC) == 0) && ::pipe2(out, O_CLOEXEC) == 0 &&
           ::pipe2(err, O_CLOEXEC) == 0;
  }
  static void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  void close_child_ends() {
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);
  }
  ~Pipes() {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err[0], &err[1]}) close_fd(*fd);
  }
};

// A program that exits without reading its stdin must not kill pare with SIGPIPE: the signal is
// blocked for the write and a pending one taken off again (the write then fails with EPIPE).
void write_ignoring_sigpipe(int fd, std::string_view bytes) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = 0;
  for (size_t done = 0; done < bytes.size(); done += static_cast<size_t>(n)) {
    n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) n = 0;
    if (n < 0) break;
  }
  if (n < 0 && errno == EPIPE) {
    struct timespec zero {};
    ::sigtimedwait(&pipe_set, nullptr, &zero);
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

std::atomic<pid_t> g_attached_child{0};
extern "C" void forward_signal(int sig) {
  pid_t child = g_attached_child.load();
  if (child > 0) ::kill(child, sig);
}

class SystemRunner : public Runner {
 public:
  explicit SystemRunner(size_t limit) : limit_(limit) {}

  Result<Captured> capture(const std::vector<std::string>& argv, std::string_view input) override {
    if (argv.empty()) return Error(Errc::internal, "empty command");
    // Written whole before reading: it must fit the pipe's buffer (64 KiB on Linux).
    if (input.size() > kMaxInput) return Error(Errc::internal, "input over 64 KiB");
    Pipes p;
    if (!p.open(!input.empty()))
      return Error(Errc::io, std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (input.empty())
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    else
      posix_spawn_file_actions_adddup2(&actions, p.in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, p.out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, p.err[1], 2);
    auto args = c_argv(argv);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    p.close_child_ends();
    if (rc == 0 && !input.empty()) write_ignoring_sigpipe(p.in[1], input);
    p.close_fd(p.in[1]);
    Captured c;
    if (rc == 0) drain(p.out[0], p.err[0], limit_, c);
    if (rc != 0) return spawn_error(argv[0], rc);
    c.exit_code = wait_for(pid);
    return c;
  }

  Result<int> attached(const std::vector<std::string>& argv) override {
    if (argv.empty()) return Error(Errc::internal, "empty command");
    struct sigaction ignore {
    }, forward{}, old_int{}, old_quit{}, old_term{}, old_hup{};
    ignore.sa_handler = SIG_IGN;
    forward.sa_handler = forward_signal;
    sigemptyset(&ignore.sa_mask);
    sigemptyset(&forward.sa_mask);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGQUIT, SIGTERM, SIGHUP}) sigaddset(&defaults, s);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
    ::sigaction(SIGINT, &ignore, &old_int);
    ::sigaction(SIGQUIT, &ignore, &old_quit);
    ::sigaction(SIGTERM, &forward, &old_term);
    ::sigaction(SIGHUP, &forward, &old_hup);
    auto args = c_argv(argv);
    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), environ);
    posix_spawnattr_destroy(&attr);
    int code = 0;
    if (rc == 0) {
      g_attached_child = pid;
      code = wait_for(pid);
      g_attached_child = 0;
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGHUP, &old_hup, nullptr);
    if (rc != 0) return spawn_error(argv[0], rc);
    return code;
  }

 private:
  size_t limit_;
};

bool is_executable(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::unique_ptr<Runner> system_runner(size_t capture_limit) {
  return std::make_unique<SystemRunner>(capture_limit);
}

bool on_path(const std::string& program) {
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return is_executable(program);
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (is_executable((dir.empty() ? "." : dir) + "/" + program)) return true;
    start = end + 1;
  }
  return false;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789@%+=:,./_-") == std::string::npos;
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

}  // namespace pare::process
