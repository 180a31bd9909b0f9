// The project's version (CMake's PROJECT_VERSION) for the daemons' --version and status.
#pragma once

#include <string_view>

namespace cidns::serve {

// "0.1.0".
std::string_view project_version() noexcept;

}  // namespace cidns::serve
