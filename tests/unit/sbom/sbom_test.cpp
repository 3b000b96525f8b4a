// sbom/packages.h and sbom/document.h: package databases read, licences from DEP-5, purls
// exactly as Trivy, Syft and Grype key on them, and both documents' structure and determinism.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sbom/document.h"
#include "sbom/packages.h"
#include "util/sha256.h"

namespace pare::sbom {
namespace {

using nlohmann::json;

TEST(Records, DpkgStatusAndStatusD) {
  auto r = parse_dpkg_records(
      "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u8\nArchitecture: amd64\n"
      "Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>\nSource: glibc\n\n"
      "Package: libssl3\nVersion: 3.0.15-1~deb12u1\nArchitecture: amd64\n"
      "Source: openssl (3.0.15-1~deb12u1)\n\n"
      "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n",
      "status");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].source, "glibc");
  EXPECT_EQ((*r)[0].source_version, "2.36-9+deb12u8");
  EXPECT_EQ((*r)[1].source, "openssl");
  EXPECT_EQ((*r)[0].maintainer, "GNU Libc Maintainers <debian-glibc@lists.debian.org>");
  EXPECT_FALSE(parse_dpkg_records("no colon\n", "x").ok());
}

TEST(Records, ApkInstalledDatabase) {
  auto r = parse_apk_installed(
      "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\nm:Timo Teras <timo@example>\n\n"
      "P:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\no:busybox\n",
      "installed");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].kind, PackageKind::apk);
  EXPECT_EQ((*r)[1].licenses, std::vector<std::string>{"GPL-2.0-only"});
  EXPECT_FALSE(parse_apk_installed("garbage line\n", "installed").ok());
}

TEST(Licences, Dep5OrNoAssertion) {
  std::string dep5 =
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
      "Files: *\nCopyright: 1 A\nLicense: GPL-2+\n\n"
      "Files: lib/*\nCopyright: 2 B\nLicense: LGPL-2.1+ or BSD-3-clause\n\n"
      "License: GPL-2+\n This program is free software...\n";
  auto l = dep5_licenses(dep5);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(*l, (std::vector<std::string>{"GPL-2+", "LGPL-2.1+ or BSD-3-clause"}));
  EXPECT_FALSE(dep5_licenses("This is the Debian prepackaged version of zlib.\n").has_value());
  EXPECT_EQ(spdx_expression("LGPL-2.1+ or BSD-3-clause"), "LGPL-2.1-or-later OR BSD-3-Clause");
  EXPECT_EQ(spdx_expression("GPL-2+, and Expat"), "GPL-2.0-or-later AND MIT");
  EXPECT_EQ(spdx_license_id("Some License!"), "LicenseRef-Some-License-");
}

PackageRecord record(std::string name, std::string version, std::string arch, std::string source,
                     std::string source_version) {
  PackageRecord p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.arch = std::move(arch);
  p.source = std::move(source);
  p.source_version = std::move(source_version);
  return p;
}

PackageRecord libssl() {
  PackageRecord p;
  p.name = "libssl3";
  p.version = "3.0.15-1~deb12u1";
  p.arch = "amd64";
  p.source = "openssl";
  p.source_version = "3.0.15-1~deb12u1";
  p.maintainer = "Debian OpenSSL Team <pkg-openssl-devel@alioth-lists.debian.net>";
  p.licenses = {"Apache-2.0"};
  p.sha256 = std::string(64, 'b');
  return p;
}

TEST(Purl, QualifiersSortedAndEncoded) {
  OsInfo os{"debian", "12", "12.8", "Debian GNU/Linux"};
  EXPECT_EQ(
      package_purl(libssl(), os),
      "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.8&upstream=openssl");
  PackageRecord epoch;
  epoch.name = "libgcc-s1";
  epoch.version = "12.2.0-14";
  epoch.arch = "amd64";
  epoch.source = "gcc-12";
  epoch.source_version = "12.2.0-14";
  EXPECT_EQ(package_purl(epoch, os),
            "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64&distro=debian-12.8&upstream=gcc-12");
  PackageRecord self = record("tzdata", "2024a-0+deb12u1", "all", "tzdata", "2024a-0+deb12u1");
  EXPECT_EQ(package_purl(self, os),
            "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12.8");
  PackageRecord binnmu = record("libx", "1:2.0-1+b1", "amd64", "x", "1:2.0-1");
  EXPECT_EQ(
      package_purl(binnmu, os),
      "pkg:deb/debian/libx@1%3A2.0-1%2Bb1?arch=amd64&distro=debian-12.8&upstream=x%401%3A2.0-1");
  EXPECT_EQ(oci_purl("python3:latest", "sha256:ab", "amd64"),
            "pkg:oci/python3@sha256%3Aab?arch=amd64");
}

SbomImage image() {
  SbomImage i;
  i.name = "base:latest";
  i.arch = "amd64";
  i.manifest_digest = "sha256:" + std::string(64, 'c');
  i.created = 0;
  i.os = {"debian", "12", "12.8", "Debian GNU/Linux"};
  i.packages = {libssl()};
  PackageRecord odd = libssl();
  odd.name = "odd";
  odd.licenses = {"Weird-License"};
  i.packages.push_back(odd);
  i.layers = {{"sha256:" + std::string(64, 'd'), "sha256:" + std::string(64, 'e'),
               "application/vnd.oci.image.layer.v1.tar+gzip", 100}};
  return i;
}

TEST(Spdx, WhatScannersKeyOn) {
  std::string text = spdx_json(image());
  EXPECT_EQ(text, spdx_json(image())) << "deterministic";
  auto j = json::parse(text);
  EXPECT_EQ(j["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(j["creationInfo"]["created"], "1970-01-01T00:00:00Z");
  const json* os = nullptr;
  const json* ssl = nullptr;
  for (const auto& p : j["packages"]) {
    if (p.value("primaryPackagePurpose", "") == "OPERATING_SYSTEM") os = &p;
    if (p["name"] == "libssl3") ssl = &p;
  }
  ASSERT_TRUE(os && ssl);
  EXPECT_EQ((*os)["name"], "debian");
  EXPECT_EQ((*os)["versionInfo"], "12.8");
  EXPECT_EQ((*ssl)["sourceInfo"], "built package from: openssl 3.0.15-1~deb12u1");
  EXPECT_EQ((*ssl)["licenseDeclared"], "Apache-2.0");
  EXPECT_EQ((*ssl)["supplier"],
            "Person: Debian OpenSSL Team (pkg-openssl-devel@alioth-lists.debian.net)");
  EXPECT_EQ((*ssl)["externalRefs"][0]["referenceType"], "purl");
  bool os_contains_ssl = false, doc_describes = false;
  for (const auto& r : j["relationships"]) {
    os_contains_ssl |= r["spdxElementId"] == (*os)["SPDXID"] &&
                       r["relationshipType"] == "CONTAINS" &&
                       r["relatedSpdxElement"] == (*ssl)["SPDXID"];
    doc_describes |=
        r["spdxElementId"] == "SPDXRef-DOCUMENT" && r["relationshipType"] == "DESCRIBES";
  }
  EXPECT_TRUE(os_contains_ssl);
  EXPECT_TRUE(doc_describes);
  ASSERT_TRUE(j.contains("hasExtractedLicensingInfos"));  // LicenseRef-Weird-License is defined
  EXPECT_EQ(j["hasExtractedLicensingInfos"][0]["licenseId"], "LicenseRef-Weird-License");
  SbomImage other = image();
  other.packages.pop_back();
  EXPECT_NE(json::parse(spdx_json(other))["documentNamespace"], j["documentNamespace"]);
}

// The namespace and serial number follow from the rest of the document, which is serialised
// once with a placeholder: the placeholder never survives, and a file named like it is kept.
TEST(SbomDocuments, DerivedFieldsReplaceOnlyTheirPlaceholder) {
  SbomImage i = image();
  std::string odd = std::string("/\"documentNamespace\": \"https://pare.invalid/spdx/") +
                    std::string(kDerivedPlaceholder) + "\"";
  i.files.push_back({odd, std::string(64, 'a'), "added"});
  i.files.push_back({"/urn:uuid:" + std::string(kDerivedPlaceholder), std::string(64, 'b'), ""});
  auto spdx = json::parse(spdx_json(i));
  std::string ns = spdx["documentNamespace"];
  ASSERT_EQ(ns.rfind("https://pare.invalid/spdx/", 0), 0u);
  EXPECT_TRUE(is_sha256_hex(ns.substr(26))) << ns;
  EXPECT_EQ(spdx["files"][0]["fileName"], "." + odd);
  auto cdx = json::parse(cyclonedx_json(i));
  std::string serial = cdx["serialNumber"];
  EXPECT_EQ(serial.size(), 9u + 36u) << serial;
  EXPECT_EQ(serial.find(kDerivedPlaceholder), std::string::npos);
  // A document that differs only in an added file's name gets another namespace and serial.
  SbomImage j = i;
  j.files[1].path += "x";
  EXPECT_NE(json::parse(spdx_json(j))["documentNamespace"], ns);
  EXPECT_NE(json::parse(cyclonedx_json(j))["serialNumber"], serial);
}

// Both writers give each object's keys in ascending order: every document is exactly what
// nlohmann::json would write for its own value (no key out of order, nothing mis-escaped), for
// images with every optional field, odd bytes in names, and for an index.
TEST(SbomDocuments, AreInCanonicalForm) {
  SbomImage i = image();
  i.packages[0].slice = {"/usr/lib/x86_64-linux-gnu/libssl.so.3*"};
  i.packages[0].download_location = "http://mirror.invalid/pool/libssl3.deb";
  i.files.push_back({"/app/caf\xC3\xA9\t\"q\"\x80.txt", std::string(64, 'a'), "files: x"});
  i.files.push_back({"/app/no-comment", std::string(64, 'b'), ""});
  SbomImage bare = image();
  bare.manifest_digest.clear();
  bare.packages.clear();
  SbomIndex index{"base:latest", "sha256:" + std::string(64, 'f'), 0, {}};
  index.images = {{"amd64", "sha256:" + std::string(64, '1'), "base_latest_amd64.spdx.json"},
                  {"arm64", "sha256:" + std::string(64, '2'), ""}};
  for (const std::string& text :
       {spdx_json(i), cyclonedx_json(i), spdx_json(bare), cyclonedx_json(bare),
        index_spdx_json(index), index_cyclonedx_json(index)}) {
    json j = json::parse(text, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << text;
    EXPECT_EQ(j.dump(2, ' ', false, json::error_handler_t::replace) + "\n", text);
  }
}

TEST(CycloneDx, WhatScannersKeyOn) {
  std::string text = cyclonedx_json(image());
  EXPECT_EQ(text, cyclonedx_json(image()));
  auto j = json::parse(text);
  EXPECT_EQ(j["specVersion"], "1.6");
  EXPECT_EQ(j["metadata"]["component"]["type"], "container");
  std::string serial = j["serialNumber"];
  EXPECT_EQ(serial.rfind("urn:uuid:", 0), 0u);
  EXPECT_EQ(serial[9 + 14], '5');  // a version-5 style UUID
  bool os = false;
  for (const auto& c : j["components"])
    os |= c["type"] == "operating-system" && c["version"] == "12.8";
  EXPECT_TRUE(os);
  bool deps = false;
  for (const auto& d : j["dependencies"])
    for (const auto& on : d["dependsOn"])
      deps |= on.get<std::string>().rfind("pkg:deb/debian/libssl3@", 0) == 0;
  EXPECT_TRUE(deps);
}

}  // namespace
}  // namespace pare::sbom

#include "sbom/image_files.h"

namespace pare::sbom {
namespace {

TEST(ImageFiles, MetadataPathsAndWhatTheySay) {
  EXPECT_TRUE(is_metadata_path("var/lib/dpkg/status.d/libc6"));
  EXPECT_FALSE(is_metadata_path("var/lib/dpkg/status.d/libc6.md5sums"));
  EXPECT_TRUE(is_metadata_path("usr/share/doc/libc6/copyright"));
  EXPECT_FALSE(is_metadata_path("usr/share/doc/libc6/changelog.gz"));
  EXPECT_TRUE(is_metadata_path("lib/apk/db/installed"));
  std::map<std::string, std::string> files = {
      {"etc/os-release",
       "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"},
      {"etc/debian_version", "12.8\n"},
      {"var/lib/dpkg/status.d/libc6",
       "Package: libc6\nVersion: 2.36-9+deb12u8\nArchitecture: amd64\nSource: glibc\n"},
      {"usr/share/doc/libc6/copyright",
       "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
       "Files: *\nCopyright: x\nLicense: LGPL-2.1+\n"}};
  auto c = describe_files(files);
  ASSERT_TRUE(c.ok()) << c.error().message();
  EXPECT_TRUE(c->os_known);
  EXPECT_EQ(c->os.id, "debian");
  EXPECT_EQ(c->os.version_id, "12");
  EXPECT_EQ(c->os.version, "12.8");
  EXPECT_EQ(c->os.name, "Debian GNU/Linux 12 (bookworm)");
  ASSERT_EQ(c->packages.size(), 1u);
  EXPECT_EQ(c->packages[0].licenses, std::vector<std::string>{"LGPL-2.1+"});
}

}  // namespace
}  // namespace pare::sbom
