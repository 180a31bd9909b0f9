// Helpers for the interop tests: libprotobuf's deterministic serialisation,
// hex text, and the golden files under tests/interop/golden/.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message_lite.h>

namespace cidns::interop {

inline std::string serialize(const google::protobuf::MessageLite& m) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream sos(&out);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    if (!m.SerializeToCodedStream(&cos)) throw std::runtime_error("libprotobuf serialize failed");
  }
  return out;
}

inline std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(digits[u >> 4U]);
    out.push_back(digits[u & 0x0fU]);
  }
  return out;
}

inline std::string unhex(std::string_view text) {
  std::string out;
  int hi = -1;
  for (char c : text) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<char>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// The bytes of tests/interop/golden/<name>.hex.
inline std::string golden(const std::string& name) {
  std::ifstream in(std::string(CIDNS_INTEROP_GOLDEN_DIR) + "/" + name + ".hex");
  if (!in) throw std::runtime_error("missing golden file " + name + ".hex");
  std::stringstream ss;
  ss << in.rdbuf();
  return unhex(ss.str());
}

}  // namespace cidns::interop
