// Signing keys over OpenSSL 3 EVP: Ed25519, ECDSA P-256 with SHA-256 and SM2 with SM3.
//
// Speed: setting up an OpenSSL operation (fetching the algorithm, binding the key) costs
// several microseconds and takes global locks, so each key keeps a pool of prepared
// operation states. A call takes one state from the pool (or builds one), uses it and
// gives it back: a state is only ever used by one thread at a time, and the key object
// itself is never written to after construction.
//   ed25519, sm2: an EVP_MD_CTX initialised once for DigestSign/DigestVerify (with the SM2
//                 distinguishing ID set); each call copies it into a working context.
//   p256:         an EVP_PKEY_CTX after EVP_PKEY_sign_init/verify_init, used again and again,
//                 plus an EVP_MD_CTX for SHA-256 over the message.
#include "cidns/dnssec/key.hpp"
#include "cidns/util/atomic_file.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace cidns::dnssec {
namespace {

template <auto free_fn>
struct openssl_deleter {
  template <typename T>
  void operator()(T* p) const noexcept {
    free_fn(p);
  }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_deleter<EVP_PKEY_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>>;
using md_ptr = std::unique_ptr<EVP_MD, openssl_deleter<EVP_MD_free>>;
using ecdsa_sig_ptr = std::unique_ptr<ECDSA_SIG, openssl_deleter<ECDSA_SIG_free>>;
using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, openssl_deleter<BN_CTX_free>>;
using bio_ptr = std::unique_ptr<BIO, openssl_deleter<BIO_free_all>>;
using param_bld_ptr = std::unique_ptr<OSSL_PARAM_BLD, openssl_deleter<OSSL_PARAM_BLD_free>>;
using param_ptr = std::unique_ptr<OSSL_PARAM, openssl_deleter<OSSL_PARAM_free>>;

constexpr std::size_t ed25519_key_size = 32;
constexpr std::size_t ec_coordinate_size = 32;
constexpr std::size_t ec_public_size = 2 * ec_coordinate_size;  // X||Y
constexpr std::size_t signature_size = 64;                      // every algorithm: R||S or r||s
constexpr std::size_t der_signature_max = 80;
constexpr std::size_t pooled_states_max = 64;
constexpr std::size_t pem_size_max = 1 << 20;
constexpr std::string_view sm2_id = "1234567812345678";  // GB/T 32918.2 default ID

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The OpenSSL error queue of this thread as text; empties it.
std::string take_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    if (!text.empty()) text += "; ";
    text += buf.data();
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

[[noreturn]] void throw_openssl(std::string_view what) {
  throw std::runtime_error(fmt::format("{}: {}", what, take_openssl_errors()));
}

const EVP_MD* sha256() {
  static const md_ptr md{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
  return md.get();
}

const char* group_name(record::algorithm alg) {
  return alg == record::algorithm::sm2 ? "SM2" : "prime256v1";
}
const char* key_type(record::algorithm alg) {
  switch (alg) {
    case record::algorithm::ed25519:
      return "ED25519";
    case record::algorithm::p256:
      return "EC";
    case record::algorithm::sm2:
      return "SM2";
    default:
      return nullptr;
  }
}

// ---- signature encodings: OpenSSL's DER ECDSA-Sig-Value <-> r||s ----

// r||s (32 bytes each) from DER; false when `der` is not such a signature.
bool der_to_raw(const unsigned char* der, std::size_t len, std::string& out) {
  const unsigned char* p = der;
  ecdsa_sig_ptr sig{d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len))};
  if (!sig) return false;
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  out.resize(signature_size);
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  return BN_bn2binpad(r, o, ec_coordinate_size) == int{ec_coordinate_size} &&
         BN_bn2binpad(s, o + ec_coordinate_size, ec_coordinate_size) == int{ec_coordinate_size};
}

// DER from r||s (64 bytes); its length, or 0 on an OpenSSL failure.
std::size_t raw_to_der(std::string_view raw, std::array<unsigned char, der_signature_max>& der) {
  ecdsa_sig_ptr sig{ECDSA_SIG_new()};
  bn_ptr r{BN_bin2bn(bytes(raw), ec_coordinate_size, nullptr)};
  bn_ptr s{BN_bin2bn(bytes(raw) + ec_coordinate_size, ec_coordinate_size, nullptr)};
  if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return 0;
  (void)r.release();  // owned by sig now
  (void)s.release();
  if (i2d_ECDSA_SIG(sig.get(), nullptr) > int{der_signature_max}) return 0;
  unsigned char* p = der.data();
  int n = i2d_ECDSA_SIG(sig.get(), &p);
  return n > 0 ? static_cast<std::size_t>(n) : 0;
}

// ---- prepared operation states and their pool ----

enum class operation { sign, verify };

struct op_state {
  md_ctx_ptr prepared;    // ed25519/sm2: DigestSign/DigestVerify initialised, never fed
  md_ctx_ptr work;        // ed25519/sm2: this call's copy of `prepared`; p256: SHA-256
  pkey_ctx_ptr pkey_ctx;  // p256: after EVP_PKEY_sign_init or EVP_PKEY_verify_init
};

// A prepared state for `op` with `key`, or nullptr (the reason is on the error queue).
std::unique_ptr<op_state> make_state(EVP_PKEY* key, record::algorithm alg, operation op) {
  auto st = std::make_unique<op_state>();
  st->work.reset(EVP_MD_CTX_new());
  if (!st->work) return nullptr;
  if (alg == record::algorithm::p256) {
    st->pkey_ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
    if (!st->pkey_ctx || sha256() == nullptr) return nullptr;
    int init = op == operation::sign ? EVP_PKEY_sign_init(st->pkey_ctx.get())
                                     : EVP_PKEY_verify_init(st->pkey_ctx.get());
    if (init <= 0 || EVP_PKEY_CTX_set_signature_md(st->pkey_ctx.get(), sha256()) <= 0) {
      return nullptr;
    }
    return st;
  }
  st->prepared.reset(EVP_MD_CTX_new());
  if (!st->prepared) return nullptr;
  const char* md = alg == record::algorithm::sm2 ? "SM3" : nullptr;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by `prepared`
  int init =
      op == operation::sign
          ? EVP_DigestSignInit_ex(st->prepared.get(), &pctx, md, nullptr, nullptr, key, nullptr)
          : EVP_DigestVerifyInit_ex(st->prepared.get(), &pctx, md, nullptr, nullptr, key, nullptr);
  if (init != 1) return nullptr;
  if (alg == record::algorithm::sm2 &&
      EVP_PKEY_CTX_set1_id(pctx, sm2_id.data(), static_cast<int>(sm2_id.size())) <= 0) {
    return nullptr;
  }
  // Final on a context we throw away: spares OpenSSL a copy of the signature context.
  EVP_MD_CTX_set_flags(st->prepared.get(), EVP_MD_CTX_FLAG_FINALISE);
  return st;
}

// Prepared states of one key and operation, shared by the threads using the key.
class state_pool {
 public:
  std::unique_ptr<op_state> take() {
    std::lock_guard lock(m_mutex);
    if (m_free.empty()) return nullptr;
    auto st = std::move(m_free.back());
    m_free.pop_back();
    return st;
  }
  void give(std::unique_ptr<op_state> st) {
    std::lock_guard lock(m_mutex);
    if (m_free.size() < pooled_states_max) m_free.push_back(std::move(st));
  }

 private:
  std::mutex m_mutex;
  std::vector<std::unique_ptr<op_state>> m_free;
};

// ---- Ed25519 point check (RFC 8032 §5.1.3 decoding, without computing x) ----

// p = 2^255 - 19 and d = -121665 / 121666 mod p, computed once.
struct ed25519_field {
  bn_ptr p{BN_new()};
  bn_ptr d{BN_new()};
  bool ok = false;

  ed25519_field() {
    bn_ctx_ptr ctx{BN_CTX_new()};
    bn_ptr t{BN_new()}, inv{BN_new()};
    ok = ctx && p && d && t && inv && BN_set_word(t.get(), 1) && BN_lshift(p.get(), t.get(), 255) &&
         BN_sub_word(p.get(), 19) && BN_set_word(t.get(), 121666) &&
         BN_mod_inverse(inv.get(), t.get(), p.get(), ctx.get()) != nullptr &&
         BN_set_word(t.get(), 121665) && BN_sub(t.get(), p.get(), t.get()) &&
         BN_mod_mul(d.get(), t.get(), inv.get(), p.get(), ctx.get());
  }
};

// True when the 32 bytes decode to a point (RFC 8032 §5.1.3, without computing x): y < p,
// and x^2 = (y^2 - 1) / (d y^2 + 1) has a root mod p; x = 0 only with the sign bit clear.
// OpenSSL 3.0 takes any 32 bytes as an Ed25519 public key and fails only at verification.
bool ed25519_on_curve(std::string_view key) {
  static const ed25519_field field;
  std::array<unsigned char, ed25519_key_size> y_le{};
  std::memcpy(y_le.data(), key.data(), y_le.size());
  const bool x_sign = (y_le[31] & 0x80) != 0;
  y_le[31] &= 0x7f;
  const BIGNUM* p = field.p.get();
  bn_ctx_ptr ctx{BN_CTX_new()};
  bn_ptr y{BN_lebin2bn(y_le.data(), y_le.size(), nullptr)};
  bn_ptr y2{BN_new()}, u{BN_new()}, v{BN_new()};
  if (!field.ok || !ctx || !y || !y2 || !u || !v || BN_cmp(y.get(), p) >= 0) return false;
  // u / v is a square exactly when u * v is (v is never 0: -1/d is not a square).
  bool ok = BN_mod_sqr(y2.get(), y.get(), p, ctx.get()) &&
            BN_mod_sub(u.get(), y2.get(), BN_value_one(), p, ctx.get()) &&
            BN_mod_mul(v.get(), field.d.get(), y2.get(), p, ctx.get()) &&
            BN_mod_add(v.get(), v.get(), BN_value_one(), p, ctx.get()) &&
            BN_mod_mul(u.get(), u.get(), v.get(), p, ctx.get());
  if (!ok) return false;
  if (BN_is_zero(u.get())) return !x_sign;
  return BN_kronecker(u.get(), p, ctx.get()) == 1;
}

// ---- keys out of and into OpenSSL ----

// X||Y of an EC or SM2 key, or empty on failure.
std::string ec_public_bytes(const EVP_PKEY* key) {
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  bn_ptr x{x_raw}, y{y_raw};
  std::string out(ec_public_size, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  if (!x || !y || BN_bn2binpad(x.get(), o, ec_coordinate_size) != int{ec_coordinate_size} ||
      BN_bn2binpad(y.get(), o + ec_coordinate_size, ec_coordinate_size) !=
          int{ec_coordinate_size}) {
    return {};
  }
  return out;
}

std::string public_bytes(const EVP_PKEY* key, record::algorithm alg) {
  if (alg != record::algorithm::ed25519) return ec_public_bytes(key);
  std::string out(ed25519_key_size, '\0');
  std::size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != ed25519_key_size) {
    return {};
  }
  return out;
}

// An EC or SM2 public key from X||Y; nullptr when the point is not on the curve.
pkey_ptr ec_public_from_wire(record::algorithm alg, std::string_view xy) {
  std::array<unsigned char, 1 + ec_public_size> point{};
  point[0] = POINT_CONVERSION_UNCOMPRESSED;
  std::memcpy(point.data() + 1, xy.data(), ec_public_size);
  param_bld_ptr bld{OSSL_PARAM_BLD_new()};
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group_name(alg), 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return nullptr;
  }
  param_ptr params{OSSL_PARAM_BLD_to_param(bld.get())};
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, key_type(alg), nullptr)};
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return pkey_ptr{raw};
}

// What a key is, for messages about keys cidns cannot use: "RSA (2048 bits)",
// "EC on curve secp384r1".
std::string describe(const EVP_PKEY* key) {
  const char* type = EVP_PKEY_get0_type_name(key);
  if (EVP_PKEY_is_a(key, "EC")) {
    std::array<char, 80> group{};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                       &len) == 1) {
      return fmt::format("EC on curve {}", group.data());
    }
  }
  return fmt::format("{} ({} bits)", type != nullptr ? type : "of an unknown type",
                     EVP_PKEY_get_bits(key));
}

// The cidns algorithm of a private key from a file, or nullopt.
std::optional<record::algorithm> algorithm_of(const EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return record::algorithm::ed25519;
  if (EVP_PKEY_is_a(key, "SM2")) return record::algorithm::sm2;
  if (!EVP_PKEY_is_a(key, "EC")) return std::nullopt;
  std::array<char, 80> group{};
  std::size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(),
                                     &len) != 1) {
    return std::nullopt;
  }
  if (std::string_view(group.data(), len) == "prime256v1") return record::algorithm::p256;
  return std::nullopt;
}

int refuse_password(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*u*/) { return -1; }

// ---- files ----

class unique_fd {
 public:
  explicit unique_fd(int fd) noexcept : m_fd(fd) {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const noexcept { return m_fd; }
  // Closes now, reporting close(2)'s result (write errors can surface here).
  int close() noexcept { return ::close(std::exchange(m_fd, -1)); }

 private:
  int m_fd;
};

std::string errno_text(int err) { return std::strerror(err); }

}  // namespace

// ---- the key holders ----

struct public_key::impl {
  record::algorithm alg = record::algorithm::unspecified;
  pkey_ptr key;
  mutable state_pool pool;

  static dnssec::public_key make(record::algorithm alg, pkey_ptr key) {
    auto holder = std::make_shared<impl>();
    holder->alg = alg;
    holder->key = std::move(key);
    dnssec::public_key out;
    out.m_alg = alg;
    out.m_impl = std::move(holder);
    return out;
  }

  enum class outcome { valid, invalid, failed };

  // `failed`: OpenSSL could not check (the reason is on the error queue).
  outcome check(op_state& st, std::string_view message, std::string_view signature) const {
    int rc = 0;
    if (alg == record::algorithm::ed25519 || alg == record::algorithm::sm2) {
      std::array<unsigned char, der_signature_max> der{};
      const unsigned char* sig = bytes(signature);
      std::size_t sig_len = signature.size();
      if (alg == record::algorithm::sm2) {
        sig_len = raw_to_der(signature, der);
        if (sig_len == 0) return outcome::failed;
        sig = der.data();
      }
      if (EVP_MD_CTX_copy_ex(st.work.get(), st.prepared.get()) != 1) return outcome::failed;
      rc = EVP_DigestVerify(st.work.get(), sig, sig_len, bytes(message), message.size());
    } else {
      std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
      unsigned int digest_len = 0;
      std::array<unsigned char, der_signature_max> der{};
      std::size_t der_len = raw_to_der(signature, der);
      if (der_len == 0 || EVP_DigestInit_ex2(st.work.get(), sha256(), nullptr) != 1 ||
          EVP_DigestUpdate(st.work.get(), message.data(), message.size()) != 1 ||
          EVP_DigestFinal_ex(st.work.get(), digest.data(), &digest_len) != 1) {
        return outcome::failed;
      }
      rc = EVP_PKEY_verify(st.pkey_ctx.get(), der.data(), der_len, digest.data(), digest_len);
    }
    // 0 is a bad signature; OpenSSL can also answer -1 for a malformed one (r or s out of range).
    return rc == 1 ? outcome::valid : outcome::invalid;
  }

  result<void> verify(std::string_view message, std::string_view signature) const {
    if (signature.size() != signature_size) {
      return make_error(
          fmt::format("signature has {} bytes, expected {}", signature.size(), signature_size));
    }
    auto st = pool.take();
    if (!st) st = make_state(key.get(), alg, operation::verify);
    outcome o = st ? check(*st, message, signature) : outcome::failed;
    if (o == outcome::failed) {
      return make_error(fmt::format("cannot check the {} signature: {}",
                                    algorithm_name(static_cast<std::uint32_t>(alg)),
                                    take_openssl_errors()));
    }
    // Why a signature is not valid stays on the queue (a bad encoding, r out of range);
    // it is no news and must not reach the next OpenSSL user on this thread.
    ERR_clear_error();
    pool.give(std::move(st));
    if (o == outcome::invalid) return make_error("signature does not verify");
    return {};
  }
};

struct private_key::impl {
  record::algorithm alg = record::algorithm::unspecified;
  pkey_ptr key;
  mutable state_pool pool;

  // A private_key holding `key`; throws when its public half cannot be read.
  static private_key make(record::algorithm alg, pkey_ptr key) {
    std::string pub = public_bytes(key.get(), alg);
    if (pub.empty()) throw_openssl("cannot read the public key");
    auto holder = std::make_shared<impl>();
    holder->alg = alg;
    holder->key = std::move(key);
    private_key out;
    out.m_alg = alg;
    out.m_public = std::move(pub);
    out.m_impl = std::move(holder);
    return out;
  }

  // r||s, R||S: the 64-byte wire form; throws on an OpenSSL failure.
  std::string sign_with(op_state& st, std::string_view message) const {
    std::string out(signature_size, '\0');
    if (alg == record::algorithm::ed25519) {
      std::size_t len = out.size();
      if (EVP_MD_CTX_copy_ex(st.work.get(), st.prepared.get()) != 1 ||
          EVP_DigestSign(st.work.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                         bytes(message), message.size()) != 1 ||
          len != signature_size) {
        throw_openssl("Ed25519 signing failed");
      }
      return out;
    }
    std::array<unsigned char, der_signature_max> der{};
    std::size_t der_len = der.size();
    if (alg == record::algorithm::sm2) {
      if (EVP_MD_CTX_copy_ex(st.work.get(), st.prepared.get()) != 1 ||
          EVP_DigestSign(st.work.get(), der.data(), &der_len, bytes(message), message.size()) !=
              1) {
        throw_openssl("SM2 signing failed");
      }
    } else {
      std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
      unsigned int digest_len = 0;
      if (EVP_DigestInit_ex2(st.work.get(), sha256(), nullptr) != 1 ||
          EVP_DigestUpdate(st.work.get(), message.data(), message.size()) != 1 ||
          EVP_DigestFinal_ex(st.work.get(), digest.data(), &digest_len) != 1 ||
          EVP_PKEY_sign(st.pkey_ctx.get(), der.data(), &der_len, digest.data(), digest_len) != 1) {
        throw_openssl("ECDSA P-256 signing failed");
      }
    }
    if (!der_to_raw(der.data(), der_len, out)) throw_openssl("cannot decode OpenSSL's signature");
    return out;
  }

  std::string sign(std::string_view message) const {
    auto st = pool.take();
    if (!st) st = make_state(key.get(), alg, operation::sign);
    if (!st) throw_openssl("cannot set up signing");
    std::string out = sign_with(*st, message);  // a state that failed is dropped, not pooled
    pool.give(std::move(st));
    return out;
  }
};

// ---- algorithms ----

bool is_supported(std::uint32_t alg) noexcept {
  return alg == static_cast<std::uint32_t>(record::algorithm::ed25519) ||
         alg == static_cast<std::uint32_t>(record::algorithm::p256) ||
         alg == static_cast<std::uint32_t>(record::algorithm::sm2);
}

// ---- public_key ----

result<public_key> public_key::from_wire(std::uint32_t alg_number, std::string_view key_bytes) {
  try {
    if (!is_supported(alg_number)) {
      return make_error(fmt::format("unsupported algorithm {}", algorithm_name(alg_number)));
    }
    auto alg = static_cast<record::algorithm>(alg_number);
    const std::string name = algorithm_name(alg_number);
    const std::size_t want = alg == record::algorithm::ed25519 ? ed25519_key_size : ec_public_size;
    if (key_bytes.size() != want) {
      return make_error(
          fmt::format("{} public key has {} bytes, expected {}", name, key_bytes.size(), want));
    }
    pkey_ptr key;
    if (alg == record::algorithm::ed25519) {
      if (!ed25519_on_curve(key_bytes)) {
        ERR_clear_error();
        return make_error("ed25519 public key is not a point on the curve");
      }
      key.reset(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytes(key_bytes),
                                               key_bytes.size()));
    } else {
      key = ec_public_from_wire(alg, key_bytes);
      if (!key) {
        ERR_clear_error();
        return make_error(fmt::format("{} public key (X||Y) is not a point on the curve", name));
      }
    }
    if (!key) {
      return make_error(fmt::format("cannot load {} public key: {}", name, take_openssl_errors()));
    }
    return impl::make(alg, std::move(key));
  } catch (const std::exception& e) {
    ERR_clear_error();
    return make_error(fmt::format("cannot load public key: {}", e.what()));
  }
}

result<void> public_key::verify(std::string_view message, std::string_view signature) const {
  if (!m_impl) return make_error("no public key");
  try {
    return m_impl->verify(message, signature);
  } catch (const std::exception& e) {
    ERR_clear_error();
    return make_error(fmt::format("signature not checked: {}", e.what()));
  }
}

// ---- private_key ----

private_key private_key::generate(record::algorithm alg) {
  const char* type = key_type(alg);
  if (type == nullptr) {
    throw std::invalid_argument(fmt::format("cannot generate a key for algorithm {}",
                                            algorithm_name(static_cast<std::uint32_t>(alg))));
  }
  pkey_ctx_ptr ctx{EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr)};
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) throw_openssl("cannot set up key generation");
  if (alg != record::algorithm::ed25519 &&
      EVP_PKEY_CTX_set_group_name(ctx.get(), group_name(alg)) != 1) {
    throw_openssl("cannot set up key generation");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) throw_openssl("key generation failed");
  return impl::make(alg, pkey_ptr{raw});
}

result<private_key> private_key::from_ed25519_seed(std::string_view seed) {
  if (seed.size() != ed25519_key_size) {
    return make_error(
        fmt::format("Ed25519 seed has {} bytes, expected {}", seed.size(), ed25519_key_size));
  }
  try {
    pkey_ptr key{
        EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, bytes(seed), seed.size())};
    if (!key) {
      return make_error(fmt::format("cannot load Ed25519 seed: {}", take_openssl_errors()));
    }
    return impl::make(record::algorithm::ed25519, std::move(key));
  } catch (const std::exception& e) {
    ERR_clear_error();
    return make_error(e.what());
  }
}

result<private_key> private_key::from_pem(std::string_view pem) {
  try {
    if (pem.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos ||
        pem.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos) {
      return make_error(
          "encrypted private keys are not supported (store it unencrypted, mode 0600)");
    }
    if (pem.size() > pem_size_max) {
      return make_error(fmt::format("PEM text has {} bytes, more than a key needs ({} at most)",
                                    pem.size(), pem_size_max));
    }
    bio_ptr bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
    if (!bio) return make_error(fmt::format("cannot read PEM: {}", take_openssl_errors()));
    pkey_ptr key{PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_password, nullptr)};
    if (!key && pem.find("-----BEGIN ") == std::string_view::npos) {
      ERR_clear_error();
      return make_error("not PEM: no -----BEGIN PRIVATE KEY----- line");
    }
    if (!key) {
      return make_error(
          fmt::format("cannot decode the PEM private key: {}", take_openssl_errors()));
    }
    auto alg = algorithm_of(key.get());
    if (!alg) {
      return make_error(
          fmt::format("the key is {}; cidns keys are ed25519, p256 (EC on curve prime256v1) or sm2",
                      describe(key.get())));
    }
    return impl::make(*alg, std::move(key));
  } catch (const std::exception& e) {
    ERR_clear_error();
    return make_error(e.what());
  }
}

result<private_key> private_key::load(const std::string& path) {
  try {
    unique_fd fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (fd.get() < 0) {
      return make_error(fmt::format("cannot open key file {}: {}", path, errno_text(errno)));
    }
    std::string text;
    std::array<char, 4096> buf{};
    for (;;) {
      ssize_t n = ::read(fd.get(), buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        OPENSSL_cleanse(text.data(), text.size());
        return make_error(fmt::format("cannot read key file {}: {}", path, errno_text(errno)));
      }
      if (n == 0) break;
      text.append(buf.data(), static_cast<std::size_t>(n));
      if (text.size() > pem_size_max) {
        OPENSSL_cleanse(text.data(), text.size());
        return make_error(fmt::format("key file {} is larger than {} bytes", path, pem_size_max));
      }
    }
    OPENSSL_cleanse(buf.data(), buf.size());
    auto key = from_pem(text);
    OPENSSL_cleanse(text.data(), text.size());
    if (!key) return make_error(fmt::format("key file {}: {}", path, key.err().message));
    return key;
  } catch (const std::exception& e) {
    ERR_clear_error();
    return make_error(fmt::format("key file {}: {}", path, e.what()));
  }
}

std::string private_key::to_pem() const {
  if (!m_impl) throw std::runtime_error("to_pem: no private key");
  // A secure-memory BIO: its buffer is wiped when freed.
  bio_ptr bio{BIO_new(BIO_s_secmem())};
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), m_impl->key.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    throw_openssl("cannot write the private key as PEM");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  if (len <= 0 || data == nullptr) throw_openssl("cannot write the private key as PEM");
  return std::string(data, static_cast<std::size_t>(len));
}

result<void> private_key::save(const std::string& path) const {
  std::string pem;
  try {
    pem = to_pem();
  } catch (const std::exception& e) {
    return make_error(fmt::format("cannot save key to {}: {}", path, e.what()));
  }
  auto saved = util::write_file_atomically(path, pem, 0600);
  OPENSSL_cleanse(pem.data(), pem.size());
  return saved;
}

dnssec::public_key private_key::public_key() const {
  if (!m_impl) throw std::runtime_error("public_key: no private key");
  auto pub = dnssec::public_key::from_wire(static_cast<std::uint32_t>(m_alg), m_public);
  if (!pub) throw std::runtime_error("cannot derive the public key: " + pub.err().message);
  return std::move(pub).value();
}

std::string private_key::sign(std::string_view message) const {
  if (!m_impl) throw std::runtime_error("sign: no private key");
  return m_impl->sign(message);
}

}  // namespace cidns::dnssec
