// init/: the Dockerfile reader (continuations, comments, escape directive, exec and shell
// forms, stages), the translation of the guide's Dockerfiles into specs that load_spec reads,
// what is listed as not translated (by line), and project detection.
#include "init/init.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "spec/spec.h"
#include "util/fs.h"

namespace pare::init {
namespace {

std::string fixture(const std::string& name) {
  return fs::read_file(std::string(PARE_TEST_DATA) + "/dockerfiles/" + name).value();
}

// The spec text loads (from: families served as one-line specs).
spec::Spec load(const std::string& yaml) {
  auto loader = [&](const std::filesystem::path& p) -> Result<std::string> {
    if (p == "/w/pare.yaml") return yaml;
    return std::string("source: {suite: bookworm}\n");
  };
  auto s = spec::load_spec_with("/w/pare.yaml", {}, loader);
  EXPECT_TRUE(s.ok()) << s.error().message() << "\n" << yaml;
  return s.ok() ? *s : spec::Spec{};
}

bool has_note(const InitResult& r, int line, const std::string& part) {
  for (const auto& n : r.notes)
    if (n.line == line && n.text.find(part) != std::string::npos) return true;
  return false;
}

TEST(Dockerfile, ReadsInstructionsStagesAndForms) {
  auto df = parse_dockerfile(
      "# syntax=docker/dockerfile:1\nARG V=1\nFROM golang:1.21 AS Builder\nRUN go build \\\n"
      "  # a comment inside\n  -o app .\nFROM scratch\nCOPY --from=builder /app/app /app\n"
      "CMD [\"/app\", \"--serve\"]\nENTRYPOINT /app run\n");
  ASSERT_TRUE(df.ok()) << df.error().message();
  ASSERT_EQ(df->stages.size(), 2u);
  EXPECT_EQ(df->before_first_stage.size(), 1u);
  EXPECT_EQ(df->stages[0].name, "builder");
  EXPECT_EQ(df->stages[0].instructions[0].args, "go build -o app .");
  EXPECT_EQ(df->stages[0].instructions[0].line, 4);
  const auto& fin = df->stages[1].instructions;
  EXPECT_EQ(fin[0].flags, (std::vector<std::string>{"--from=builder"}));
  EXPECT_TRUE(fin[1].exec_form);
  EXPECT_EQ(fin[1].words, (std::vector<std::string>{"/app", "--serve"}));
  EXPECT_FALSE(fin[2].exec_form);
  EXPECT_EQ(fin[2].line, 10);
}

TEST(Dockerfile, EscapeDirective) {
  auto df = parse_dockerfile("# escape=`\nFROM x\nCOPY a `\n  /b\n");
  ASSERT_TRUE(df.ok()) << df.error().message();
  EXPECT_EQ(df->stages[0].instructions[0].words, (std::vector<std::string>{"a", "/b"}));
}

TEST(Dockerfile, ErrorsNameTheLine) {
  auto unknown = parse_dockerfile("FROM x\nCOPPY a b\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message().rfind("Dockerfile:2: unknown instruction 'COPPY'", 0), 0u)
      << unknown.error().message();
  EXPECT_FALSE(parse_dockerfile("RUN x\nFROM y\n").ok());
  EXPECT_FALSE(parse_dockerfile("# nothing\n").ok());
  EXPECT_FALSE(parse_dockerfile("FROM a b\n").ok());
  EXPECT_FALSE(parse_dockerfile(std::string("FROM a\0", 7)).ok());
}

TEST(FromDockerfile, GuideNodeExample) {
  auto r = init_from_dockerfile(parse_dockerfile(fixture("node.Dockerfile")).value(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "nodejs");
  spec::Spec s = load(r->spec);
  ASSERT_EQ(s.levels.back().files.size(), 1u);
  EXPECT_EQ(s.levels.back().files[0].dest, "/app");
  EXPECT_EQ(s.levels.back().files[0].src, "/w/build/app");
  EXPECT_EQ(s.image.cmd, (std::vector<std::string>{"server.js"}));
  EXPECT_EQ(s.image.workdir, "/app");
  EXPECT_EQ(s.variants, (std::vector<std::string>{"nonroot"}));
  EXPECT_TRUE(has_note(*r, 18, "build first: stage 'builder'")) << r->spec;
}

TEST(FromDockerfile, GuidePythonExample) {
  auto r = init_from_dockerfile(parse_dockerfile(fixture("python.Dockerfile")).value(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "python3");
  spec::Spec s = load(r->spec);
  EXPECT_EQ(s.image.user, "nonroot");
  EXPECT_EQ(s.image.cmd->front(), "-m");  // "python" is the image's entrypoint already
  EXPECT_TRUE(has_note(*r, 25, "already the python3 image's entrypoint"));
  ASSERT_FALSE(s.image.env.empty());
  EXPECT_EQ(s.image.env[0].second.rfind("/home/nonroot/.local/bin:/usr/local/sbin", 0), 0u);
}

TEST(FromDockerfile, GuideGoScratchExample) {
  auto r = init_from_dockerfile(parse_dockerfile(fixture("go.Dockerfile")).value(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "scratch");
  spec::Spec s = load(r->spec);
  ASSERT_EQ(s.levels.back().files.size(), 2u);
  EXPECT_EQ(s.levels.back().files[1].dest, "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(s.image.ports, (std::vector<std::string>{"8080/tcp"}));
  EXPECT_EQ(s.image.cmd, (std::vector<std::string>{"/app"}));
}

TEST(FromDockerfile, GuideJavaExampleGlob) {
  auto r = init_from_dockerfile(parse_dockerfile(fixture("java.Dockerfile")).value(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "java");
  spec::Spec s = load(r->spec);
  EXPECT_EQ(s.levels.back().files[0].src, "/w/build/app.jar");
  EXPECT_TRUE(has_note(*r, 15, "a glob"));
}

TEST(FromDockerfile, AlpineSingleStageListsWhatItCannotTranslate) {
  auto r = init_from_dockerfile(parse_dockerfile(fixture("alpine.Dockerfile")).value(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "nodejs");
  EXPECT_TRUE(has_note(*r, 4, "RUN in the final stage"));
  spec::Spec s = load(r->spec);
  EXPECT_EQ(s.image.cmd, (std::vector<std::string>{"server.js"}));
}

TEST(FromDockerfile, HealthcheckAndShellForms) {
  auto r = init_from_dockerfile(
      parse_dockerfile("FROM gcr.io/distroless/cc-debian12\nCOPY app /app\n"
                       "HEALTHCHECK --interval=30s --retries=3 CMD [\"/app\", \"--health\"]\n"
                       "ENTRYPOINT /app --serve\nRUN apk add curl\n")
          .value(),
      {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  spec::Spec s = load(r->spec);
  ASSERT_TRUE(s.image.healthcheck.has_value());
  EXPECT_EQ(s.image.healthcheck->test, (std::vector<std::string>{"CMD", "/app", "--health"}));
  EXPECT_EQ(s.image.healthcheck->retries, 3);
  EXPECT_EQ(s.image.entrypoint, (std::vector<std::string>{"/app", "--serve"}));
  EXPECT_TRUE(has_note(*r, 4, "shell form"));
  EXPECT_TRUE(has_note(*r, 5, "apk add: curl"));
  EXPECT_EQ(s.variants, (std::vector<std::string>{"latest"}));
}

TEST(MapBase, FamiliesAndVariants) {
  EXPECT_EQ(map_base_image("gcr.io/distroless/static-debian12:nonroot").family, "static");
  EXPECT_EQ(map_base_image("gcr.io/distroless/base-nossl-debian12").family, "base-nossl");
  auto t = map_base_image("gcr.io/distroless/python3-debian13:debug");
  EXPECT_EQ(t.family, "python3");
  EXPECT_EQ(t.suite, "trixie");
  EXPECT_EQ(t.variant, "debug");
  EXPECT_EQ(map_base_image("cgr.dev/chainguard/static:latest").variant, "nonroot");
  EXPECT_EQ(map_base_image("eclipse-temurin:17-jre").family, "java");
  EXPECT_EQ(map_base_image("quay.io/x/unknown:1").family, "");
}

struct TempProject {
  std::filesystem::path dir;
  TempProject() {
    dir = std::filesystem::temp_directory_path() /
          ("pare-init-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir);
  }
  ~TempProject() { std::filesystem::remove_all(dir); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
  }
  static inline int counter = 0;
};

TEST(InitProject, EachKindGetsItsFamily) {
  struct Case {
    const char* file;
    const char* text;
    const char* family;
  };
  const Case cases[] = {{"go.mod", "module x\n", "static"},
                        {"Cargo.toml", "[package]\nname = \"svc\"\n", "cc"},
                        {"package.json", "{\"main\": \"server.js\"}", "nodejs"},
                        {"requirements.txt", "fastapi==0.92\nuvicorn\n", "python3"},
                        {"pom.xml", "<project/>", "java"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    TempProject p;
    p.write(c.file, c.text);
    auto r = init_project(p.dir, {});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_EQ(r->family, c.family);
    EXPECT_FALSE(r->why.empty());
    load(r->spec);
  }
}

TEST(InitProject, PrebuiltElfStaticOrDynamic) {
  TempProject p;
  std::filesystem::copy_file("/bin/busybox", p.dir / "tool");  // busybox-static
  auto r = init_project(p.dir, {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->family, "static");
  TempProject q;
  std::filesystem::copy_file("/usr/bin/ls", q.dir / "ls");
  auto d = init_project(q.dir, {});
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->family, "base");
  EXPECT_TRUE(load(d->spec).levels.back().auto_deps);
  TempProject empty;
  auto none = init_project(empty.dir, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Errc::not_found);
}

}  // namespace
}  // namespace pare::init
