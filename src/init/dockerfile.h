// A Dockerfile reader for `pare init --from-dockerfile`: instructions with their line numbers,
// following the Dockerfile reference (docs.docker.com "Dockerfile reference"): one instruction
// per logical line, '\' continues a line, '#' starts a comment line, parser directives
// (`# escape=`) are honoured for '`', the JSON ("exec") form is a JSON array of strings and
// anything else is the shell form. Stages begin at FROM; `FROM image AS name` names one.
// Only the syntax is read: nothing is fetched or run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::init {

struct Instruction {
  int line = 0;                    // where it starts (1-based)
  std::string keyword;             // upper-case: FROM, COPY, RUN, ...
  std::vector<std::string> flags;  // leading --name=value options, as written
  std::string args;                // the rest, continuation lines joined with one space
  bool exec_form = false;          // args was a JSON array
  std::vector<std::string> words;  // the JSON array's items, or args split on blanks
};

struct Stage {
  int line = 0;
  std::string image;                      // FROM's image (after --platform)
  std::string name;                       // AS name, lower-cased ("" when none)
  std::vector<Instruction> instructions;  // after FROM
};

struct Dockerfile {
  std::vector<Instruction> before_first_stage;  // ARG lines before the first FROM
  std::vector<Stage> stages;
};

// Errc::invalid "NAME:LINE: ..." for an instruction before any FROM (but ARG), an unknown
// keyword, a FROM without an image, a file over 1 MiB or with a NUL byte (line 0: the file).
Result<Dockerfile> parse_dockerfile(std::string_view text, const std::string& name = "Dockerfile");

}  // namespace pare::init
