# Project-wide warning flags; CIDNS_WERROR turns them into errors.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                    -Woverloaded-virtual -Wimplicit-fallthrough)
if(CIDNS_WERROR)
  add_compile_options(-Werror)
endif()
# GCC 12 reports -Wrestrict false positives inside libstdc++'s std::string at -O2
# (GCC bug 105329); -Wnull-dereference likewise fires inside Boost.Asio at -O2.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(-Wno-restrict)
endif()
