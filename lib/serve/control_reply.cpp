// The shared control-request dispatch (control_reply.hpp).
#include "cidns/serve/control_reply.hpp"

#include <exception>

namespace cidns::serve {

std::string control_reply(std::string_view request_line, const control_answer& answer) {
  nlohmann::json reply;
  try {
    const auto req = nlohmann::json::parse(request_line);
    const std::string cmd = req.value("cmd", "");
    auto known = answer(cmd, req);
    reply = known ? std::move(*known)
                  : nlohmann::json{{"ok", false}, {"error", "unknown command \"" + cmd + "\""}};
  } catch (const std::exception& e) {
    reply = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
  }
  return reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cidns::serve
