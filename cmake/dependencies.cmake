# Finds the Debian-packaged libraries cidns builds on (contrib/setup.sh installs them).
find_path(PROTOZERO_INCLUDE_DIR protozero/pbf_reader.hpp REQUIRED)
add_library(protozero INTERFACE)
target_include_directories(protozero SYSTEM INTERFACE ${PROTOZERO_INCLUDE_DIR})

find_package(fmt REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Threads REQUIRED)  # lib/zone builds a big zone's DISCOVER index on two threads

if(NOT CIDNS_FUZZ)
  find_package(OpenSSL 3 REQUIRED)
  find_package(Boost 1.74 REQUIRED)
  # Boost::headers adds it to its users; project-wide, so that the tests' precompiled header
  # serves tests with and without Boost (cmake/precompiled_headers.cmake). It only means
  # something to MSVC's auto-linking.
  add_compile_definitions(BOOST_ALL_NO_LIB)
  find_package(CLI11 QUIET)
  if(NOT CLI11_FOUND)
    find_path(CLI11_INCLUDE_DIR CLI/CLI.hpp REQUIRED)
    add_library(CLI11::CLI11 INTERFACE IMPORTED)
    target_include_directories(CLI11::CLI11 INTERFACE ${CLI11_INCLUDE_DIR})
  endif()
  find_path(LMDB_INCLUDE_DIR lmdb.h REQUIRED)
  find_library(LMDB_LIBRARY lmdb REQUIRED)
  add_library(lmdb::lmdb UNKNOWN IMPORTED)
  set_target_properties(lmdb::lmdb PROPERTIES IMPORTED_LOCATION ${LMDB_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${LMDB_INCLUDE_DIR})
  find_package(toml11 QUIET)
endif()
