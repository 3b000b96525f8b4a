// SHA-256 (OpenSSL EVP: uses SHA-NI / AVX2 where the CPU has them) and hex helpers.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "util/fs.h"
#include "util/result.h"

namespace pare {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(std::string_view bytes);
  std::string hex_digest();  // finishes; the object must not be updated afterwards

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view bytes);
Result<std::string> sha256_file_hex(const std::filesystem::path& path);
// Copies `from` to a new file `to` (mode 0644) in one pass that also hashes
// the bytes; returns their SHA-256 hex, so a caller verifies what it copied
// without reading it twice. `from` must be a regular file.
Result<std::string> copy_file_sha256(const std::filesystem::path& from,
                                     const std::filesystem::path& to);
std::string to_hex(std::string_view bytes);
bool is_sha256_hex(std::string_view s);

// A ByteSink that hashes and counts what passes through, then forwards it.
class HashingSink : public fs::ByteSink {
 public:
  explicit HashingSink(fs::ByteSink* next) : next_(next) {}
  Result<void> write(std::string_view bytes) override;
  std::string hex_digest() { return hash_.hex_digest(); }
  uint64_t size() const { return size_; }

 private:
  fs::ByteSink* next_;
  Sha256 hash_;
  uint64_t size_ = 0;
};

}  // namespace pare
