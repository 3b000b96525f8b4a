// registry/reference.h: the reference grammar, short names, and the errors a user sees.
#include "registry/reference.h"

#include <gtest/gtest.h>

namespace pare::registry {
namespace {

const std::string kSha = "sha256:" + std::string(64, 'a');

Reference ok(std::string_view text, const ShortNames& names = {}) {
  auto r = parse_reference(text, names);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message());
  return r.ok() ? *r : Reference{};
}

std::string error_of(std::string_view text, const ShortNames& names = {}) {
  auto r = parse_reference(text, names);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r->str() : "");
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code(), Errc::invalid);
  return r.error().message();
}

TEST(Reference, DomainsPortsAndLoopback) {
  Reference r = ok("127.0.0.1:5000/team/python3:nonroot");
  EXPECT_EQ(r.registry, "127.0.0.1:5000");
  EXPECT_EQ(r.repository, "team/python3");
  EXPECT_EQ(r.tag, "nonroot");
  EXPECT_EQ(r.str(), "127.0.0.1:5000/team/python3:nonroot");
  r = ok("localhost/app");
  EXPECT_EQ(r.registry, "localhost");
  EXPECT_EQ(r.tag, "latest");
  r = ok("[::1]:5000/app:v1");
  EXPECT_EQ(r.registry, "[::1]:5000");
  EXPECT_EQ(r.repository, "app");
  EXPECT_EQ(r.tag, "v1");
  r = ok("reg.example:443/a/b/c");
  EXPECT_EQ(r.repository, "a/b/c");
}

TEST(Reference, TagAndDigest) {
  Reference r = ok("reg.example/app@" + kSha);
  EXPECT_EQ(r.tag, "");
  EXPECT_EQ(r.digest, kSha);
  EXPECT_EQ(r.manifest_ref(), kSha);
  r = ok("reg.example/app:1.2@" + kSha);
  EXPECT_EQ(r.tag, "1.2");
  EXPECT_EQ(r.manifest_ref(), kSha);  // the digest decides what is fetched
  EXPECT_EQ(r.str(), "reg.example/app:1.2@" + kSha);
}

TEST(Reference, ShortNamesNeedAConfiguredRegistry) {
  EXPECT_NE(error_of("busybox").find(
                "names no registry: write REGISTRY/busybox or set PARE_DEFAULT_REGISTRY"),
            std::string::npos);
  ShortNames names{"reg.example", "library/"};
  Reference r = ok("busybox", names);
  EXPECT_EQ(r.str(), "reg.example/library/busybox:latest");
  r = ok("team/app:v2", names);
  EXPECT_EQ(r.str(), "reg.example/team/app:v2");  // the prefix is for single components only
  r = ok("localhost:5000/app", names);
  EXPECT_EQ(r.registry, "localhost:5000");  // a domain is never replaced
}

TEST(Reference, PathComponentSeparators) {
  ok("reg.example/a.b_c__d---e/f-g");
  EXPECT_NE(error_of("reg.example/a___b").find("not a repository path component"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example/-a").find("not a repository path component"), std::string::npos);
  EXPECT_NE(error_of("reg.example/a/").find("not a repository path component"), std::string::npos);
  EXPECT_NE(error_of("reg.example//a").find("not a repository path component"), std::string::npos);
}

TEST(Reference, ErrorsSayWhatIsWrong) {
  EXPECT_EQ(error_of("reg.example/Team/app"),
            "image reference 'reg.example/Team/app': repository names must be lowercase");
  EXPECT_NE(error_of("reg.example/app:-bad").find("'-bad' is not a tag"), std::string::npos);
  EXPECT_NE(error_of("reg.example/app:" + std::string(129, 'a')).find("is not a tag"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example/app@sha256:abc").find("is not a digest"), std::string::npos);
  EXPECT_NE(error_of("reg.example/app@md5:" + std::string(32, 'a')).find("is not a digest"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example/app@" + std::string("sha256:") + std::string(64, 'A'))
                .find("is not a digest"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example:99999/app").find("is not a registry host[:port]"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example:/app").find("is not a registry host[:port]"), std::string::npos);
  EXPECT_NE(error_of("-bad.example/app").find("is not a registry host[:port]"), std::string::npos);
  EXPECT_NE(error_of("[zz::1]/app").find("is not a registry host[:port]"), std::string::npos);
  EXPECT_NE(error_of("reg.example/").find("no repository name after the registry"),
            std::string::npos);
  EXPECT_NE(error_of("reg.example/a b").find("space or control character"), std::string::npos);
  EXPECT_NE(error_of("").find("empty"), std::string::npos);
  EXPECT_NE(error_of("reg.example/" + std::string(300, 'a')).find("longer than 255"),
            std::string::npos);
  EXPECT_NE(error_of(std::string(5000, 'a')).find("longer than 4096 bytes"), std::string::npos);
}

TEST(Reference, Repositories) {
  auto r = parse_repository("127.0.0.1:5000/team");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->registry, "127.0.0.1:5000");
  EXPECT_EQ(r->repository, "team");
  EXPECT_EQ(r->tag, "");
  EXPECT_FALSE(parse_repository("127.0.0.1:5000/team:v1").ok());
  EXPECT_FALSE(parse_repository("127.0.0.1:5000/team@" + kSha).ok());
}

}  // namespace
}  // namespace pare::registry
