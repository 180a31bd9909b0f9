// The signing issue's tamper matrix met by the validating engine through the chain
// root -> cn-north. -> provx.cn-north.: each tampered reply (rewritten in flight, re-signed
// where the case needs a signature that verifies) ends bogus with SERVFAIL, the extended error
// code and its exact text, and a CD query still gets the data. An unsigned child is insecure.
#include <algorithm>
#include <functional>

#include <fmt/format.h>

#include "scenario_network.hpp"

namespace cidns::resolve::test {
namespace {

using wire::error_code;

const name::identifier& provx() {
  static const auto z = id("provx.cn-north.");
  return z;
}
const name::identifier& h100() {
  static const auto n = id("h100.pool1.provx.cn-north.");
  return n;
}

bool is_provx(const server_address& a) {
  return a == addr("127.0.0.4:5380") || a == addr("127.0.0.5:5380");
}
bool is_cn_north(const server_address& a) { return a == addr("127.0.0.3:5380"); }

bool sig_covers(const record::rr& r, rtype t) {
  if (r.type != rtype::sig) return false;
  auto s = record::sig::decode(r.data);
  return s && s->type_covered == t;
}

// Every section of a reply, for rewrites that do not care where a record is.
std::vector<std::vector<record::rr>*> sections(wire::message& m) {
  return {&m.answer, &m.authority, &m.additional};
}

struct window {
  std::uint64_t inception = inception_s, expiration = expiration_s;
};

// Replaces the SIGs over (owner, type) in `section` by one SIG by `key` of zone `signer` over
// the records of (owner, type) now in `section`. No-op when the section has no such records.
void resign(std::vector<record::rr>& section, const name::identifier& owner, rtype type,
            const dnssec::zone_key& key, const name::identifier& signer, window w = {}) {
  std::vector<std::string> datas;
  std::uint32_t ttl = 0;
  for (const auto& r : section) {
    if (r.owner == owner && r.type == type) {
      datas.push_back(r.data);
      ttl = r.ttl;
    }
  }
  if (datas.empty()) return;
  std::erase_if(section,
                [&](const record::rr& r) { return r.owner == owner && sig_covers(r, type); });
  std::vector<std::string_view> views(datas.begin(), datas.end());
  auto sig = dnssec::sign_rrset(key, signer, {owner, type, ttl, views}, w.inception, w.expiration);
  section.push_back(record::rr{owner, rtype::sig, ttl, sig.encode()});
}

// Changes the data of (owner, type) records in `section` with `edit` (not re-signed).
template <class Data, class Edit>
void edit_data(std::vector<record::rr>& section, const name::identifier& owner, rtype type,
               Edit edit) {
  for (auto& r : section) {
    if (r.owner != owner || r.type != type) continue;
    auto d = Data::decode(r.data).value();
    edit(d);
    r.data = d.encode();
  }
}

class ScenarioTamper : public scenario {
 protected:
  // The rewrite applies to replies from provx's servers only.
  void tamper_provx(std::function<void(wire::message&)> f) {
    m_rewrite = [f = std::move(f)](const server_address& from, wire::message& m, bool) {
      if (is_provx(from)) f(m);
    };
  }
  void tamper_cn_north(std::function<void(wire::message&)> f) {
    m_rewrite = [f = std::move(f)](const server_address& from, wire::message& m, bool) {
      if (is_cn_north(from)) f(m);
    };
  }

  // A validating question gets SERVFAIL with exactly this extended error, and no data.
  void expect_bogus(std::string_view name, rtype type, error_code code, std::string_view text) {
    auto a = resolve(name, type, wire::flag::do_);
    EXPECT_EQ(a.reply.rcode, wire::rcode::servfail) << name;
    EXPECT_EQ(a.state, security::bogus);
    EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
    EXPECT_TRUE(a.reply.answer.empty());
    ASSERT_TRUE(a.reply.error) << trace_text();
    EXPECT_EQ(a.reply.error->text, text) << trace_text();
    EXPECT_EQ(a.reply.error->code, static_cast<std::uint32_t>(code)) << a.reply.error->text;
  }

  // The same question with CD gets the tampered data, unvalidated (after the bogus answer
  // above was cached: a bogus entry never answers a CD question with SERVFAIL).
  client_answer expect_cd_data(std::string_view name, rtype type, wire::rcode rcode) {
    auto a = resolve(name, type, wire::flag::cd | wire::flag::do_);
    EXPECT_EQ(a.reply.rcode, rcode) << name << ": " << error_text(a);
    EXPECT_EQ(a.state, security::indeterminate);
    EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
    EXPECT_TRUE(a.reply.has_flag(wire::flag::cd));
    return a;
  }
  void expect_cd_answer(std::string_view name, rtype type) {
    auto a = expect_cd_data(name, type, wire::rcode::noerror);
    EXPECT_EQ(count(a.reply.answer, type), 1U) << name;
  }
};

// ---- the answer's own SIG ------------------------------------------------------------------

TEST_F(ScenarioTamper, DescChangedAfterSigning) {
  tamper_provx([](wire::message& m) {
    edit_data<record::desc>(m.answer, h100(), rtype::desc, [](record::desc& d) { d.vcpu = 400; });
  });
  expect_bogus(h100().text(), rtype::desc, error_code::dnssec_bogus,
               "bad signature on DESC h100.pool1.provx.cn-north.");
  auto a = expect_cd_data(h100().text(), rtype::desc, wire::rcode::noerror);
  ASSERT_EQ(count(a.reply.answer, rtype::desc), 1U);
  for (const auto& r : a.reply.answer) {
    if (r.type == rtype::desc) {
      EXPECT_EQ(record::desc::decode(r.data).value().vcpu.value_or(0), 400U);
    }
  }
}

TEST_F(ScenarioTamper, SignatureByAnotherKeyWithTheZoneKeysTag) {
  tamper_provx([this](wire::message& m) {
    auto intruder = seeded_key('\x0b', false);
    intruder.tag = m_h->provx_zsk.tag;
    resign(m.answer, h100(), rtype::desc, intruder, provx());
  });
  expect_bogus(h100().text(), rtype::desc, error_code::dnssec_bogus,
               "bad signature on DESC h100.pool1.provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, SignatureByAKeyTheZoneDoesNotPublish) {
  static const auto stranger = seeded_key('\x0c', false);
  tamper_provx([](wire::message& m) { resign(m.answer, h100(), rtype::desc, stranger, provx()); });
  expect_bogus(h100().text(), rtype::desc, error_code::key_missing,
               fmt::format("no KEY of provx.cn-north. with tag {} for the signature on DESC "
                           "h100.pool1.provx.cn-north.",
                           stranger.tag));
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, SignatureByTheParentZonesKey) {
  tamper_provx([this](wire::message& m) {
    resign(m.answer, h100(), rtype::desc, m_h->cn_key, id("cn-north."));
  });
  expect_bogus(h100().text(), rtype::desc, error_code::dnssec_bogus,
               "signer cn-north. is not the zone provx.cn-north. (signature on DESC "
               "h100.pool1.provx.cn-north.)");
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, ExpiredSignature) {
  tamper_provx([this](wire::message& m) {
    resign(m.answer, h100(), rtype::desc, m_h->provx_zsk, provx(),
           {t0_s - 10 * 86400, t0_s - 86400});
  });
  expect_bogus(h100().text(), rtype::desc, error_code::signature_expired,
               "signature expired on DESC h100.pool1.provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, NotYetValidSignature) {
  tamper_provx([this](wire::message& m) {
    resign(m.answer, h100(), rtype::desc, m_h->provx_zsk, provx(),
           {t0_s + 86400, t0_s + 10 * 86400});
  });
  expect_bogus(h100().text(), rtype::desc, error_code::signature_not_yet_valid,
               "signature not yet valid on DESC h100.pool1.provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// The fake clock past every SIG's expiration: the first link checked, the root's KEY, fails.
TEST_F(ScenarioTamper, ClockPastTheExpirationOfEverySignature) {
  m_now = (expiration_s + 1) * 1000;
  expect_bogus(h100().text(), rtype::desc, error_code::signature_expired,
               "signature expired on KEY .");
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, ClockBeforeTheInceptionOfEverySignature) {
  m_now = (inception_s - 1) * 1000;
  expect_bogus(h100().text(), rtype::desc, error_code::signature_not_yet_valid,
               "signature not yet valid on KEY .");
  expect_cd_answer(h100().text(), rtype::desc);
}

TEST_F(ScenarioTamper, SigRemoved) {
  tamper_provx([](wire::message& m) {
    std::erase_if(m.answer, [](const record::rr& r) { return sig_covers(r, rtype::desc); });
  });
  expect_bogus(h100().text(), rtype::desc, error_code::signatures_missing,
               "no signature on DESC h100.pool1.provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// ---- denial proofs -----------------------------------------------------------------------

// nothere.provx.cn-north. lies between loopx and ns1; the wildcard *.provx.cn-north. between
// the apex and best: an NXDOMAIN carries those two NSECs.
constexpr std::string_view nothere = "nothere.provx.cn-north.";

void erase_nsec(std::vector<record::rr>& section, const name::identifier& owner) {
  std::erase_if(section, [&](const record::rr& r) {
    return r.owner == owner && (r.type == rtype::nsec || sig_covers(r, rtype::nsec));
  });
}

TEST_F(ScenarioTamper, NxdomainUntamperedIsSecure) {
  auto a = resolve(nothere, rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::nxdomain) << error_text(a);
  EXPECT_EQ(a.state, security::secure);
  EXPECT_TRUE(a.reply.has_flag(wire::flag::ad));
  EXPECT_EQ(count(a.reply.authority, rtype::nsec), 2U);
}

TEST_F(ScenarioTamper, NsecCoveringTheNameRemovedFromNxdomain) {
  tamper_provx([](wire::message& m) { erase_nsec(m.authority, id("loopx.provx.cn-north.")); });
  expect_bogus(nothere, rtype::desc, error_code::nsec_missing,
               "no NSEC proves NXDOMAIN for nothere.provx.cn-north. (no NSEC covers "
               "nothere.provx.cn-north.)");
  auto a = expect_cd_data(nothere, rtype::desc, wire::rcode::nxdomain);
  EXPECT_EQ(count(a.reply.authority, rtype::nsec), 1U);
}

TEST_F(ScenarioTamper, NsecCoveringTheWildcardRemovedFromNxdomain) {
  tamper_provx([](wire::message& m) { erase_nsec(m.authority, provx()); });
  expect_bogus(nothere, rtype::desc, error_code::nsec_missing,
               "no NSEC proves NXDOMAIN for nothere.provx.cn-north. (no NSEC covers the "
               "wildcard *.provx.cn-north.)");
  expect_cd_data(nothere, rtype::desc, wire::rcode::nxdomain);
}

// The authority section in another order proves the same: order carries no meaning.
TEST_F(ScenarioTamper, NxdomainRecordsInAnotherOrderStillProve) {
  tamper_provx([](wire::message& m) { std::reverse(m.authority.begin(), m.authority.end()); });
  auto a = resolve(nothere, rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::nxdomain) << error_text(a);
  EXPECT_EQ(a.state, security::secure);
}

// An NSEC of the chain reordered (its next name changed) without the zone's key.
TEST_F(ScenarioTamper, NsecReorderedWithoutResigning) {
  tamper_provx([](wire::message& m) {
    edit_data<record::nsec>(m.authority, id("loopx.provx.cn-north."), rtype::nsec,
                            [](record::nsec& n) { n.next = id("toplain.provx.cn-north."); });
  });
  expect_bogus(nothere, rtype::desc, error_code::dnssec_bogus,
               "bad signature on NSEC loopx.provx.cn-north.");
  expect_cd_data(nothere, rtype::desc, wire::rcode::nxdomain);
}

// Re-signed by the zone (a signer bug): the NSEC now ends before the name it should cover.
TEST_F(ScenarioTamper, NsecReorderedAndResignedNoLongerCoversTheName) {
  tamper_provx([this](wire::message& m) {
    const auto loopx = id("loopx.provx.cn-north.");
    edit_data<record::nsec>(m.authority, loopx, rtype::nsec,
                            [](record::nsec& n) { n.next = id("mm.provx.cn-north."); });
    resign(m.authority, loopx, rtype::nsec, m_h->provx_zsk, provx());
  });
  expect_bogus(nothere, rtype::desc, error_code::nsec_missing,
               "no NSEC proves NXDOMAIN for nothere.provx.cn-north. (no NSEC covers "
               "nothere.provx.cn-north.)");
  expect_cd_data(nothere, rtype::desc, wire::rcode::nxdomain);
}

// h100.pool1 has DESC, STATE and EP, no TXT: its NSEC claims TXT too.
TEST_F(ScenarioTamper, NodataNsecTypeListWrongWithoutResigning) {
  tamper_provx([](wire::message& m) {
    edit_data<record::nsec>(m.authority, h100(), rtype::nsec, [](record::nsec& n) {
      n.types.push_back(rtype::txt);
      std::sort(n.types.begin(), n.types.end());
    });
  });
  expect_bogus(h100().text(), rtype::txt, error_code::dnssec_bogus,
               "bad signature on NSEC h100.pool1.provx.cn-north.");
  auto a = expect_cd_data(h100().text(), rtype::txt, wire::rcode::noerror);
  EXPECT_TRUE(a.reply.answer.empty());
  EXPECT_EQ(count(a.reply.authority, rtype::nsec), 1U);
}

TEST_F(ScenarioTamper, NodataNsecTypeListWrongAndResigned) {
  tamper_provx([this](wire::message& m) {
    edit_data<record::nsec>(m.authority, h100(), rtype::nsec, [](record::nsec& n) {
      n.types.push_back(rtype::txt);
      std::sort(n.types.begin(), n.types.end());
    });
    resign(m.authority, h100(), rtype::nsec, m_h->provx_zsk, provx());
  });
  expect_bogus(h100().text(), rtype::txt, error_code::nsec_missing,
               "no NSEC proves NODATA for TXT h100.pool1.provx.cn-north. (the NSEC of "
               "h100.pool1.provx.cn-north. lists the type or a CNAME)");
  expect_cd_data(h100().text(), rtype::txt, wire::rcode::noerror);
}

// ---- the chain: KEY and DS ---------------------------------------------------------------

// provx publishes another key pair, self-signed: no KEY matches the DS cn-north serves.
TEST_F(ScenarioTamper, ChildKeyReplaced) {
  static const auto other_ksk = seeded_key('\x0d', true);
  tamper_provx([](wire::message& m) {
    for (auto* s : sections(m)) {
      bool had_key = false;
      std::erase_if(*s, [&](const record::rr& r) {
        const bool k = r.owner == provx() && (r.type == rtype::key || sig_covers(r, rtype::key));
        had_key = had_key || (k && r.type == rtype::key);
        return k;
      });
      if (!had_key) continue;
      s->push_back(record::rr{provx(), rtype::key, 3600, other_ksk.key_data});
      resign(*s, provx(), rtype::key, other_ksk, provx());
    }
  });
  expect_bogus(h100().text(), rtype::desc, error_code::key_missing,
               "no KEY matches the DS of provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// KEY data with the tag of `real` (a SHA-256 prefix) but another public key: the last bytes
// of the public key counted up until the tag matches (about 65,536 hashes).
std::string same_tag_key_data(const dnssec::zone_key& real) {
  const auto k = record::key::decode(real.key_data).value();
  for (std::uint32_t n = 1; n < (1U << 24); ++n) {
    auto forged = k;
    for (int i = 0; i < 3; ++i) {
      auto& b = forged.public_key[forged.public_key.size() - 1 - i];
      b = static_cast<char>(b ^ static_cast<char>((n >> (8 * i)) & 0xff));
    }
    auto data = forged.encode();
    if (dnssec::key_tag(data) == real.tag) return data;
  }
  ADD_FAILURE() << "no KEY data with tag " << real.tag;
  return real.key_data;
}

// provx's KSK replaced by a KEY of the same tag and algorithm: the DS digest does not match.
TEST_F(ScenarioTamper, ChildKeyReplacedByOneWithTheSameTag) {
  static const std::string forged = same_tag_key_data(default_hierarchy().provx_ksk);
  ASSERT_NE(forged, m_h->provx_ksk.key_data);
  tamper_provx([this](wire::message& m) {
    for (auto* s : sections(m)) {
      for (auto& r : *s) {
        if (r.owner == provx() && r.type == rtype::key && r.data == m_h->provx_ksk.key_data) {
          r.data = forged;
        }
      }
    }
  });
  expect_bogus(h100().text(), rtype::desc, error_code::ds_digest_mismatch,
               "DS digest mismatch for provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// The KEY RRset keeps the KSK the DS pins but its SIG is made by the ZSK only.
TEST_F(ScenarioTamper, ChildKeySetSignedOnlyByAKeyNoDsPins) {
  tamper_provx([this](wire::message& m) {
    for (auto* s : sections(m)) resign(*s, provx(), rtype::key, m_h->provx_zsk, provx());
  });
  expect_bogus(h100().text(), rtype::desc, error_code::signatures_missing,
               "no signature on KEY provx.cn-north. by a key its DS pins");
  expect_cd_answer(h100().text(), rtype::desc);
}

// cn-north serves (and signs, with its own key) a DS whose digest does not match provx's KSK.
TEST_F(ScenarioTamper, DsThatDoesNotMatchTheChild) {
  tamper_cn_north([this](wire::message& m) {
    for (auto* s : sections(m)) {
      edit_data<record::ds>(*s, provx(), rtype::ds, [](record::ds& d) {
        d.digest[0] = static_cast<char>(d.digest[0] ^ 1);
      });
      resign(*s, provx(), rtype::ds, m_h->cn_key, id("cn-north."));
    }
  });
  expect_bogus(h100().text(), rtype::desc, error_code::ds_digest_mismatch,
               "DS digest mismatch for provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// The DS changed on the way, its SIG left as it was.
TEST_F(ScenarioTamper, DsChangedWithoutResigning) {
  tamper_cn_north([](wire::message& m) {
    for (auto* s : sections(m)) {
      edit_data<record::ds>(*s, provx(), rtype::ds, [](record::ds& d) {
        d.digest[0] = static_cast<char>(d.digest[0] ^ 1);
      });
    }
  });
  expect_bogus(h100().text(), rtype::desc, error_code::dnssec_bogus,
               "bad signature on DS provx.cn-north.");
  expect_cd_answer(h100().text(), rtype::desc);
}

// ---- unsigned delegations ----------------------------------------------------------------

TEST_F(ScenarioTamper, UnsignedChildIsInsecure) {
  auto a = resolve("node.plain.cn-north.", rtype::desc, wire::flag::do_);
  EXPECT_EQ(a.reply.rcode, wire::rcode::noerror) << error_text(a);
  EXPECT_EQ(a.state, security::insecure);
  EXPECT_FALSE(a.reply.has_flag(wire::flag::ad));
  EXPECT_EQ(count(a.reply.answer, rtype::desc), 1U);
  EXPECT_EQ(count(a.reply.answer, rtype::sig), 0U);
}

// Stripping the DS (and its SIG) from the signed delegation to provx does not make provx
// look unsigned: no NSEC proves the DS absent.
TEST_F(ScenarioTamper, DsStrippedFromASignedDelegationIsNotInsecure) {
  tamper_cn_north([](wire::message& m) {
    for (auto* s : sections(m)) {
      std::erase_if(*s, [](const record::rr& r) {
        return r.owner == provx() && (r.type == rtype::ds || sig_covers(r, rtype::ds));
      });
    }
  });
  expect_bogus(h100().text(), rtype::desc, error_code::nsec_missing,
               "no NSEC proves no DS at the delegation provx.cn-north. (no NSEC at the "
               "delegation provx.cn-north.)");
  expect_cd_answer(h100().text(), rtype::desc);
}

}  // namespace
}  // namespace cidns::resolve::test
