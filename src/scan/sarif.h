// Findings as SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format), the format
// code-scanning UIs import: one run, the tool "pare", one rule per vulnerability id, one result
// per affected package (open findings only), level error (high), warning (medium), note
// (low or unknown), the package as a logical location (there is no source file to point at).
#pragma once

#include <string>
#include <vector>

#include "scan/match.h"

namespace pare::scan {

std::string sarif_json(const std::vector<Finding>& findings, const std::string& image,
                       const std::string& release);

}  // namespace pare::scan
