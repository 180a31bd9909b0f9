// Classification of replies (DESIGN §8 exit codes) and the validation state a resolver reports.
#include <gtest/gtest.h>

#include "cidns/record/data.hpp"
#include "cidns/stub/answer.hpp"

namespace cidns::stub {
namespace {

record::rr rr_of(record::rtype t, std::string data = {}) {
  return record::rr{name::identifier::parse("x.provx.cn-north.").value(), t, 60, std::move(data)};
}

wire::message reply(wire::rcode rc) {
  wire::message m;
  m.flags = wire::flag::qr;
  m.rcode = rc;
  return m;
}

TEST(StubClassify, EachRcodeAndShape) {
  auto answer = reply(wire::rcode::noerror);
  answer.answer.push_back(rr_of(record::rtype::txt));
  EXPECT_EQ(classify(answer), outcome::answer);

  EXPECT_EQ(classify(reply(wire::rcode::nxdomain)), outcome::nxdomain);

  auto nodata = reply(wire::rcode::noerror);
  nodata.authority.push_back(rr_of(record::rtype::soa));
  EXPECT_EQ(classify(nodata), outcome::nodata);
  EXPECT_EQ(classify(reply(wire::rcode::noerror)), outcome::nodata);

  auto referral = reply(wire::rcode::noerror);
  referral.authority.push_back(rr_of(record::rtype::ns));
  referral.authority.push_back(rr_of(record::rtype::ds));
  EXPECT_EQ(classify(referral), outcome::referral);

  for (auto rc : {wire::rcode::servfail, wire::rcode::refused, wire::rcode::formerr,
                  wire::rcode::notimp, wire::rcode::badcookie}) {
    EXPECT_EQ(classify(reply(rc)), outcome::failure) << wire::rcode_name(rc);
  }
}

TEST(StubClassify, ExitCodesFollowTheDesign) {
  EXPECT_EQ(exit_code(outcome::answer), 0);
  EXPECT_EQ(exit_code(outcome::nxdomain), 1);
  EXPECT_EQ(exit_code(outcome::nodata), 1);
  EXPECT_EQ(exit_code(outcome::failure), 2);
  EXPECT_EQ(exit_code(outcome::referral), 3);
}

TEST(StubValidation, SecureBogusInsecure) {
  auto secure = reply(wire::rcode::noerror);
  secure.set_flag(wire::flag::ad);
  EXPECT_EQ(validation_of(secure).state, validation::secure);
  EXPECT_EQ(validation_of(secure).text(), "secure");

  auto bogus = reply(wire::rcode::servfail);
  bogus.error =
      wire::extended_error{static_cast<std::uint32_t>(wire::error_code::ds_digest_mismatch),
                           "DS digest mismatch for provx.cn-north."};
  EXPECT_EQ(validation_of(bogus).state, validation::bogus);
  EXPECT_EQ(validation_of(bogus).text(), "bogus: DS digest mismatch for provx.cn-north.");

  auto bogus_no_text = reply(wire::rcode::servfail);
  bogus_no_text.error =
      wire::extended_error{static_cast<std::uint32_t>(wire::error_code::signature_expired), ""};
  EXPECT_EQ(validation_of(bogus_no_text).reason, "SIGNATURE_EXPIRED");

  auto unreachable = reply(wire::rcode::servfail);
  unreachable.error = wire::extended_error{
      static_cast<std::uint32_t>(wire::error_code::no_reachable_authority), "no server"};
  EXPECT_EQ(validation_of(unreachable).state, validation::insecure);
  EXPECT_EQ(validation_of(unreachable).reason, "");

  auto unvalidated = reply(wire::rcode::noerror);
  unvalidated.error = wire::extended_error{0, "not validated: no trust anchor configured"};
  EXPECT_EQ(validation_of(unvalidated).state, validation::insecure);
  EXPECT_EQ(validation_of(unvalidated).text(),
            "insecure (not validated: no trust anchor configured)");

  EXPECT_EQ(validation_of(reply(wire::rcode::noerror)).text(), "insecure");
}

}  // namespace
}  // namespace cidns::stub
