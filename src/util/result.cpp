#include "util/result.h"

namespace pare {

const char* errc_name(Errc c) {
  switch (c) {
    case Errc::invalid:
      return "invalid";
    case Errc::not_found:
      return "not found";
    case Errc::io:
      return "i/o";
    case Errc::network:
      return "network";
    case Errc::integrity:
      return "integrity";
    case Errc::signature:
      return "signature";
    case Errc::resolve:
      return "resolve";
    case Errc::offline:
      return "offline";
    case Errc::unsupported:
      return "unsupported";
    case Errc::internal:
      return "internal";
  }
  return "?";
}

int Error::exit_code() const {
  switch (code_) {
    case Errc::invalid:
    case Errc::not_found:  // the input names a file, package or suite that is not there
      return 2;
    case Errc::resolve:
      return 3;
    case Errc::network:
    case Errc::offline:
      return 4;
    case Errc::integrity:
    case Errc::signature:
      return 5;
    default:
      return 1;
  }
}

}  // namespace pare
