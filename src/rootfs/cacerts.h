// The CA bundle /etc/ssl/certs/ca-certificates.crt, built as
// update-ca-certificates(8) builds it, without running it.
//
// What Debian and distroless produce:
//   - update-ca-certificates appends, for every certificate enabled in
//     /etc/ca-certificates.conf, the file's bytes plus a newline if the last
//     line lacks one (`sed -e '$a\'`), then the same for
//     /usr/local/share/ca-certificates/**.crt (`find | sort`). The package's
//     postinst writes ca-certificates.conf as every *.crt under
//     /usr/share/ca-certificates (i.e. mozilla/*.crt) in byte order.
//   - distroless (rules_distroless' cacerts.sh) walks /usr/share/ca-certificates
//     with a shell glob in the C locale (byte order) and prints each line of
//     each file followed by "\n".
// Each mozilla/*.crt holds exactly one PEM block, 64-column base64 and LF
// line ends, so both give: the PEM blocks of the files in byte order of their
// paths, every line ending in "\n", nothing between them. ca_bundle() gives
// exactly that when the caller passes mozilla/*.crt sorted by path (then any
// extra user CAs), so the bundle is byte-identical to Debian's and
// distroless's. The one deliberate difference is for unusual input: text
// outside BEGIN/END CERTIFICATE blocks (e.g. `openssl x509 -text` output
// before a user's CA) is left out, and CRLF becomes LF.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/base64.h"
#include "util/result.h"

namespace pare::rootfs {

// The certificates of one PEM file (RFC 7468): each "-----BEGIN
// CERTIFICATE-----" ... "-----END CERTIFICATE-----" block, its lines stripped
// of surrounding whitespace (CR included), blank lines left out, every line
// ending in "\n".
// Text outside blocks and blocks of other types (keys, CRLs) are ignored.
// Errc::invalid, naming `name` and the line, when a block is not closed, its
// base64 is malformed, or it does not decode to one DER SEQUENCE; and when the
// file holds no certificate at all.
Result<std::vector<std::string>> pem_certificates(std::string_view text, std::string_view name);

// The bundle: for each (name, text) in the given order, its certificates,
// concatenated. Errors from pem_certificates pass through; an empty list is
// Errc::invalid (a bundle with no CA is never what an image wants).
Result<std::string> ca_bundle(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace pare::rootfs
