# A precompiled GoogleTest header for the tests. gtest/gtest.h costs 1.6-1.7 s of parsing per
# source file (at -O0 with the sanitizers as at -O3); against the precompiled header, 0.6-0.8 s.
# Only the tests get one, and only GoogleTest is in it: a header is forced into every source file
# of its targets, and what a header costs beyond parsing no precompiled header saves (CLI11's
# validator objects are 5 s of code in every file that includes it). The library modules keep
# exactly the includes the dependency rule allows (tests/dependency_rule). A header the compiler
# finds unusable is an error under -Werror (CMake adds -Winvalid-pch), never a silently slow
# build. CIDNS_PCH=OFF turns it off (to check that every test includes what it uses).
include(executables)
option(CIDNS_PCH "Precompile GoogleTest's header for the tests" ON)

# cidns_precompile_tests(): called once at the end of tests/CMakeLists.txt, so that the header
# is made with the tests' own flags; gives every executable under tests/ that links GoogleTest
# the precompiled header.
function(cidns_precompile_tests)
  if(NOT CIDNS_PCH)
    return()
  endif()
  # GCC refuses a header made with a definition that the source file compiled against it lacks,
  # or the other way round: the header's target links GoogleTest (GTEST_HAS_PTHREAD), as every
  # test does, and BOOST_ALL_NO_LIB is project-wide (cmake/dependencies.cmake).
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/cidns_pch.cpp "// the source file of the precompiled header\n")
  add_library(cidns_pch_test OBJECT ${CMAKE_CURRENT_BINARY_DIR}/cidns_pch.cpp)
  target_link_libraries(cidns_pch_test PRIVATE GTest::gtest)
  target_precompile_headers(cidns_pch_test PRIVATE <gtest/gtest.h>)
  # GCC 12 reports libstdc++'s std::string copies in a file compiled against a precompiled
  # header when optimising as -Warray-bounds and -Wstringop-overflow: the false positives it
  # keeps quiet without one, their location being a system header (GCC bug 105651 and kin).
  set(quiet)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(quiet -Wno-array-bounds -Wno-stringop-overflow)
  endif()
  cidns_executables(targets ${CMAKE_CURRENT_SOURCE_DIR})
  foreach(target ${targets})
    get_target_property(links ${target} LINK_LIBRARIES)
    if(links MATCHES "GTest::")
      target_precompile_headers(${target} REUSE_FROM cidns_pch_test)
      target_compile_options(${target} PRIVATE ${quiet})
    endif()
  endforeach()
endfunction()
