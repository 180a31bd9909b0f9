// Helpers shared by the zone transfer tests: zones compiled from text or fixtures, XFR
// requests, and a writer's whole stream passed through the wire codec.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cidns/record/data.hpp"
#include "cidns/wire/message.hpp"
#include "cidns/xfr/reader.hpp"
#include "cidns/xfr/writer.hpp"
#include "cidns/zone/load.hpp"

namespace cidns::xfr::testing {

inline std::shared_ptr<const zone::compiled_zone> compile_text(const std::string& text) {
  zone::load_options o;
  o.compile = true;
  auto r = zone::load_text(text, "t.zone", o);
  EXPECT_TRUE(r.ok()) << (r.messages().empty() ? "" : r.messages().front());
  return r.compiled;
}

inline std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(CIDNS_SOURCE_DIR) + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline name::identifier n(std::string_view text) { return name::identifier::parse(text).value(); }

inline record::rr soa_rr(std::string_view owner, std::uint32_t serial, std::uint32_t ttl = 3600) {
  record::soa s;
  s.primary = n("ns1.z.");
  s.admin = n("admin.z.");
  s.serial = serial;
  s.refresh = 3600;
  s.retry = 600;
  s.expire = 1209600;
  s.negative_ttl = 300;
  return record::rr{n(owner), record::rtype::soa, ttl, s.encode()};
}

inline record::rr txt_rr(std::string_view owner, std::string text) {
  return record::rr{n(owner), record::rtype::txt, 3600, record::txt{{std::move(text)}}.encode()};
}

// An XFR request for `zone`, incremental from `have` when given.
inline wire::message request(const name::identifier& zone, std::optional<std::uint32_t> have) {
  wire::message m;
  m.id = 4242;
  m.opcode = wire::opcode::xfr;
  m.question = wire::question{zone, record::rtype::soa};
  if (have) {
    record::rr r = soa_rr(zone.text(), *have);
    m.authority.push_back(r);
  }
  return m;
}

// Every message of `w`, each encoded and decoded again (checking the budget on the way).
inline std::vector<wire::message> drain(writer& w, std::size_t budget = default_budget) {
  std::vector<wire::message> out;
  wire::message m;
  for (;;) {
    auto more = w.next(m);
    EXPECT_TRUE(more.ok()) << more.err().message;
    if (!more.ok() || !*more) break;
    const std::string bytes = wire::encode(m);
    EXPECT_LE(bytes.size(), budget);
    auto back = wire::decode(bytes);
    EXPECT_TRUE(back.ok()) << back.err().message;
    if (!back.ok()) break;
    EXPECT_EQ(*back, m);
    out.push_back(std::move(*back));
  }
  return out;
}

// Feeds `ms` to `r`; the result of the last feed (an error stops early).
inline result<bool> feed_all(reader& r, const std::vector<wire::message>& ms) {
  result<bool> last = false;
  for (const auto& m : ms) {
    last = r.feed(m);
    if (!last.ok()) break;
  }
  return last;
}

}  // namespace cidns::xfr::testing
