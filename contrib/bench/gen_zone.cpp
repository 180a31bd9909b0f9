// gen-zone: writes a synthetic cidns zone and its DNS twin for benchmarks.
//   gen-zone [--twin light|same-info] [RESOURCES] [CIDNS_FILE] [DNS_FILE]
// Defaults: light 1000000 cidns.zone dns.zone. Compare:
//   time cidns-admin zone check cidns.zone
//   time nsd-checkzone provx.cn-north. dns.zone
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "zone_gen.hpp"

namespace {

constexpr const char* usage =
    "usage: gen-zone [--twin light|same-info] [RESOURCES] [CIDNS_FILE] [DNS_FILE]\n"
    "Writes a zone of RESOURCES (default 1000000) resources with DESC, STATE and EP to\n"
    "CIDNS_FILE (cidns.zone) and its DNS twin to DNS_FILE (dns.zone), for comparisons with\n"
    "nsd-checkzone, kzonecheck, NSD and Knot DNS. The twin:\n"
    "  --twin light      (default) one TXT per resource holding the DESC text\n"
    "  --twin same-info  the same information as the cidns zone: DESC and STATE as two TXT\n"
    "                    records of one RRset, the EP as an SVCB record (protocol, weight,\n"
    "                    auth and path in key65280..key65283): 3 records per resource\n";

struct options {
  cidns::bench::dns_twin twin = cidns::bench::dns_twin::light;
  std::vector<std::string> positional;
};

// Returns the exit status to stop with (0 help, 2 usage error), or -1 to go on.
int parse(int argc, char** argv, options& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(usage, stdout);
      return 0;
    }
    if (a == "--twin" || a.starts_with("--twin=")) {
      if (a == "--twin" && i + 1 >= argc) {
        std::fputs("gen-zone: --twin needs a value: light or same-info\n", stderr);
        return 2;
      }
      const std::string_view v = a == "--twin" ? std::string_view(argv[++i]) : a.substr(7);
      if (v == "light") {
        o.twin = cidns::bench::dns_twin::light;
      } else if (v == "same-info") {
        o.twin = cidns::bench::dns_twin::same_info;
      } else {
        std::fprintf(stderr, "gen-zone: --twin: '%.*s' is not light or same-info\n",
                     static_cast<int>(v.size()), v.data());
        return 2;
      }
    } else if (a.starts_with("-") || o.positional.size() == 3) {
      std::fputs(usage, stderr);
      return 2;
    } else {
      o.positional.emplace_back(a);
    }
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  if (const int rc = parse(argc, argv, o); rc >= 0) return rc;
  const auto& p = o.positional;
  const std::size_t n = !p.empty() ? std::strtoull(p[0].c_str(), nullptr, 10) : 1000000;
  const std::string cidns_file = p.size() > 1 ? p[1] : "cidns.zone";
  const std::string dns_file = p.size() > 2 ? p[2] : "dns.zone";
  for (const auto& [path, dns] : {std::pair{cidns_file, false}, std::pair{dns_file, true}}) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      std::perror(path.c_str());
      return 2;
    }
    auto s =
        dns ? cidns::bench::write_dns_twin(f, n, o.twin) : cidns::bench::write_cidns_zone(f, n);
    if (std::fclose(f) != 0) {
      std::perror(path.c_str());
      return 2;
    }
    fmt::print("{}: {} records, {} bytes\n", path, s.records, s.bytes);
  }
  return 0;
}
