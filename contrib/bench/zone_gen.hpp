// Synthetic zones for benchmarks: N compute resources, each with a DESC (13 keys),
// a STATE and an EP, as in DESIGN §3; and a DNS twin for comparison with NSD and Knot:
// the light twin (one TXT per resource holding the DESC keys as strings) or the
// same-information twin (DESC and STATE as two TXT records of one RRset, the EP as an
// SVCB record: 3 records per resource, as in the cidns zone).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace cidns::bench {

inline constexpr const char* gen_origin = "provx.cn-north.";

struct gen_stats {
  std::size_t records = 0;
  std::size_t bytes = 0;
};

namespace detail {

inline const char* const models[] = {"nvidia-h100-sxm5", "nvidia-a800-pcie", "huawei-910b",
                                     "nvidia-h20-sxm5"};
inline const char* const families[] = {"h100", "a800", "910b", "h20"};
inline const char* const vendors[] = {"nvidia", "nvidia", "huawei", "nvidia"};

inline void flush(std::string& buf, std::FILE* f, gen_stats& s) {
  s.bytes += std::fwrite(buf.data(), 1, buf.size(), f);
  buf.clear();
}

// Writes `head`, then for each resource what emit(buf, i) appends (counting
// records_per records each), in 1 MiB chunks.
template <typename Emit>
gen_stats write_zone(std::FILE* f, std::size_t resources, std::string_view head,
                     std::size_t head_records, std::size_t records_per, Emit emit) {
  gen_stats s;
  std::string buf;
  buf.reserve(1 << 20);
  buf.append(head);
  s.records = head_records;
  for (std::size_t i = 0; i < resources; ++i) {
    emit(buf, i);
    s.records += records_per;
    if (buf.size() > (1 << 20) - 4096) flush(buf, f, s);
  }
  flush(buf, f, s);
  return s;
}

}  // namespace detail

// cidns flavour: SOA, NS, ADDR, then per resource DESC + STATE + EP.
inline gen_stats write_cidns_zone(std::FILE* f, std::size_t resources) {
  using namespace detail;
  const std::string head = fmt::format(
      "$ORIGIN {}\n$TTL 1h\n@ SOA ns1 hostmaster 2026112501 1h 10m 14d 5m\n"
      "@ NS ns1\nns1 ADDR 127.0.0.21\n",
      gen_origin);
  return write_zone(f, resources, head, 3, 3, [](std::string& buf, std::size_t i) {
    const std::size_t m = i % 4;
    fmt::format_to(
        std::back_inserter(buf),
        "r{0}.pool{1} DESC ( kind=gpu accel.vendor={2} accel.model={3} accel.family={4}\n"
        "    accel.count={5} accel.mem={6}GiB region=cn-north.beijing\n"
        "    frameworks=pytorch:2.4,mindspore:2.3 sched=k8s price={7}.{8}CNY "
        "price.unit=accel-hour\n"
        "    site=\"Beijing DC {9}\" x-rack=r{10} )\n"
        "  30s STATE free={11} score={12} updated=2026-11-25T10:00:00Z source=measured "
        "spot=1.9CNY\n"
        "  EP 10 1 grpc gw{9}.provx.example 443 alpn=h2 auth=mtls path=/v1\n",
        i, i / 1000, vendors[m], models[m], families[m], 1U << (i % 4), 40 * (1 + m), 1 + i % 5,
        i % 10, i % 7, i % 97, i % 9, i % 11);
  });
}

// DNS flavour for nsd-checkzone: same names, one TXT per resource.
inline gen_stats write_dns_zone(std::FILE* f, std::size_t resources) {
  using namespace detail;
  const std::string head = fmt::format(
      "$ORIGIN {}\n$TTL 3600\n@ SOA ns1 hostmaster 2026112501 3600 600 1209600 300\n"
      "@ NS ns1\nns1 A 127.0.0.21\n",
      gen_origin);
  return write_zone(f, resources, head, 3, 1, [](std::string& buf, std::size_t i) {
    const std::size_t m = i % 4;
    fmt::format_to(
        std::back_inserter(buf),
        "r{0}.pool{1} TXT ( \"kind=gpu\" \"accel.vendor={2}\" \"accel.model={3}\" "
        "\"accel.family={4}\"\n"
        "    \"accel.count={5}\" \"accel.mem={6}GiB\" \"region=cn-north.beijing\"\n"
        "    \"frameworks=pytorch:2.4,mindspore:2.3\" \"sched=k8s\" \"price={7}.{8}CNY\" "
        "\"price.unit=accel-hour\"\n"
        "    \"site=Beijing DC {9}\" \"x-rack=r{10}\" )\n",
        i, i / 1000, vendors[m], models[m], families[m], 1U << (i % 4), 40 * (1 + m), 1 + i % 5,
        i % 10, i % 7, i % 97);
  });
}

// DNS flavour carrying the same information as write_cidns_zone: per resource the DESC
// text and the STATE as two TXT records (one RRset, so one TTL: the zone's 3600), and the
// EP as an SVCB record: priority, target, alpn and port as SVCB has them, then the
// protocol, weight, auth and path in private keys 65280..65283. Names as in the cidns
// zone; records_per 3, so record counts match.
inline gen_stats write_dns_zone_same_info(std::FILE* f, std::size_t resources) {
  using namespace detail;
  const std::string head = fmt::format(
      "$ORIGIN {}\n$TTL 3600\n@ SOA ns1 hostmaster 2026112501 3600 600 1209600 300\n"
      "@ NS ns1\nns1 A 127.0.0.21\n",
      gen_origin);
  return write_zone(f, resources, head, 3, 3, [](std::string& buf, std::size_t i) {
    const std::size_t m = i % 4;
    fmt::format_to(
        std::back_inserter(buf),
        "r{0}.pool{1} TXT ( \"kind=gpu\" \"accel.vendor={2}\" \"accel.model={3}\" "
        "\"accel.family={4}\"\n"
        "    \"accel.count={5}\" \"accel.mem={6}GiB\" \"region=cn-north.beijing\"\n"
        "    \"frameworks=pytorch:2.4,mindspore:2.3\" \"sched=k8s\" \"price={7}.{8}CNY\" "
        "\"price.unit=accel-hour\"\n"
        "    \"site=Beijing DC {9}\" \"x-rack=r{10}\" )\n"
        "  TXT \"free={11}\" \"score={12}\" \"updated=2026-11-25T10:00:00Z\" "
        "\"source=measured\" \"spot=1.9CNY\"\n"
        "  SVCB 10 gw{9}.provx.example. alpn=h2 port=443 key65280=\"grpc\" key65281=\"1\" "
        "key65282=\"mtls\" key65283=\"/v1\"\n",
        i, i / 1000, vendors[m], models[m], families[m], 1U << (i % 4), 40 * (1 + m), 1 + i % 5,
        i % 10, i % 7, i % 97, i % 9, i % 11);
  });
}

// Which DNS twin gen-zone writes.
enum class dns_twin { light, same_info };

inline gen_stats write_dns_twin(std::FILE* f, std::size_t resources, dns_twin twin) {
  return twin == dns_twin::same_info ? write_dns_zone_same_info(f, resources)
                                     : write_dns_zone(f, resources);
}

}  // namespace cidns::bench
