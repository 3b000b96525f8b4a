#include <gtest/gtest.h>
#include <sys/stat.h>

#include "util/cas.h"
#include "util/fs.h"
#include "util/sha256.h"

using namespace pare;

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Fs, AtomicFileLeavesNothingWhenNotCommitted) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  auto target = dir->path() / "out.txt";
  {
    auto f = fs::AtomicFile::create(target);
    ASSERT_TRUE(f.ok());
    ASSERT_TRUE(f->write("half").ok());
  }
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir->path()));
  ASSERT_TRUE(fs::write_file_atomic(target, "whole").ok());
  EXPECT_EQ(fs::read_file(target).value(), "whole");
}

TEST(Fs, AtomicFileNeverReplacesAStream) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  auto fifo = dir->path() / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto f = fs::AtomicFile::create(fifo);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), Errc::invalid);
  EXPECT_TRUE(std::filesystem::is_fifo(fifo));
  EXPECT_TRUE(fs::is_stream(fifo));
  EXPECT_TRUE(fs::is_stream("/dev/null"));
  EXPECT_FALSE(fs::is_stream(dir->path()));
  // write_output_file writes into a stream (here the null device) instead of replacing it.
  EXPECT_TRUE(fs::write_output_file("/dev/null", "bytes").ok());
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
}

TEST(Fs, PublishReplacesExistingDirectory) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  auto final_dir = dir->path() / "out";
  ASSERT_TRUE(fs::write_file_atomic(final_dir / "old", "1").ok());
  auto staged = fs::TempDir::create(dir->path());
  ASSERT_TRUE(staged.ok());
  ASSERT_TRUE(fs::write_file_atomic(staged->path() / "new", "2").ok());
  ASSERT_TRUE(fs::publish(staged->release(), final_dir).ok());
  EXPECT_TRUE(fs::exists(final_dir / "new"));
  EXPECT_FALSE(fs::exists(final_dir / "old"));
}

TEST(Fs, ReadMissingFileIsNotFound) {
  auto r = fs::read_file("/nonexistent/pare/file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::not_found);
}

// read_chunks hands over every byte in order, refuses what read_file refuses, and holds the
// limit; sha256_file_hex (which reads through it) agrees with hashing the bytes at once.
TEST(Fs, ReadChunksIsReadFileInPieces) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path(), "pare-fs").value();
  std::string big;
  for (int i = 0; big.size() < 200000; ++i) big += std::to_string(i) + ",";
  ASSERT_TRUE(fs::write_file_atomic(dir.path() / "big", big).ok());
  std::string joined;
  size_t pieces = 0;
  ASSERT_TRUE(
      fs::read_chunks(dir.path() / "big", UINT64_MAX, [&](std::string_view chunk, uint64_t size) {
        EXPECT_EQ(size, big.size());
        joined.append(chunk);
        ++pieces;
      }).ok());
  EXPECT_EQ(joined, big);
  EXPECT_GT(pieces, 1u);
  EXPECT_EQ(sha256_file_hex(dir.path() / "big").value(), sha256_hex(big));
  ASSERT_TRUE(fs::write_file_atomic(dir.path() / "empty", "").ok());
  EXPECT_EQ(sha256_file_hex(dir.path() / "empty").value(), sha256_hex(""));

  auto over = fs::read_chunks(dir.path() / "big", 1000, [](std::string_view, uint64_t) {});
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.error().message().find("more than the 1000"), std::string::npos);
  ASSERT_EQ(::mkfifo((dir.path() / "fifo").c_str(), 0600), 0);
  auto fifo = sha256_file_hex(dir.path() / "fifo");  // refused at once, never blocks
  ASSERT_FALSE(fifo.ok());
  EXPECT_NE(fifo.error().message().find("a FIFO"), std::string::npos) << fifo.error().message();
  auto directory = sha256_file_hex(dir.path());
  ASSERT_FALSE(directory.ok());
  EXPECT_NE(directory.error().message().find("is a directory"), std::string::npos);
  EXPECT_EQ(sha256_file_hex(dir.path() / "missing").error().code(), Errc::not_found);
}

TEST(ContentStore, PutIsAddressedByHash) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  ContentStore store(dir->path());
  auto hex = store.put("abc");
  ASSERT_TRUE(hex.ok());
  EXPECT_EQ(*hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(store.has(*hex));
  EXPECT_EQ(fs::read_file(store.path_for(*hex)).value(), "abc");
}
