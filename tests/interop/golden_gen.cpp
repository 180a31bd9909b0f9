// Writes tests/interop/golden/<case>.hex from libprotobuf (run once by hand:
// `interop_golden_gen tests/interop/golden`); the tests then hold both
// libprotobuf and our codec to these bytes.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cases.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: interop_golden_gen DIR\n";
    return 2;
  }
  for (const auto& [name, make] : cidns::interop::golden_cases()) {
    std::string path = std::string(argv[1]) + "/" + name + ".hex";
    std::ofstream out(path);
    std::string hex = cidns::interop::hex(make());
    for (std::size_t i = 0; i < hex.size(); i += 64) out << hex.substr(i, 64) << '\n';
    if (!out) {
      std::cerr << "cannot write " << path << '\n';
      return 1;
    }
  }
  return 0;
}
