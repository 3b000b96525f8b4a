#include "deb/deb822.h"

#include <gtest/gtest.h>

using namespace pare;
using namespace pare::deb;

namespace {

TEST(Deb822, ParagraphsFieldsAndLines) {
  const char* text =
      "Package: libc6\n"
      "Version: 2.36-9+deb12u4\n"
      "Depends: libgcc-s1, libc-bin\n"
      "\n"
      "\n"
      "Package: zlib1g\n"
      "version:   1:1.2.13.dfsg-1  \n";
  auto r = parse_deb822(text, "Packages");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  const Paragraph& a = (*r)[0];
  EXPECT_EQ(a.line, 1);
  ASSERT_EQ(a.fields.size(), 3u);
  EXPECT_EQ(a.fields[1].name, "Version");
  EXPECT_EQ(a.fields[1].line, 2);
  EXPECT_EQ(a.get("depends"), "libgcc-s1, libc-bin");
  const Paragraph& b = (*r)[1];
  EXPECT_EQ(b.line, 6);
  EXPECT_EQ(b.get("Version"), "1:1.2.13.dfsg-1");  // case-insensitive, trimmed
  EXPECT_EQ(b.get("Missing", "dflt"), "dflt");
  EXPECT_EQ(b.find("Missing"), nullptr);
  ASSERT_NE(b.find("PACKAGE"), nullptr);
  EXPECT_EQ(b.find("PACKAGE")->value, "zlib1g");
}

TEST(Deb822, MultiLineValuesKeepDpkgRawForm) {
  const char* text =
      "Description: short summary\n"
      " first line of the long description\n"
      " .\n"
      "  indented line   \n"
      "SHA256:\n"
      " abc 1 path\n";
  auto r = parse_deb822(text, "t");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].get("Description"),
            "short summary\nfirst line of the long description\n.\n indented line");
  EXPECT_EQ((*r)[0].get("SHA256"), "\nabc 1 path");
}

TEST(Deb822, CommentsWhitespaceSeparatorsAndCrlf) {
  const char* text =
      "# a comment before everything\n"
      "Types: deb\r\n"
      "# a comment inside the paragraph\n"
      "Suites: a\n"
      " b\n"
      "   \t\n"  // whitespace-only line separates paragraphs
      "#Types: deb-src\n"
      "\n"
      "Types: deb-src\n";
  auto r = parse_deb822(text, "x.sources");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].get("Types"), "deb");
  EXPECT_EQ((*r)[0].get("Suites"), "a\nb");
  EXPECT_EQ((*r)[1].get("Types"), "deb-src");
  EXPECT_EQ((*r)[1].line, 9);
}

TEST(Deb822, EmptyAndCommentOnlyTextHaveNoParagraphs) {
  EXPECT_TRUE(parse_deb822("", "t")->empty());
  EXPECT_TRUE(parse_deb822("\n\n# only a comment\n\n", "t")->empty());
  EXPECT_EQ(parse_deb822("A: b", "t")->size(), 1u);  // no final newline
}

void expect_error(const char* text, const std::string& where, const std::string& what) {
  auto r = parse_deb822(text, "src");
  ASSERT_FALSE(r.ok()) << text;
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("src:" + where + ":"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find(what), std::string::npos) << r.error().message();
}

TEST(Deb822, ErrorsNameSourceAndLine) {
  expect_error("A: 1\nno colon here\n", "2", "without ':'");
  expect_error(" continuation first\n", "1", "continuation");
  expect_error("A: 1\n\nB: 2\nb: 3\n", "4", "duplicate field");
  expect_error("A: 1\n-Bad: 2\n", "2", "invalid field name");
  expect_error("A: 1\nBad Name: 2\n", "2", "invalid field name");
  expect_error(": value\n", "1", "invalid field name");
}

TEST(Deb822, StreamingStopsOnCallbackError) {
  int seen = 0;
  auto r =
      for_each_paragraph("A: 1\n\nA: 2\n\nA: 3\n", "t", [&](const Paragraph& p) -> Result<void> {
        ++seen;
        if (p.get("A") == "2") return Error(Errc::invalid, "stop at 2");
        return {};
      });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "stop at 2");
  EXPECT_EQ(seen, 2);
}

TEST(Deb822, StreamingSeesEveryParagraphOfALargeFile) {
  std::string text;
  for (int i = 0; i < 5000; ++i)
    text += "Package: p" + std::to_string(i) + "\nVersion: 1.0-" + std::to_string(i) +
            "\nDescription: d\n more\n\n";
  int count = 0;
  int last_line = 0;
  auto r = for_each_paragraph(text, "big", [&](const Paragraph& p) -> Result<void> {
    EXPECT_EQ(p.get("Package"), "p" + std::to_string(count));
    last_line = p.line;
    ++count;
    return {};
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(count, 5000);
  EXPECT_EQ(last_line, 4999 * 5 + 1);
}

TEST(Deb822, SplitWordsAndIequals) {
  EXPECT_EQ(split_words("  amd64 arm64\n i386\t"),
            (std::vector<std::string>{"amd64", "arm64", "i386"}));
  EXPECT_TRUE(split_words(" \n ").empty());
  EXPECT_TRUE(iequals("Acquire-By-Hash", "acquire-by-hash"));
  EXPECT_FALSE(iequals("a", "ab"));
}

}  // namespace
