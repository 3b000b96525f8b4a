// Fuzz target for the git file parsers (vcs/git.h): any bytes as HEAD, a loose ref,
// packed-refs or a config file give an answer or none, never a crash; what is accepted keeps
// the promises the header makes (commit ids are hex, published URLs carry no credentials).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "vcs/git.h"

namespace {
void check_url(const std::string& url) {
  if (url.empty()) return;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) std::abort();
  if (url.find('@') != std::string::npos && url.find('@') < url.find('/', 8)) std::abort();
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ') std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::vcs;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (auto head = parse_head(bytes)) {
    if (head->ref.empty() == head->commit.empty()) std::abort();
    if (!head->commit.empty() && !is_commit_id(head->commit)) std::abort();
    if (!head->ref.empty() &&
        (head->ref.rfind("refs/", 0) != 0 || head->ref.find("..") != std::string::npos))
      std::abort();
  }
  if (auto id = parse_loose_ref(bytes); id && !is_commit_id(*id)) std::abort();
  if (auto id = find_packed_ref(bytes, "refs/heads/main"); id && !is_commit_id(*id)) std::abort();
  if (auto url = remote_url(bytes, "origin")) check_url(public_source_url(*url));
  check_url(public_source_url(bytes));
  return 0;
}
