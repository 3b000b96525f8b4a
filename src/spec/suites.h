// What pare knows about Debian releases and names: the supported suites with their version and
// architectures, and the syntax of package names and versions (Debian Policy 5.6.1, 5.6.12).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pare::spec {

struct SuiteInfo {
  std::string_view codename;            // "bookworm"
  std::string_view version;             // "12"
  std::vector<std::string_view> archs;  // architectures the release ships
};

const std::vector<SuiteInfo>& supported_suites();
const SuiteInfo* find_suite(std::string_view codename);
std::string supported_suites_text();  // "bookworm (12), trixie (13)"

// Every Debian architecture name pare accepts (the union of the suites' lists).
bool is_known_arch(std::string_view arch);
std::string known_archs_text();

// The OCI platform for a Debian architecture: amd64 -> {"amd64", ""}, armhf -> {"arm", "v7"}.
struct OciPlatform {
  std::string architecture, variant;
};
std::optional<OciPlatform> oci_platform(std::string_view debian_arch);

// Debian Policy 5.6.1: at least two characters of [a-z0-9+.-], starting with a letter or digit.
bool is_valid_package_name(std::string_view name);
// Debian Policy 5.6.12: [epoch:]upstream[-revision]; on failure *why says what is wrong.
bool is_valid_version(std::string_view version, std::string* why = nullptr);

}  // namespace pare::spec
