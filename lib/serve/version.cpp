// The project's version, compiled in from CMake (version.hpp).
#include "cidns/serve/version.hpp"

#ifndef CIDNS_PROJECT_VERSION
#error "CIDNS_PROJECT_VERSION comes from lib/serve/CMakeLists.txt"
#endif

namespace cidns::serve {

std::string_view project_version() noexcept { return CIDNS_PROJECT_VERSION; }

}  // namespace cidns::serve
