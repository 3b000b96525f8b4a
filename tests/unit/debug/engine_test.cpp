// debug/engine.h and debug/attach.h: what pare asks podman or docker to do, recorded by a fake
// process::Runner (no engine needed), and how it reads the engine's answers.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

#include "debug/attach.h"
#include "debug/engine.h"

namespace pare::debug {
namespace {

using Argv = std::vector<std::string>;

// Answers each capture() with the next canned reply and records every argv it is given.
class FakeRunner : public process::Runner {
 public:
  std::vector<Argv> captured, attached_calls;
  std::deque<process::Captured> replies;
  int attached_exit = 0;

  Result<process::Captured> capture(const Argv& argv, std::string_view = {}) override {
    captured.push_back(argv);
    if (replies.empty()) return process::Captured{};
    auto r = replies.front();
    replies.pop_front();
    return r;
  }
  Result<int> attached(const Argv& argv) override {
    attached_calls.push_back(argv);
    return attached_exit;
  }
};

std::string inspect_json(const std::string& status, bool running, const std::string& user,
                         const std::string& ipc = "private") {
  return R"([{"Id":"0123abcd","Name":"/web","State":{"Status":")" + status + R"(","Running":)" +
         (running ? "true" : "false") + R"(},"Config":{"User":")" + user +
         R"("},"HostConfig":{"IpcMode":")" + ipc + R"("}}])";
}

bool contains_seq(const Argv& argv, const Argv& seq) {
  return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
}

TEST(ChooseEngine, PodmanThenDockerThenNone) {
  auto all = [](const std::string&) { return true; };
  auto docker_only = [](const std::string& p) { return p == "docker"; };
  auto none = [](const std::string&) { return false; };
  EXPECT_EQ(choose_engine("", all).value().program, "podman");
  EXPECT_EQ(choose_engine("", docker_only).value().kind, EngineKind::docker);
  auto missing = choose_engine("", none);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  EXPECT_NE(missing.error().message().find("neither podman nor docker"), std::string::npos);
  EXPECT_EQ(choose_engine("/opt/bin/podman-remote", all).value().kind, EngineKind::podman);
  EXPECT_EQ(choose_engine("/usr/bin/docker", all).value().kind, EngineKind::docker);
  EXPECT_FALSE(choose_engine("/no/such/engine", none));
}

TEST(ParseInspect, ReadsBothEnginesShapes) {
  auto c = parse_container_inspect(inspect_json("running", true, "nonroot", "shareable")).value();
  EXPECT_EQ(c.id, "0123abcd");
  EXPECT_EQ(c.name, "web");  // docker's leading '/' dropped
  EXPECT_TRUE(c.running);
  EXPECT_EQ(c.user, "nonroot");
  EXPECT_EQ(c.ipc_mode, "shareable");
  EXPECT_EQ(parse_container_inspect("[]").error().code(), Errc::not_found);
  EXPECT_FALSE(parse_container_inspect("not json"));
  EXPECT_FALSE(parse_container_inspect(R"([{"Id":"../etc"}])"));  // an id is hex
  EXPECT_FALSE(parse_container_inspect(R"([{"Name":"x"}])"));
  EXPECT_FALSE(parse_container_inspect(std::string(5 << 20, ' ')));
}

TEST(Attach, PodmanJoinsPidNetworkIpcAndUtsAsTheTargetsUser) {
  ContainerInfo t{"0123abcd", "web", "running", true, "65532:65532", "private"};
  AttachOptions o;
  o.toolbox = "pare-toolbox:abc";
  o.name = "pare-debug-1";
  o.command = {"ps", "-ef"};
  auto args = attach_run_args(EngineKind::podman, t, o, "65532:65532");
  for (const char* ns : {"--pid", "--network", "--ipc", "--uts"})
    EXPECT_TRUE(contains_seq(args, {ns, "container:0123abcd"})) << ns;
  EXPECT_TRUE(contains_seq(args, {"--user", "65532:65532"}));
  EXPECT_TRUE(contains_seq(args, {"--cap-add", "SYS_PTRACE"}));
  EXPECT_TRUE(contains_seq(args, {"--label", "dev.pare.debug.target=0123abcd"}));
  // The command is passed as words, never pasted into a shell string.
  EXPECT_TRUE(contains_seq(args, {"pare-toolbox:abc", "-c", "exec \"$@\"", "sh", "ps", "-ef"}));
  EXPECT_EQ(std::count(args.begin(), args.end(), "-t"), 0);
}

TEST(Attach, DockerJoinsIpcOnlyWhenShareableAndNeverUts) {
  ContainerInfo t{"0123abcd", "web", "running", true, "", "private"};
  AttachOptions o;
  o.toolbox = "tb";
  o.name = "n";
  o.tty = true;
  auto args = attach_run_args(EngineKind::docker, t, o, "0");
  EXPECT_FALSE(contains_seq(args, {"--ipc", "container:0123abcd"}));
  EXPECT_FALSE(contains_seq(args, {"--uts", "container:0123abcd"}));
  EXPECT_TRUE(contains_seq(args, {"-i", "-t"}));
  EXPECT_EQ(args.back(), "tb");  // no command: the toolbox's interactive shell
  t.ipc_mode = "shareable";
  EXPECT_TRUE(contains_seq(attach_run_args(EngineKind::docker, t, o, "0"),
                           {"--ipc", "container:0123abcd"}));
}

TEST(Attach, ChrootRunsAsRootThroughAToolboxProcess) {
  ContainerInfo t{"0123abcd", "web", "running", true, "", ""};
  AttachOptions o;
  o.toolbox = "tb";
  o.name = "n";
  o.chroot = true;
  o.command = {"cat", "/etc/os-release"};
  auto args = attach_run_args(EngineKind::podman, t, o, "0");
  auto tb = std::find(args.begin(), args.end(), "tb");
  ASSERT_NE(tb, args.end());
  ASSERT_GE(args.end() - tb, 6);
  EXPECT_EQ(tb[1], "-c");
  EXPECT_NE(tb[2].find("chroot /proc/1/root"), std::string::npos);
  EXPECT_EQ(Argv(tb + 3, args.end()), (Argv{"pare-debug", "cat", "/etc/os-release"}));
}

TEST(Attach, UserNamesNeedALookUp) {
  EXPECT_FALSE(user_needs_lookup(""));
  EXPECT_FALSE(user_needs_lookup("65532"));
  EXPECT_FALSE(user_needs_lookup("65532:65532"));
  EXPECT_TRUE(user_needs_lookup("nonroot"));
  EXPECT_TRUE(user_needs_lookup("1000:staff"));
}

TEST(Attach, LooksUpANamedUserRunsAndAlwaysRemovesTheToolbox) {
  FakeRunner runner;
  runner.replies.push_back({0, inspect_json("running", true, "nonroot"), ""});
  runner.replies.push_back({0, "65532:65532\n", ""});  // stat -c %u:%g /proc/1
  runner.attached_exit = 3;
  Engine engine({"podman", EngineKind::podman}, runner);
  AttachOptions o;
  o.toolbox = "tb";
  o.name = "pare-debug-x";
  EXPECT_EQ(attach(engine, "web", o).value(), 3);
  ASSERT_EQ(runner.captured.size(), 3u);
  EXPECT_EQ(runner.captured[0], (Argv{"podman", "container", "inspect", "--", "web"}));
  EXPECT_TRUE(contains_seq(runner.captured[1], {"stat -c %u:%g /proc/1"}));
  ASSERT_EQ(runner.attached_calls.size(), 1u);
  EXPECT_TRUE(contains_seq(runner.attached_calls[0], {"--user", "65532:65532"}));
  EXPECT_EQ(runner.captured[2], (Argv{"podman", "rm", "-f", "--", "pare-debug-x"}));
}

TEST(Attach, RefusesAStoppedContainerAndAChrootAsAnotherUser) {
  FakeRunner runner;
  runner.replies.push_back({0, inspect_json("exited", false, ""), ""});
  Engine engine({"docker", EngineKind::docker}, runner);
  AttachOptions o;
  o.toolbox = "tb";
  o.name = "n";
  auto stopped = attach(engine, "web", o);
  ASSERT_FALSE(stopped);
  EXPECT_NE(stopped.error().message().find("not running (exited)"), std::string::npos);
  EXPECT_TRUE(runner.attached_calls.empty());

  runner.replies.push_back({0, inspect_json("running", true, ""), ""});
  o.chroot = true;
  o.user = "1000";
  auto chroot = attach(engine, "web", o);
  ASSERT_FALSE(chroot);
  EXPECT_NE(chroot.error().message().find("--chroot runs as root"), std::string::npos);
  EXPECT_TRUE(runner.attached_calls.empty());
}

TEST(EngineErrors, SayWhatWentWrong) {
  FakeRunner runner;
  Engine engine({"docker", EngineKind::docker}, runner);
  runner.replies.push_back({1, "", "Error: No such container: web\n"});
  auto missing = engine.container("web");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  EXPECT_NE(missing.error().message().find("no container 'web' in docker"), std::string::npos);

  runner.replies.push_back(
      {1, "",
       "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker "
       "daemon running?\n"});
  auto down = engine.container("web");
  ASSERT_FALSE(down);
  EXPECT_NE(down.error().message().find("cannot reach docker"), std::string::npos);

  runner.replies.push_back({125, "", "Error: permission denied while trying to connect\n"});
  auto denied = engine.has_image("x");
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message().find("not permitted"), std::string::npos);

  runner.replies.push_back({1, "", "Error: x: image not known\n"});
  EXPECT_FALSE(engine.has_image("x").value());
}

TEST(Kubectl, DebugCommandTargetsTheContainer) {
  KubectlOptions k;
  k.pod = "web-7d9";
  k.container = "app";
  k.namespace_ = "shop";
  k.image = "127.0.0.1:5000/tb@sha256:00";
  EXPECT_EQ(kubectl_debug_args(k), (Argv{"kubectl", "debug", "-n", "shop", "-it", "web-7d9",
                                         "--image=127.0.0.1:5000/tb@sha256:00", "--target=app",
                                         "--profile=general", "--", "sh"}));
  k.command = {"ls", "/proc/1/root"};
  k.namespace_.clear();
  auto args = kubectl_debug_args(k);
  EXPECT_EQ(args[2], "-i");
  EXPECT_TRUE(contains_seq(args, {"--", "sh", "-c", "exec \"$@\"", "sh", "ls", "/proc/1/root"}));
}

TEST(Names, ToolboxContainersAreRandomAndPrefixed) {
  auto a = toolbox_container_name(), b = toolbox_container_name();
  EXPECT_EQ(a.rfind("pare-debug-", 0), 0u);
  EXPECT_EQ(a.size(), std::string("pare-debug-").size() + 12);
  EXPECT_NE(a, b);
}

TEST(ShellQuote, QuotesOnlyWhereAShellNeedsIt) {
  EXPECT_EQ(process::shell_quote({"kubectl", "debug", "--image=r/x@sha256:0"}),
            "kubectl debug --image=r/x@sha256:0");
  EXPECT_EQ(process::shell_quote({"sh", "-c", "exec \"$@\"", "it's"}),
            "sh -c 'exec \"$@\"' 'it'\\''s'");
  EXPECT_EQ(process::shell_quote({""}), "''");
}

TEST(SystemRunner, CapturesOutputExitCodesAndMissingPrograms) {
  auto runner = process::system_runner(8);
  auto c = runner->capture({"sh", "-c", "echo 0123456789; echo oops >&2; exit 7"}).value();
  EXPECT_EQ(c.exit_code, 7);
  EXPECT_EQ(c.out, "01234567");  // at most the limit; the rest read and dropped
  EXPECT_EQ(c.err, "oops\n");
  auto killed = runner->capture({"sh", "-c", "kill -9 $$"}).value();
  EXPECT_EQ(killed.exit_code, 128 + 9);
  auto missing = runner->capture({"no-such-program-pare"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  EXPECT_EQ(runner->attached({"sh", "-c", "exit 4"}).value(), 4);
  // stdin: given whole; a program that does not read it does not kill pare (SIGPIPE).
  EXPECT_EQ(runner->capture({"cat"}, "in").value().out, "in");
  EXPECT_EQ(runner->capture({"true"}, std::string(60000, 'x')).value().exit_code, 0);
  EXPECT_TRUE(process::on_path("sh"));
  EXPECT_FALSE(process::on_path("no-such-program-pare"));
}

}  // namespace
}  // namespace pare::debug
