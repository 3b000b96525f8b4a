#include "deb/stanza_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace pare;
using namespace pare::deb;

namespace {

using Ids = std::vector<uint32_t>;
using Names = std::vector<std::string_view>;

const std::string kText =
    "Package: libc6\n"
    "Version: 2.36-9\n"
    "Provides: libc6-x (= 2.36)\n"
    "\n"
    "\n"
    "Description: a stanza without a Package field is left out\n"
    "\n"
    "package: mawk\n"
    "PROVIDES: awk,\n"
    " awk-any (= 1:1.3.4), mawk\n"
    "Depends: libc6 (>= 2.34)\n"
    "\n"
    "Package: gawk\n"
    "Provides: awk\n"
    "Pre-Depends: libc6\n"
    "Package-List: not the Package field\n"
    "\n"
    "Package: libc6\n"
    "Version: 2.36-9+deb12u4";  // the last stanza may lack its final newline

TEST(StanzaIndex, StanzasWithAPackageFieldInFileOrder) {
  StanzaIndex index = StanzaIndex::build(kText);
  ASSERT_EQ(index.size(), 4u);
  EXPECT_EQ(index.stanza(0), "Package: libc6\nVersion: 2.36-9\nProvides: libc6-x (= 2.36)\n");
  EXPECT_EQ(field_value(index.stanza(1), "Package"), "mawk");
  EXPECT_EQ(field_value(index.stanza(2), "Package"), "gawk");
  EXPECT_EQ(index.stanza(3), "Package: libc6\nVersion: 2.36-9+deb12u4");
  EXPECT_THROW((void)index.stanza(4), std::out_of_range);
}

TEST(StanzaIndex, LookupFindsPackagesAndWhatProvidesAName) {
  StanzaIndex index = StanzaIndex::build(kText);
  EXPECT_EQ(index.lookup("libc6"), Ids({0, 3}));
  EXPECT_EQ(index.lookup("libc6-x"), Ids({0}));  // versioned provide
  EXPECT_EQ(index.lookup("awk"), Ids({1, 2}));   // field names in any case
  EXPECT_EQ(index.lookup("awk-any"), Ids({1}));  // continuation line
  EXPECT_EQ(index.lookup("mawk"), Ids({1}));     // provides itself: once
  EXPECT_EQ(index.lookup("libc"), Ids());        // a prefix is not a name
  EXPECT_EQ(index.lookup("not"), Ids());         // Package-List is not Package
  EXPECT_EQ(index.lookup("Description:"), Ids());
  EXPECT_EQ(StanzaIndex::build("").lookup("libc6"), Ids());
  EXPECT_EQ(StanzaIndex::build("\n\n\n").size(), 0u);
}

TEST(StanzaIndex, PackageNamesInFileOrder) {
  std::vector<std::string> names;
  StanzaIndex::build(kText).for_each_package_name(
      [&](std::string_view n) { names.emplace_back(n); });
  EXPECT_EQ(names, std::vector<std::string>({"libc6", "mawk", "gawk", "libc6"}));
}

TEST(StanzaIndex, SerializedIndexLoadsBackWithTheSameAnswers) {
  StanzaIndex built = StanzaIndex::build(kText);
  auto loaded = StanzaIndex::load(built.serialize(), kText);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  ASSERT_EQ(loaded->size(), built.size());
  for (uint32_t i = 0; i < built.size(); ++i) EXPECT_EQ(loaded->stanza(i), built.stanza(i));
  for (const char* name : {"libc6", "libc6-x", "awk", "awk-any", "mawk", "gawk", "none"})
    EXPECT_EQ(loaded->lookup(name), built.lookup(name)) << name;
}

TEST(StanzaIndex, LoadRejectsWhatDoesNotFitTheText) {
  std::string good = StanzaIndex::build(kText).serialize();
  auto rejects = [&](const std::string& bytes, std::string_view text, const std::string& why) {
    auto r = StanzaIndex::load(bytes, text);
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.error().code(), Errc::invalid) << why;
    EXPECT_NE(r.error().message().find("stanza index"), std::string::npos) << why;
  };
  rejects("", kText, "empty");
  rejects("PARESTZ0" + good.substr(8), kText, "another format");
  rejects(good, kText.substr(1), "another text");
  rejects(good.substr(0, good.size() - 1), kText, "truncated");
  rejects(good + "x", kText, "trailing bytes");
  std::string outside = good;
  outside[24] = '\xff';  // the first stanza's offset, far beyond the text
  outside[25] = '\xff';
  rejects(outside, kText, "stanza outside");
  std::string empty_stanza = good;
  empty_stanza.replace(28, 4, std::string(4, '\0'));  // the first stanza's length
  rejects(empty_stanza, kText, "empty stanza");
  std::string no_stanza = good;
  no_stanza[no_stanza.size() - 4] = '\x7f';  // the last entry names stanza 127
  rejects(no_stanza, kText, "entry names no stanza");
}

TEST(DependencyNames, EveryAlternativeOfDependsAndPreDependsWithoutQualifiers) {
  std::string stanza =
      "Package: app\n"
      "Depends: libc6 (>= 2.34), python3:any | python3-minimal (<< 3.12),\n"
      " libfoo1[amd64],  bar<!nocheck>\n"
      "pre-depends: dpkg (>= 1.15)\n"
      "Recommends: not-followed\n"
      "Conflicts: nor-this\n"
      "Description: Depends: not a field here\n";
  EXPECT_EQ(dependency_names(stanza),
            Names({"libc6", "python3", "python3-minimal", "libfoo1", "bar", "dpkg"}));
  EXPECT_EQ(dependency_names("Package: lone\n"), Names());
  EXPECT_EQ(dependency_names("Depends:\n"), Names());
}

TEST(PackageName, TheLastPackageFieldWinsAsInLibsolv) {
  EXPECT_EQ(package_name("Package: first\nSource: x\npackage: second (1)\n"), "second");
  EXPECT_EQ(package_name("Package:\n continued\n"), "continued");
  EXPECT_EQ(package_name("Source: x\n"), "");
  StanzaIndex index = StanzaIndex::build("Package: first\npackage: second\n");
  EXPECT_EQ(index.lookup("second"), Ids({0}));
  EXPECT_EQ(index.lookup("first"), Ids());
}

TEST(FieldValue, FirstFieldOfThatNameTrimmed) {
  std::string stanza = "Package:  app \nsource: appsrc (1.0)\nSource: second\n";
  EXPECT_EQ(field_value(stanza, "Package"), "app");
  EXPECT_EQ(field_value(stanza, "SOURCE"), "appsrc (1.0)");
  EXPECT_EQ(field_value(stanza, "Size"), "");
  EXPECT_EQ(field_value("Description: one\n two\n", "Description"), "one\n two");
}

}  // namespace
