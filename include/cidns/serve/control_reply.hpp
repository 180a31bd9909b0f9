// The control protocol both daemons speak (JSON lines): parse the request, hand its "cmd" and
// the whole request to the daemon's answer function, and turn what goes wrong into
// {"ok": false, "error": …}. The reply is always valid JSON (invalid UTF-8 replaced).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cidns::serve {

// `answer` returns the reply for a known command, nullopt for an unknown one.
using control_answer =
    std::function<std::optional<nlohmann::json>(const std::string& cmd, const nlohmann::json& req)>;

std::string control_reply(std::string_view request_line, const control_answer& answer);

}  // namespace cidns::serve
