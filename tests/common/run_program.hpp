// Runs a command line through the shell for tests of programs: its exit code
// and everything it printed (stdout and stderr together).
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace cidns::test {

struct outcome {
  int code = -1;
  std::string out;  // stdout and stderr together
};

inline outcome run_command(const std::string& command) {
  const std::string cmd = command + " 2>&1";
  outcome o;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return o;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) o.out.append(buf.data(), n);
  const int status = ::pclose(p);
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

}  // namespace cidns::test
