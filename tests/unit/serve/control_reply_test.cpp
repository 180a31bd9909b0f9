// The control protocol dispatch both daemons share: known, unknown and bad requests, and a
// reply that stays valid JSON whatever bytes the request carried.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "cidns/serve/control_reply.hpp"

namespace cidns::serve {
namespace {

std::optional<nlohmann::json> answer(const std::string& cmd, const nlohmann::json& req) {
  if (cmd != "echo") return std::nullopt;
  return nlohmann::json{{"ok", true}, {"said", req.value("text", "")}};
}

nlohmann::json ask(std::string_view line) {
  return nlohmann::json::parse(control_reply(line, answer));  // throws if not valid JSON
}

TEST(ControlReply, KnownUnknownAndBadRequests) {
  EXPECT_EQ(ask(R"({"cmd":"echo","text":"hi"})"), (nlohmann::json{{"ok", true}, {"said", "hi"}}));
  EXPECT_EQ(ask(R"({"cmd":"nope"})"),
            (nlohmann::json{{"ok", false}, {"error", "unknown command \"nope\""}}));
  const auto bad = ask("not json");
  EXPECT_EQ(bad.value("ok", true), false);
  EXPECT_EQ(bad.value("error", "").rfind("bad request: ", 0), 0U);
}

TEST(ControlReply, InvalidUtf8InAReplyIsReplacedNotThrown) {
  const auto r =
      ask("{\"cmd\":\"echo\",\"text\":\"a\xff"
          "b\"}");
  EXPECT_EQ(r.value("ok", true), false) << "the parser refuses invalid UTF-8 in the request";
  const std::string echoed = control_reply(R"({"cmd":"x"})", [](const std::string&,
                                                                const nlohmann::json&) {
    return std::optional<nlohmann::json>(nlohmann::json{{"ok", true}, {"v", std::string("a\xff")}});
  });
  EXPECT_TRUE(nlohmann::json::accept(echoed)) << echoed;
}

}  // namespace
}  // namespace cidns::serve
