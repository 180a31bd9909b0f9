// The harness of the cidns-resolverd integration tests: the zonefiles/ hierarchy, signed with
// the committed demo keys, served by one real cidns-authd per operator on a private
// 127.A.B.0/24 (the zones' glue rewritten to it, so concurrent runs do not meet), and real
// cidns-resolverd processes in front of it. Every wait is bounded; every process is reaped.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "authd_harness.hpp"

namespace cidns::itest {

// The operators of zonefiles/README.md: the last octet of the address, the zone, its file.
struct operator_zone {
  int host;
  std::string zone;
  std::string file;
};

inline const std::vector<operator_zone>& hierarchy() {
  static const std::vector<operator_zone> h = {
      {2, ".", "root.zone"},
      {3, "cn-north.", "cn-north.zone"},
      {4, "cn-east.", "cn-east.zone"},
      {5, "fin.", "fin.zone"},
      {21, "provx.cn-north.", "provx.cn-north.zone"},
      {22, "hpcloud.cn-north.", "hpcloud.cn-north.zone"},
      {23, "ascend.cn-east.", "ascend.cn-east.zone"},
      {24, "yangtze.cn-east.", "yangtze.cn-east.zone"},
      {25, "quantfin.fin.", "quantfin.fin.zone"},
  };
  return h;
}

// Signs and serves the hierarchy for one test process.
class hierarchy_servers {
 public:
  // `tamper` edits signed zone text by file name after signing (a broken zone).
  explicit hierarchy_servers(
      const temp_dir& dir,
      const std::map<std::string, std::pair<std::string, std::string>>& tamper = {}) {
    const unsigned pid = static_cast<unsigned>(::getpid());
    m_prefix =
        "127." + std::to_string(100 + pid % 100) + "." + std::to_string((pid / 100) % 250) + ".";
    const std::filesystem::path src = std::string(CIDNS_SOURCE_DIR) + "/zonefiles";
    const std::filesystem::path copy = dir.path() / "zonefiles";
    std::filesystem::create_directories(copy / "keys");
    for (const auto& e : std::filesystem::directory_iterator(src / "keys")) {
      std::filesystem::copy_file(e.path(), copy / "keys" / e.path().filename());
    }
    std::filesystem::copy_file(src / "sign.sh", copy / "sign.sh");
    for (const auto& z : hierarchy()) {
      std::string text = read_file((src / z.file).string());
      write_file((copy / z.file).string(),
                 std::regex_replace(text, std::regex("127\\.0\\.0\\."), m_prefix));
    }
    m_signed = (dir.path() / "signed").string();
    auto r = run_command({"/bin/bash", (copy / "sign.sh").string(), "--out", m_signed, "--validity",
                          "30d", "--admin", CIDNS_ADMIN_PATH},
                         dir, std::chrono::milliseconds(60000));
    if (r.exit_code != 0) {
      ADD_FAILURE() << "sign.sh failed: " << r.output;
      return;
    }
    for (const auto& [file, edit] : tamper) {
      const std::string path = m_signed + "/" + file;
      std::string text = read_file(path);
      const auto at = text.find(edit.first);
      if (at == std::string::npos) {
        ADD_FAILURE() << "tamper: '" << edit.first << "' not in " << file;
        continue;
      }
      text.replace(at, edit.first.size(), edit.second);
      write_file(path, text);
    }
    for (const auto& z : hierarchy()) {
      const std::string addr = address(z.host);
      const std::string log = dir.file("authd-" + std::to_string(z.host) + ".log");
      m_servers.push_back(std::make_unique<child_process>(
          std::vector<std::string>{CIDNS_AUTHD_PATH, "--listen", addr + ":5380", "--threads", "1",
                                   "--control", "off", "--zone",
                                   z.zone + "=" + m_signed + "/" + z.file},
          log));
      m_logs.push_back(log);
    }
    for (std::size_t i = 0; i < hierarchy().size(); ++i) {
      const auto& z = hierarchy()[i];
      if (!wait_answer(make_endpoint(address(z.host), 5380), z.zone)) {
        ADD_FAILURE() << "cidns-authd for " << z.zone << " not ready: " << read_file(m_logs[i]);
      }
    }
    m_ok = !::testing::Test::HasFailure();
  }

  bool ok() const { return m_ok; }
  std::string address(int host) const { return m_prefix + std::to_string(host); }
  net::endpoint root() const { return make_endpoint(address(2), 5380); }
  std::string anchor() const { return m_signed + "/root.anchor"; }

  static bool wait_answer(const net::endpoint& ep, const std::string& zone,
                          milliseconds limit = 10000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      auto r = udp_ask(ep, make_query(zone, rtype::soa), 200ms);
      if (r && r->rcode == wire::rcode::noerror && !r->answer.empty()) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // Stops the cidns-authd serving the operator at `host` (an operator gone unreachable: its
  // address then answers nothing). False when no server of the hierarchy has that host.
  bool stop_server(int host) {
    for (std::size_t i = 0; i < hierarchy().size() && i < m_servers.size(); ++i) {
      if (hierarchy()[i].host != host) continue;
      (void)m_servers[i]->stop();
      return true;
    }
    return false;
  }

 private:
  std::string m_prefix, m_signed;
  std::vector<std::unique_ptr<child_process>> m_servers;
  std::vector<std::string> m_logs;
  bool m_ok = false;
};

// One cidns-resolverd process.
class resolver_process {
 public:
  resolver_process(const temp_dir& dir, const hierarchy_servers& h, const std::string& cache,
                   int host, std::vector<std::string> extra = {}, bool validate = true) {
    static int serial = 0;
    const int n = ++serial;
    m_endpoint = make_endpoint(h.address(host), 5380);
    m_log = dir.file("resolverd-" + std::to_string(n) + ".log");
    m_control = dir.file("resolverd-" + std::to_string(n) + ".sock");
    std::vector<std::string> argv = {CIDNS_RESOLVERD_PATH,
                                     "--listen",
                                     m_endpoint.to_string(),
                                     "--root",
                                     h.root().to_string(),
                                     "--cache",
                                     cache,
                                     "--threads",
                                     "2",
                                     "--control",
                                     m_control};
    if (validate) {
      argv.push_back("--trust-anchor");
      argv.push_back(h.anchor());
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    m_process = std::make_unique<child_process>(argv, m_log);
  }

  // Waits until the control socket answers (the resolver is serving).
  bool wait_ready(milliseconds limit = 10000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (!m_process->running()) return false;
      if (net::control_request(m_control, R"({"cmd":"status"})", 200ms)) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  nlohmann::json control(const nlohmann::json& req) const {
    auto reply = net::control_request(m_control, req.dump(), 5s);
    if (!reply) return nlohmann::json::object();
    return nlohmann::json::parse(*reply, nullptr, false);
  }
  // The engine counters (copied by the workers at most 1 s late: wait for idle first).
  nlohmann::json stats() const {
    return control({{"cmd", "stats"}}).value("stats", nlohmann::json::object());
  }

  const net::endpoint& endpoint() const { return m_endpoint; }
  const std::string& control_path() const { return m_control; }
  std::string log() const { return read_file(m_log); }
  child_process& process() { return *m_process; }

 private:
  net::endpoint m_endpoint;
  std::string m_log, m_control;
  std::unique_ptr<child_process> m_process;
};

}  // namespace cidns::itest
