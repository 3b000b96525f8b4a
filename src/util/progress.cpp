#include "util/progress.h"

namespace pare {
Progress& null_progress() {
  static NullProgress p;
  return p;
}
}  // namespace pare
