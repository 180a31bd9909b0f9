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

#include "common/hex.hpp"

namespace cidns::interop {

using test::hex;
using test::unhex;

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

// The bytes of tests/interop/golden/<name>.hex.
inline std::string golden(const std::string& name) {
  std::ifstream in(std::string(CIDNS_INTEROP_GOLDEN_DIR) + "/" + name + ".hex");
  if (!in) throw std::runtime_error("missing golden file " + name + ".hex");
  std::stringstream ss;
  ss << in.rdbuf();
  return unhex(ss.str());
}

}  // namespace cidns::interop
