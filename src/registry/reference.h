// Image references, as the distribution project's reference grammar defines them
// (distribution/reference, "reference.go" grammar; the OCI distribution spec's <name> and
// <reference> rules for what a registry accepts):
//
//   reference      := name [ ":" tag ] [ "@" digest ]
//   name           := [ domain "/" ] path-component ( "/" path-component )*
//   domain         := host [ ":" port ]            host: DNS name, IPv4, or "[" IPv6 "]"
//   path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*    separator: "." | "_" | "__" | "-"+
//   tag            := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//   digest         := algorithm ":" encoded         (sha256: 64 lowercase hex, sha512: 128)
//
// The first component is a domain when it contains "." or ":" or is "localhost" (or is an
// IPv6 literal); otherwise the name is short and takes the default registry the caller gives
// (pare finds it in PARE_DEFAULT_REGISTRY or containers' registries.conf, as it finds the
// Debian mirror: no registry's name is built in). Names are at most 255 characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::registry {

struct Reference {
  std::string registry;    // "host[:port]" (an IPv6 host keeps its brackets)
  std::string repository;  // "team/app"
  std::string tag;         // "" when only a digest was given
  std::string digest;      // "" or "sha256:<hex>"

  // "registry/repository[:tag][@digest]"
  std::string str() const;
  // What a manifest request names: the digest when there is one, else the tag.
  const std::string& manifest_ref() const { return digest.empty() ? tag : digest; }
};

// How a short name ("busybox", "team/app") becomes complete.
struct ShortNames {
  std::string default_registry;  // "" = short names are an error
  // Single-component names get this prefix on the default registry (a registry whose
  // official images live under "library/" says so in its configuration).
  std::string single_component_prefix;
};

// Parses and completes a reference; the tag defaults to "latest" when neither tag nor digest
// is given. Errc::invalid with the reference and what is wrong in it.
Result<Reference> parse_reference(std::string_view text, const ShortNames& short_names = {});

// A repository without tag or digest ("REGISTRY/team", for `pare push oci:DIR REGISTRY/team`).
Result<Reference> parse_repository(std::string_view text, const ShortNames& short_names = {});

bool is_valid_tag(std::string_view tag);
bool is_valid_digest(std::string_view digest);  // sha256 and sha512 only

}  // namespace pare::registry
