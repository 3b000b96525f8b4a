// src/inspect: the flattened filesystem (ls, cat), audit's checks and diff, on images whose
// layers are written here with the project's own tar writer: whiteouts, opaque directories,
// links, package databases, and a blob damaged on disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <archive.h>
#include <archive_entry.h>
#include "inspect/audit.h"
#include "inspect/diff.h"
#include "inspect/files.h"

#include "oci/layer.h"
#include "oci/tar.h"
#include "sbom/layer_summary.h"
#include "util/checked.h"
#include "util/sha256.h"

namespace pare::inspect {
namespace {

using oci::EntryType;
using oci::TarHeader;

TarHeader entry(std::string path, EntryType type, uint32_t mode, std::string link = "",
                uint64_t size = 0) {
  TarHeader h;
  h.path = std::move(path);
  h.type = type;
  h.mode = mode;
  h.link = std::move(link);
  h.size = size;
  return h;
}

struct Item {
  TarHeader header;
  std::string data;
};
Item dir(std::string p, uint32_t mode = 0755) {
  return {entry(std::move(p), EntryType::dir, mode), ""};
}
Item file(std::string p, std::string data, uint32_t mode = 0644) {
  auto h = entry(std::move(p), EntryType::file, mode, "", data.size());
  return {h, std::move(data)};
}
Item symlink(std::string p, std::string target) {
  return {entry(std::move(p), EntryType::symlink, 0777, std::move(target)), ""};
}

class ImageBuilder {
 public:
  ImageBuilder()
      : dir_(fs::TempDir::create(std::filesystem::temp_directory_path(), "pare-inspect").value()) {}
  ImageBuilder& layer(const std::vector<Item>& items) {
    CompressOptions options;
    auto writer = oci::LayerWriter::create(dir_.path(), options).value();
    for (const auto& i : items) EXPECT_TRUE(writer->tar().add(i.header, i.data).ok());
    oci::LayerBlob blob = writer->finish().value();
    image_.layer_files.push_back(blob.file);
    oci::Descriptor d;
    d.digest = blob.digest;
    d.size = blob.size;
    d.media_type = blob.media_type;
    image_.manifest.layers.push_back(d);
    return *this;
  }
  // A layer written by libarchive as given, names unchecked (what another tool may write).
  ImageBuilder& raw_layer(const std::vector<std::pair<std::string, std::string>>& files) {
    auto path = dir_.path() / ("raw" + std::to_string(image_.layer_files.size()) + ".tar");
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    EXPECT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
    for (const auto& [name, data] : files) {
      struct archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name.c_str());
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_perm(e, 0755);
      archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
      archive_write_header(a, e);
      archive_write_data(a, data.data(), data.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    image_.layer_files.push_back(path);
    oci::Descriptor d;
    d.digest = "sha256:" + sha256_file_hex(path).value();
    image_.manifest.layers.push_back(d);
    return *this;
  }
  ImageBuilder& user(std::string u) {
    image_.config.user = std::move(u);
    return *this;
  }
  ImageBuilder& env(std::string e) {
    image_.config.env.push_back(std::move(e));
    return *this;
  }
  oci::ImageOnDisk& image() { return image_; }

 private:
  fs::TempDir dir_;
  oci::ImageOnDisk image_;
};

std::vector<std::string> paths(const std::vector<ListedEntry>& listing) {
  std::vector<std::string> out;
  for (const auto& l : listing) out.push_back(l.path);
  return out;
}

const Check& check(const AuditReport& r, const std::string& name) {
  for (const auto& c : r.checks)
    if (c.name == name) return c;
  static Check none;
  ADD_FAILURE() << "no check " << name;
  return none;
}

const std::string kStatus =
    "Package: busybox\nVersion: 1:1.35.0-4\nArchitecture: amd64\nMaintainer: M <m@x>\n";

TEST(Files, WhiteoutsOpaqueDirectoriesAndLinks) {
  ImageBuilder b;
  b.layer({dir("etc"), file("etc/motd", "hi\n"), dir("opt"), dir("opt/old"), file("opt/old/a", "a"),
           dir("usr"), dir("usr/lib"), file("usr/lib/os-release", "ID=debian\n"),
           symlink("etc/os-release", "../usr/lib/os-release"), symlink("lib", "usr/lib"),
           symlink("loop", "loop")});
  b.layer({file("etc/.wh.motd", ""), dir("opt"), file("opt/.wh..wh..opq", ""), file("opt/new", "n"),
           file("var/log/deep/x.log", "implied dirs")});
  auto entries = read_entries(b.image());
  ASSERT_TRUE(entries.ok()) << entries.error().message();
  EXPECT_EQ(entries->count("etc/motd"), 0u) << "whited out";
  EXPECT_EQ(entries->count("opt/old/a"), 0u) << "hidden by the opaque directory";
  auto opt = list_entries(*entries, "/opt", false);
  ASSERT_TRUE(opt.ok());
  EXPECT_EQ(paths(*opt), std::vector<std::string>{"/opt/new"});
  auto root = list_entries(*entries, "/", false).value();
  EXPECT_EQ(paths(root),
            (std::vector<std::string>{"/etc", "/lib", "/loop", "/opt", "/usr", "/var"}));
  EXPECT_TRUE(root.back().implicit) << "/var is only implied by a file below it";
  EXPECT_EQ(paths(list_entries(*entries, "/lib/os-release", false).value()),
            std::vector<std::string>{"/usr/lib/os-release"})
      << "a link in the directories above is followed";
  auto lib = list_entries(*entries, "/lib", false).value();
  EXPECT_EQ(paths(lib), std::vector<std::string>{"/usr/lib/os-release"}) << "a link to a directory";
  auto deep = list_entries(*entries, "/var", true).value();
  EXPECT_EQ(paths(deep),
            (std::vector<std::string>{"/var/log", "/var/log/deep", "/var/log/deep/x.log"}));
  EXPECT_EQ(list_entries(*entries, "/nope", false).error().code(), Errc::not_found);

  EXPECT_EQ(read_image_file(b.image(), *entries, "/etc/os-release", 1 << 20).value(),
            "ID=debian\n");
  EXPECT_EQ(read_image_file(b.image(), *entries, "/lib/os-release", 1 << 20).value(),
            "ID=debian\n");
  EXPECT_EQ(read_image_file(b.image(), *entries, "/opt/new", 1 << 20).value(), "n");
  EXPECT_EQ(read_image_file(b.image(), *entries, "/etc/motd", 1 << 20).error().code(),
            Errc::not_found);
  EXPECT_EQ(read_image_file(b.image(), *entries, "/etc", 1 << 20).error().code(), Errc::invalid);
  EXPECT_EQ(read_image_file(b.image(), *entries, "/loop", 1 << 20).error().code(), Errc::invalid)
      << "a link loop (ELOOP)";
  EXPECT_FALSE(read_image_file(b.image(), *entries, "/usr/lib/os-release", 3).ok()) << "bounded";

  auto largest = largest_files(*entries, 2);
  ASSERT_EQ(largest.size(), 2u);
  EXPECT_EQ(largest[0].path, "/var/log/deep/x.log");
}

TEST(Files, AHardlinkKeepsWhatItsLayerLinked) {
  ImageBuilder b;
  b.layer({file("a", "AAAA"), {entry("b", EntryType::hardlink, 0644, "a"), ""}});
  b.layer({file("a", "BB")});
  b.layer({file(".wh.a", "")});
  auto entries = read_entries(b.image()).value();
  EXPECT_EQ(read_image_file(b.image(), entries, "/b", 1 << 20).value(), "AAAA")
      << "a later layer that rewrites, then removes, the target leaves the hardlink alone";
  EXPECT_EQ(read_image_file(b.image(), entries, "/a", 1 << 20).error().code(), Errc::not_found);
}

TEST(Files, ModeStrings) {
  sbom::FileEntry e;
  e.mode = 04755;
  EXPECT_EQ(mode_string(e), "-rwsr-xr-x");
  e.type = sbom::FileEntry::Type::dir;
  e.mode = 01777;
  EXPECT_EQ(mode_string(e), "drwxrwxrwt");
  e.type = sbom::FileEntry::Type::file;
  e.mode = 02644;
  EXPECT_EQ(mode_string(e), "-rw-r-Sr--");
}

TEST(Files, ADamagedLayerIsRefused) {
  ImageBuilder b;
  b.layer({file("etc/passwd", std::string(4096, 'x'))});
  auto path = b.image().layer_files[0];
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr);
  std::fseek(f, 40, SEEK_SET);
  std::fputc('!', f);
  std::fclose(f);
  auto entries = read_entries(b.image());
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.error().code(), Errc::integrity) << entries.error().message();
}

TEST(Audit, DistrolessImagePasses) {
  ImageBuilder b;
  b.layer({dir("etc"), file("usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
           symlink("etc/os-release", "../usr/lib/os-release"), dir("tmp", 01777),
           file("var/lib/dpkg/status.d/busybox", kStatus),
           file("var/lib/dpkg/status.d/busybox.md5sums", "0123  busybox/busybox\n"),
           file("busybox/busybox", "elf", 0755), symlink("busybox/sh", "busybox"),
           file("usr/share/doc/busybox/copyright", "c"),
           file("var/lib/pare/sbom/image.spdx.json",
                R"({"files":[{"fileName":"./etc/passwd"},{"fileName":"./usr/lib/os-release"},)"
                R"({"fileName":"./usr/share/doc/busybox/copyright"}]})"),
           file("etc/passwd", "root:x:0:0::/root:/sbin/nologin\n")});
  b.user("65532").env("PATH=/usr/bin:/busybox");
  auto r = audit_image(b.image(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  for (const auto& c : r->checks)
    EXPECT_TRUE(c.passed) << c.name << ": " << (c.evidence.empty() ? "" : c.evidence[0]);
  EXPECT_TRUE(r->passed());
}

TEST(Audit, EachCheckFailsWithEvidence) {
  ImageBuilder b;
  b.layer({file("bin/bash", "elf", 0755), symlink("bin/sh", "bash"),
           file("busybox/busybox", "x", 0755), file("usr/bin/dpkg", "elf", 0755),
           file("usr/bin/passwd", "elf", 04755), dir("srv", 0777), dir("tmp", 01777),
           file("app/.env", "KEY=1"), file("app/tls.key", "-----BEGIN EC PRIVATE KEY-----\n"),
           file("etc/ssl/certs/ca.pem", "-----BEGIN CERTIFICATE-----\n"),
           dir("usr/share/doc/ghost"),
           file("var/lib/dpkg/status", kStatus + "Status: install ok installed\n")});
  auto r = audit_image(b.image(), {"secrets"});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_FALSE(r->passed());
  auto has = [&](const std::string& c, const std::string& text) {
    for (const auto& e : check(*r, c).evidence)
      if (e.find(text) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("shell", "/bin/bash"));
  EXPECT_TRUE(has("shell", "/bin/sh -> bash"));
  EXPECT_TRUE(has("shell", "/busybox/busybox")) << "no debug PATH: busybox counts";
  EXPECT_TRUE(has("package-manager", "/usr/bin/dpkg"));
  EXPECT_TRUE(has("setuid", "/usr/bin/passwd (setuid 0)"));
  EXPECT_TRUE(has("world-writable", "/srv"));
  EXPECT_FALSE(has("world-writable", "/tmp"));
  EXPECT_TRUE(has("runs-as-root", "unset"));
  EXPECT_TRUE(has("secrets", "/app/.env"));
  EXPECT_TRUE(has("secrets", "/app/tls.key (a private key)"));
  EXPECT_FALSE(has("secrets", "ca.pem")) << "a certificate is no secret";
  EXPECT_TRUE(check(*r, "secrets").allowed);
  EXPECT_TRUE(has("package-metadata", "/usr/share/doc/ghost has no package record"));
  EXPECT_TRUE(has("os-release", "neither"));
  EXPECT_TRUE(has("unowned-files", "/app/.env"));
  EXPECT_EQ(audit_image(b.image(), {"no-such"}).error().code(), Errc::invalid);
}

TEST(Audit, MergedUsrOwnership) {
  // dpkg lists /bin/x; under a merged /usr the file lies at usr/bin/x.
  ImageBuilder b;
  b.layer({symlink("bin", "usr/bin"), file("usr/bin/x", "x", 0755),
           file("var/lib/dpkg/status.d/x", "Package: x\nVersion: 1\nArchitecture: amd64\n"),
           file("var/lib/dpkg/status.d/x.md5sums", "00  bin/x\n"),
           file("usr/lib/os-release", "ID=debian\n")});
  b.user("nonroot");
  auto r = audit_image(b.image(), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(check(*r, "unowned-files").evidence, std::vector<std::string>{})
      << "/usr/bin/x is dpkg's bin/x (and os-release a conventional generated file)";
}

TEST(Audit, WhatAHostileImageTriesToHide) {
  Item realsh = file("usr/lib/realsh", "elf", 0755);
  Item hard{entry("bin/sh", EntryType::hardlink, 0, "usr/lib/realsh"), ""};
  Item key_link{entry("root/.ssh/id_rsa", EntryType::hardlink, 0, "usr/lib/realsh"), ""};
  ImageBuilder b;
  b.raw_layer({{"usr//bin/apt", "elf"},
               {"usr/bin/./dpkg", "elf"},
               {"foo/../usr/bin/apk", "elf"},
               {"../../usr/sbin/rpm", "elf"}});
  b.layer({realsh, hard, key_link, file("etc/passwd", "toor:x:0:0::/root:/bin/sh\n"),
           file("big/x.pem", "-----BEGIN PRIVATE KEY-----\n" + std::string(200 << 10, 'p')),
           file("usr/share/doc/p/copyright", std::string(2 << 20, 'c')), dir("x"),
           file("x/child", "c"), file("x", "now a file")});
  for (const char* user : {"00", "+0", "toor", "0:0"}) {
    b.user(user);
    auto r = audit_image(b.image(), {});
    ASSERT_TRUE(r.ok()) << r.error().message();
    EXPECT_FALSE(check(*r, "runs-as-root").passed) << user;
  }
  b.user("1000");
  auto r = audit_image(b.image(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(check(*r, "runs-as-root").passed);
  const auto& pm = check(*r, "package-manager").evidence;
  for (const char* p : {"/usr/bin/apt", "/usr/bin/dpkg", "/usr/bin/apk", "/usr/sbin/rpm"})
    EXPECT_NE(std::find(pm.begin(), pm.end(), p), pm.end()) << p;
  const auto& shells = check(*r, "shell").evidence;
  EXPECT_NE(std::find(shells.begin(), shells.end(), "/bin/sh => /usr/lib/realsh"), shells.end());
  const auto& secrets = check(*r, "secrets").evidence;
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "/root/.ssh/id_rsa"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "/big/x.pem (a private key)"), secrets.end())
      << "a large key file is scanned from its start";
  auto entries = read_entries(b.image()).value();
  EXPECT_EQ(entries.count("x/child"), 0u) << "a file that replaces its directory in one layer";
  EXPECT_EQ(entries.at("x").type, sbom::FileEntry::Type::file);
}

TEST(Audit, ConffilesAndConventionalFilesAreOwned) {
  ImageBuilder b;
  b.layer({file("etc/debian_version", "12.8\n"),
           file("etc/passwd", "root:x:0:0::/root:/sbin/nologin\n"),
           file("etc/ssl/certs/ca-certificates.crt", "-----BEGIN CERTIFICATE-----\n"),
           file("usr/lib/os-release", "ID=debian\n"),
           file("var/lib/dpkg/status.d/base-files",
                "Package: base-files\nVersion: 12.4\nConffiles:\n /etc/debian_version 0123abc\n"
                " /etc/issue 4567 obsolete\n"),
           file("var/lib/dpkg/status.d/base-files.md5sums", "00  usr/lib/os-release\n")});
  b.user("65532");
  auto r = audit_image(b.image(), {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(check(*r, "unowned-files").passed)
      << (check(*r, "unowned-files").evidence.empty() ? ""
                                                      : check(*r, "unowned-files").evidence[0]);
}

TEST(Files, PathWalksAreBounded) {
  std::map<std::string, sbom::FileEntry> entries;
  sbom::FileEntry target, link;
  entries["etc/hello"] = target;
  link.type = sbom::FileEntry::Type::symlink;
  std::string dots;
  for (int i = 0; i < 200000; ++i) dots += "./";
  link.link = dots + "etc/hello";
  entries["far"] = link;
  EXPECT_EQ(sbom::resolve_path(entries, "far"), "") << "too long a walk leads nowhere";
  link.link = "./././etc/hello";
  entries["near"] = link;
  EXPECT_EQ(sbom::resolve_path(entries, "near"), "etc/hello");
}

TEST(Diff, PackagesFilesAndConfig) {
  ImageBuilder a, b;
  a.layer({file("var/lib/dpkg/status.d/p", "Package: p\nVersion: 1\n"),
           file("var/lib/dpkg/status.d/gone", "Package: gone\nVersion: 3\n"),
           file("etc/conf", "one"), file("bin/tool", "t", 0755), file("old", "o")});
  a.user("0").env("A=1").env("B=2");
  b.layer({file("var/lib/dpkg/status.d/p", "Package: p\nVersion: 2\n"),
           file("var/lib/dpkg/status.d/new", "Package: new\nVersion: 1\n"), file("etc/conf", "two"),
           file("bin/tool", "t", 0700), file("added", "aa")});
  b.user("65532").env("A=1").env("C=3");
  auto d = diff_images(a.image(), b.image());
  ASSERT_TRUE(d.ok()) << d.error().message();
  ASSERT_EQ(d->packages.size(), 3u);
  EXPECT_EQ(d->packages[0].name, "gone");
  EXPECT_EQ(d->packages[0].to, "");
  EXPECT_EQ(d->packages[1].name, "new");
  EXPECT_EQ(d->packages[1].from, "");
  EXPECT_EQ(d->packages[2].from, "1");
  EXPECT_EQ(d->packages[2].to, "2");
  std::map<std::string, FileChange> files;
  for (const auto& f : d->files) files[f.path] = f;
  EXPECT_EQ(files["/added"].kind, 'A');
  EXPECT_EQ(files["/old"].kind, 'D');
  EXPECT_EQ(files["/etc/conf"].what, "content");
  EXPECT_EQ(files["/bin/tool"].what, "mode 0755 -> 0700");
  std::map<std::string, std::pair<std::string, std::string>> config;
  for (const auto& c : d->config) config[c.field] = {c.from, c.to};
  EXPECT_EQ(config["user"], std::make_pair(std::string("0"), std::string("65532")));
  EXPECT_EQ(config["env B"], std::make_pair(std::string("2"), std::string("")));
  EXPECT_EQ(config["env C"], std::make_pair(std::string(""), std::string("3")));
  EXPECT_EQ(config.count("env A"), 0u);
  EXPECT_TRUE(diff_images(a.image(), a.image())->empty());
}

TEST(Summaries, WarmReadsAgreeAndAreChecked) {
  ImageBuilder b;
  b.layer({dir("etc"), file("etc/passwd", "root\n"),
           file("app/server.key", "-----BEGIN PRIVATE KEY-----"),
           file("app/big.pem", std::string(100 << 10, 'p')),
           symlink("etc/os-release", "../usr/lib/os-release"),
           file("var/lib/dpkg/status.d/p", "Package: p\nVersion: 1\n"),
           file("opt/.wh..wh..opq", "")});
  b.layer({file("etc/.wh.passwd", ""), file("usr/bin/tool", "t", 04755)});
  auto cache =
      fs::TempDir::create(std::filesystem::temp_directory_path(), "pare-summaries").value();
  auto refs = sbom::layer_refs(b.image());
  auto cold = sbom::read_flat_summaries(refs, cache.path());
  ASSERT_TRUE(cold.ok()) << cold.error().message();
  auto record = cache.path() / "layer-summaries" / refs[0].digest.substr(7);
  ASSERT_TRUE(std::filesystem::exists(record));
  auto warm = sbom::read_flat_summaries(refs, cache.path());
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(cold->files, warm->files);
  ASSERT_EQ(cold->entries.size(), warm->entries.size());
  for (const auto& [path, e] : cold->entries) {
    const auto& w = warm->entries.at(path);
    EXPECT_EQ(std::tie(e.type, e.mode, e.size, e.link, e.sha256, e.layer),
              std::tie(w.type, w.mode, w.size, w.link, w.sha256, w.layer))
        << path;
  }
  EXPECT_EQ(warm->entries.count("etc/passwd"), 0u) << "the whiteout survives the record";
  EXPECT_EQ(warm->files.count("app/server.key"), 1u);
  ASSERT_EQ(warm->files.count("app/big.pem"), 1u);
  EXPECT_EQ(warm->files.at("app/big.pem").size(), 64u << 10) << "a key candidate's start only";
  EXPECT_EQ(warm->entries.at("usr/bin/tool").layer, 1u);

  // A damaged record reads as absent and is made again.
  std::string bytes = fs::checked_record(sbom::encode_summary(sbom::LayerFiles{}));
  bytes[bytes.size() / 2] ^= 1;
  {
    std::FILE* f = std::fopen(record.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  }
  auto again = sbom::read_flat_summaries(refs, cache.path());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->entries.size(), cold->entries.size());

  // A blob changed on disk is refused even though its summary is cached.
  std::FILE* f = std::fopen(refs[1].file.c_str(), "ab");
  std::fputc('x', f);
  std::fclose(f);
  auto changed = sbom::read_flat_summaries(refs, cache.path());
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code(), Errc::integrity);
}

TEST(Summaries, DecodeRefusesWhatIsNotWhole) {
  sbom::LayerFiles layer;
  layer.entries["a"].size = 3;
  layer.files["a"] = "abc";
  layer.removed = {"gone"};
  std::string bytes = sbom::encode_summary(layer);
  auto back = sbom::decode_summary(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->files, layer.files);
  EXPECT_EQ(back->removed, layer.removed);
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(sbom::decode_summary(bytes.substr(0, cut)).has_value()) << cut;
  EXPECT_FALSE(sbom::decode_summary(bytes + "x").has_value());
}

}  // namespace
}  // namespace pare::inspect
