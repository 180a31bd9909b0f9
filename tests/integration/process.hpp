// A small process harness for the integration tests: fork/exec with an argv
// (no shell), output to a file, bounded waits, SIGTERM then SIGKILL on
// teardown, always reaped. Plus a temporary directory that removes itself.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace cidns::itest {

// A fresh directory under $TMPDIR (mode 0700), removed with its contents.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cidns-itest-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp");
    }
    m_path = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(m_path, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return m_path; }
  std::string file(std::string_view name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `path` atomically (a temporary file renamed over it), so a reader
// never sees half a file.
inline void write_file(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

// One child process. stdout and stderr go to `output_path`; stdin is /dev/null.
class child_process {
 public:
  child_process(const std::vector<std::string>& argv, const std::string& output_path) {
    // Everything the child needs is prepared before fork(): after it, only
    // async-signal-safe calls (the test binary may have threads).
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0) {
      if (out >= 0) ::close(out);
      if (in >= 0) ::close(in);
      throw std::system_error(errno, std::generic_category(), "open " + output_path);
    }
    const pid_t parent = ::getpid();
    m_pid = ::fork();
    if (m_pid == 0) {
      // Never outlive the test binary, even if it crashes (the forking thread
      // is the test's main thread, which lives as long as the process).
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(out);
    ::close(in);
    if (m_pid < 0) throw std::system_error(fork_errno, std::generic_category(), "fork");
  }
  ~child_process() { stop(); }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return m_pid; }

  // The wait status once the process has ended (reaped), nullopt while it runs.
  std::optional<int> poll() {
    if (!m_status && m_pid > 0) {
      int status = 0;
      pid_t r = ::waitpid(m_pid, &status, WNOHANG);
      if (r == m_pid) m_status = status;
    }
    return m_status;
  }
  bool running() { return !poll().has_value(); }

  // Waits up to `limit` for the process to end; its wait status, or nullopt.
  std::optional<int> wait_for(std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!poll()) {
      if (std::chrono::steady_clock::now() >= end) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return m_status;
  }

  void signal(int signo) {
    if (running()) ::kill(m_pid, signo);
  }

  // SIGTERM, then SIGKILL if it has not ended within `grace`; always reaps.
  // Returns the wait status.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) {
    if (m_pid <= 0) return 0;
    if (running()) {
      ::kill(m_pid, SIGTERM);
      if (!wait_for(grace)) {
        ::kill(m_pid, SIGKILL);
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
        m_status = status;
      }
    }
    return *m_status;
  }

 private:
  pid_t m_pid = -1;
  std::optional<int> m_status;
};

inline std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

// Runs a command to completion (killed after `limit`): exit code (-1 when it
// did not exit normally) and its output (stdout and stderr together).
struct run_result {
  int exit_code = -1;
  std::string output;
};

inline run_result run_command(const std::vector<std::string>& argv, const temp_dir& dir,
                              std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
  static int counter = 0;
  const std::string out = dir.file("cmd-" + std::to_string(++counter) + ".out");
  run_result r;
  {
    child_process p(argv, out);
    auto status = p.wait_for(limit);
    if (!status) status = p.stop(std::chrono::milliseconds(1000));
    if (WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
  }
  r.output = read_file(out);
  std::filesystem::remove(out);
  return r;
}

}  // namespace cidns::itest
