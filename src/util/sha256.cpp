#include "util/sha256.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>

namespace pare {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  // Owned here, not by ~Sha256: a move assignment destroys the old Impl.
  ~Impl() {
    if (ctx) EVP_MD_CTX_free(ctx);
  }
};

namespace {

// Fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up in its providers on
// every init, which costs more than hashing a short string (an SBOM hashes thousands).
const EVP_MD* sha256_algorithm() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md ? md : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, sha256_algorithm(), nullptr);
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

std::string Sha256::hex_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &n);
  return to_hex(std::string_view(reinterpret_cast<const char*>(md), n));
}

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

bool is_sha256_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string sha256_hex(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex_digest();
}

Result<std::string> sha256_file_hex(const std::filesystem::path& path) {
  Sha256 hash;
  PARE_CHECK(fs::read_chunks(path, UINT64_MAX,
                             [&](std::string_view chunk, uint64_t) { hash.update(chunk); }));
  return hash.hex_digest();
}

Result<std::string> copy_file_sha256(const std::filesystem::path& from,
                                     const std::filesystem::path& to) {
  PARE_TRY(auto map, fs::MappedFile::open(from));
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fs::errno_error("cannot create", to);
  Sha256 hash;
  constexpr size_t kChunk = size_t{1} << 20;
  for (std::string_view rest = map.bytes(); !rest.empty();) {
    std::string_view chunk = rest.substr(0, kChunk);
    hash.update(chunk);
    for (std::string_view left = chunk; !left.empty();) {
      ssize_t n = ::write(fd, left.data(), left.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        auto err = fs::errno_error("cannot write", to);
        ::close(fd);
        return err;
      }
      left.remove_prefix(static_cast<size_t>(n));
    }
    map.release(chunk);  // keep RSS flat over a large blob
    rest.remove_prefix(chunk.size());
  }
  if (::close(fd) != 0) return fs::errno_error("cannot close", to);
  return hash.hex_digest();
}

Result<void> HashingSink::write(std::string_view bytes) {
  hash_.update(bytes);
  size_ += bytes.size();
  return next_ ? next_->write(bytes) : Result<void>{};
}

}  // namespace pare
