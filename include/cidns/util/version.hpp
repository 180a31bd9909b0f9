// The project's version (CMake's PROJECT_VERSION, defined for every target through
// cidns_util) for each program's --version.
#pragma once

#include <string_view>

#ifndef CIDNS_VERSION
#error "CIDNS_VERSION comes from lib/CMakeLists.txt (cidns_util)"
#endif

namespace cidns {

inline constexpr std::string_view project_version = CIDNS_VERSION;

}  // namespace cidns
