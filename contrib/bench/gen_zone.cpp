// gen-zone: writes a synthetic cidns zone and its DNS equivalent for benchmarks.
//   gen-zone [RESOURCES] [CIDNS_FILE] [DNS_FILE]
// Defaults: 1000000 cidns.zone dns.zone. Compare:
//   time cidns-admin zone check cidns.zone
//   time nsd-checkzone provx.cn-north. dns.zone
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "zone_gen.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && argv[1][0] == '-') {
    const bool help = std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h";
    std::fprintf(help ? stdout : stderr,
                 "usage: gen-zone [RESOURCES] [CIDNS_FILE] [DNS_FILE]\n"
                 "Writes a zone of RESOURCES (default 1000000) resources with DESC, STATE and EP\n"
                 "to CIDNS_FILE (cidns.zone) and its DNS twin, one TXT per resource holding the\n"
                 "DESC text, to DNS_FILE (dns.zone), for nsd-checkzone comparisons.\n");
    return help ? 0 : 2;
  }
  const std::size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const std::string cidns_file = argc > 2 ? argv[2] : "cidns.zone";
  const std::string dns_file = argc > 3 ? argv[3] : "dns.zone";
  for (const auto& [path, dns] : {std::pair{cidns_file, false}, std::pair{dns_file, true}}) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
      std::perror(path.c_str());
      return 2;
    }
    auto s = dns ? cidns::bench::write_dns_zone(f, n) : cidns::bench::write_cidns_zone(f, n);
    if (std::fclose(f) != 0) {
      std::perror(path.c_str());
      return 2;
    }
    fmt::print("{}: {} records, {} bytes\n", path, s.records, s.bytes);
  }
  return 0;
}
