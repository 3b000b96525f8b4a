#include "util/checked.h"

#include <charconv>

#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::fs {

namespace {
constexpr std::string_view kMagic = "pare-checked-1 ";
constexpr size_t kHeaderMax = 128;
}  // namespace

std::string checked_record(std::string_view payload) {
  std::string out(kMagic);
  out += sha256_hex(payload) + " " + std::to_string(payload.size()) + "\n";
  out += payload;
  return out;
}

std::optional<std::string_view> checked_payload(std::string_view bytes) {
  if (!bytes.starts_with(kMagic)) return std::nullopt;
  size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos || nl > kHeaderMax) return std::nullopt;
  std::string_view header = bytes.substr(kMagic.size(), nl - kMagic.size());
  size_t sp = header.find(' ');
  if (sp != 64) return std::nullopt;
  std::string_view digest = header.substr(0, 64), size_text = header.substr(65);
  uint64_t size = 0;
  auto r = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
  if (r.ec != std::errc() || r.ptr != size_text.data() + size_text.size()) return std::nullopt;
  std::string_view payload = bytes.substr(nl + 1);
  if (payload.size() != size || sha256_hex(payload) != digest) return std::nullopt;
  return payload;
}

Result<void> write_checked(const std::filesystem::path& path, std::string_view payload) {
  return write_file_atomic(path, checked_record(payload));
}

CheckedRead read_checked(const std::filesystem::path& path, uint64_t limit) {
  auto bytes = read_file(path, limit + kHeaderMax);
  if (!bytes.ok()) {
    if (bytes.error().code() == Errc::not_found) return {};
    PARE_LOG(warn) << "cache: " << bytes.error().message() << ": removed, it is made again";
  } else if (auto payload = checked_payload(*bytes)) {
    return {CheckedState::ok, std::string(*payload)};
  } else {
    PARE_LOG(warn) << "cache: " << path.string() << " is damaged: removed, it is made again";
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  return {CheckedState::damaged, {}};
}

}  // namespace pare::fs
