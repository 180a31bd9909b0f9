// Unit tests for dnssec keys: RFC 8032 Ed25519 vectors, sign/verify round trips for every
// algorithm, wire-form checks, PEM files, and OpenSSL's own verifiers as a second opinion.
#include "cidns/dnssec/key.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using cidns::dnssec::algorithm_name;
using cidns::dnssec::is_supported;
using cidns::dnssec::parse_algorithm;
using cidns::dnssec::private_key;
using cidns::dnssec::public_key;
using cidns::record::algorithm;

namespace {

constexpr std::array all_algorithms{algorithm::ed25519, algorithm::p256, algorithm::sm2};

std::string unhex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    ADD_FAILURE() << "bad hex digit " << c;
    return 0;
  };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1])));
  }
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string flip_bit(std::string s, std::size_t bit) {
  s[bit / 8] = static_cast<char>(s[bit / 8] ^ (1 << (bit % 8)));
  return s;
}

std::string name(algorithm a) { return algorithm_name(static_cast<std::uint32_t>(a)); }

// A fresh folder under the system temp folder, removed at the end of the test.
class temp_folder {
 public:
  temp_folder() {
    std::string templ = (std::filesystem::temp_directory_path() / "cidns-key-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    m_path = templ;
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;
  ~temp_folder() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  std::string file(std::string_view name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

struct pkey_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
struct md_ctx_free {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct bio_free {
  void operator()(BIO* p) const { BIO_free(p); }
};

// The key as OpenSSL reads it back from our PEM: an independent verifier.
pkey_ptr openssl_key(const private_key& key) {
  std::string pem = key.to_pem();
  std::unique_ptr<BIO, bio_free> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))};
  return pkey_ptr{PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)};
}

std::string pem_of(EVP_PKEY* key) {
  std::unique_ptr<BIO, bio_free> bio{BIO_new(BIO_s_mem())};
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// r||s -> DER ECDSA-Sig-Value, as OpenSSL's verifiers want it.
std::string to_der(std::string_view raw) {
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

// OpenSSL's one-shot verification with a fresh context; `id` only for SM2 (nullptr: none set).
int openssl_verify(EVP_PKEY* key, const char* md, const char* id, std::string_view message,
                   std::string_view der) {
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestVerifyInit_ex(ctx.get(), &pctx, md, nullptr, nullptr, key, nullptr) != 1) {
    return -1;
  }
  if (id != nullptr && EVP_PKEY_CTX_set1_id(pctx, id, static_cast<int>(std::strlen(id))) <= 0) {
    return -1;
  }
  int rc =
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size());
  ERR_clear_error();
  return rc;
}

// RFC 8032 §7.1 test vectors (hex).
struct ed25519_vector {
  const char* name;
  const char* seed;
  const char* public_key;
  std::string message;
  const char* signature;
};

// TEST 1024: a 1023-byte message.
const char* const test1024_message =
    "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f54e9f77"
    "b1"
    "e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b2032"
    "9d"
    "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efcb8550ee3a5e1998bd177e9"
    "3a"
    "7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a3655"
    "3e"
    "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbefefd75499da96bd68a8a97b928a8bbc"
    "10"
    "3b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7e"
    "d1"
    "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb3"
    "9d"
    "502f1a8c6eb6f1ce22b3de1a1f40cc24554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f2"
    "70"
    "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d908"
    "9b"
    "eccf80cfe2df16a2cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128"
    "ba"
    "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af896"
    "9b"
    "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acd"
    "b7"
    "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb038dda0847dd98"
    "8d"
    "cda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34"
    "df"
    "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08d78ff4ef5d63653a65040cf9bfd4ac"
    "a7"
    "984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49"
    "e4"
    "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac"
    "09"
    "43bf6686b64b2579376504ccc493d97e6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc"
    "5f"
    "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1"
    "61"
    "0e4eafe595f6d9d90d11faa933a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb6860693738"
    "0d"
    "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8"
    "ca"
    "c60c905c15fc910840b94c00a0b9d0";

std::vector<ed25519_vector> rfc8032_vectors() {
  return {
      {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf"
       "9b"
       "46bd25bf5f0595bbe24655141438e7a100b"},
      {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", unhex("72"),
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f"
       "11"
       "d8c387b2eaeb4302aeeb00d291612bb0c00"},
      {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
       "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", unhex("af82"),
       "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984"
       "dc"
       "6594a7c15e9716ed28dc027beceea1ec40a"},
      {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
       "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e", unhex(test1024_message),
       "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23c43"
       "6d"
       "94b5e8fcd4f681e30a6ac00a9704a188a03"},
  };
}

}  // namespace

TEST(KeyAlgorithm, ParseNameSupported) {
  EXPECT_EQ(parse_algorithm("ed25519"), algorithm::ed25519);
  EXPECT_EQ(parse_algorithm("ED25519"), algorithm::ed25519);
  EXPECT_EQ(parse_algorithm("P256"), algorithm::p256);
  EXPECT_EQ(parse_algorithm("Sm2"), algorithm::sm2);
  EXPECT_EQ(parse_algorithm(""), std::nullopt);
  EXPECT_EQ(parse_algorithm("p384"), std::nullopt);
  EXPECT_EQ(parse_algorithm("ed25519 "), std::nullopt);
  EXPECT_EQ(algorithm_name(1), "ed25519");
  EXPECT_EQ(algorithm_name(2), "p256");
  EXPECT_EQ(algorithm_name(3), "sm2");
  EXPECT_EQ(algorithm_name(0), "ALG0");
  EXPECT_EQ(algorithm_name(200), "ALG200");
  EXPECT_FALSE(is_supported(0));
  EXPECT_TRUE(is_supported(1));
  EXPECT_TRUE(is_supported(2));
  EXPECT_TRUE(is_supported(3));
  EXPECT_FALSE(is_supported(4));
}

TEST(KeyEd25519, Rfc8032Vectors) {
  for (const auto& v : rfc8032_vectors()) {
    SCOPED_TRACE(v.name);
    auto key = private_key::from_ed25519_seed(unhex(v.seed));
    ASSERT_TRUE(key.ok()) << key.err().message;
    EXPECT_EQ(key->algorithm(), algorithm::ed25519);
    EXPECT_EQ(hex(key->public_key_bytes()), v.public_key);
    const std::string sig = key->sign(v.message);
    EXPECT_EQ(hex(sig), v.signature);

    auto pub = public_key::from_wire(1, unhex(v.public_key));
    ASSERT_TRUE(pub.ok()) << pub.err().message;
    EXPECT_TRUE(pub->verify(v.message, unhex(v.signature)).ok());
    for (std::size_t bit : {0, 7, 255, 256, 300, 511}) {
      auto bad = pub->verify(v.message, flip_bit(unhex(v.signature), bit));
      ASSERT_FALSE(bad.ok()) << "bit " << bit;
      EXPECT_EQ(bad.err().message, "signature does not verify");
    }
    if (!v.message.empty()) {
      EXPECT_FALSE(pub->verify(flip_bit(v.message, 0), sig).ok());
    }
  }
  EXPECT_EQ(unhex(test1024_message).size(), 1023U);
}

TEST(KeyEd25519, SeedLength) {
  auto key = private_key::from_ed25519_seed(std::string(31, 'x'));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.err().message, "Ed25519 seed has 31 bytes, expected 32");
}

TEST(KeyRoundTrip, SignVerifyEveryAlgorithm) {
  const std::string message = "cidns signed data: DESC r0.pool0.provx.cn-north.";
  for (algorithm alg : all_algorithms) {
    SCOPED_TRACE(name(alg));
    auto key = private_key::generate(alg);
    EXPECT_EQ(key.algorithm(), alg);
    EXPECT_EQ(key.public_key_bytes().size(), alg == algorithm::ed25519 ? 32U : 64U);
    const std::string sig = key.sign(message);
    EXPECT_EQ(sig.size(), 64U);
    auto pub = public_key::from_wire(static_cast<std::uint32_t>(alg), key.public_key_bytes());
    ASSERT_TRUE(pub.ok()) << pub.err().message;
    EXPECT_EQ(pub->algorithm(), alg);
    auto ok = pub->verify(message, sig);
    EXPECT_TRUE(ok.ok()) << ok.err().message;
    EXPECT_TRUE(key.public_key().verify(message, sig).ok());
    EXPECT_TRUE(pub->verify("", key.sign("")).ok());
    // A big message goes through the same paths.
    const std::string big(100000, 'z');
    EXPECT_TRUE(pub->verify(big, key.sign(big)).ok());

    auto tampered = pub->verify(flip_bit(message, 9), sig);
    ASSERT_FALSE(tampered.ok());
    EXPECT_EQ(tampered.err().message, "signature does not verify");
    EXPECT_FALSE(pub->verify(message, flip_bit(sig, 3)).ok());
    EXPECT_FALSE(pub->verify(message, flip_bit(sig, 300)).ok());
    EXPECT_FALSE(pub->verify(message, std::string(64, '\0')).ok());
    EXPECT_FALSE(pub->verify(message, std::string(64, '\xff')).ok());

    auto other = private_key::generate(alg);
    EXPECT_FALSE(other.public_key().verify(message, sig).ok()) << "wrong key";
    EXPECT_NE(other.public_key_bytes(), key.public_key_bytes());

    auto short_sig = pub->verify(message, sig.substr(0, 63));
    ASSERT_FALSE(short_sig.ok());
    EXPECT_EQ(short_sig.err().message, "signature has 63 bytes, expected 64");
    EXPECT_FALSE(pub->verify(message, sig + "x").ok());
    EXPECT_FALSE(pub->verify(message, "").ok());
    // No error may be left behind for the next OpenSSL user on this thread.
    EXPECT_EQ(ERR_peek_error(), 0UL);
  }
}

TEST(KeyRoundTrip, CopiesShareTheKey) {
  auto key = private_key::generate(algorithm::p256);
  private_key copy = key;
  EXPECT_EQ(copy.public_key_bytes(), key.public_key_bytes());
  EXPECT_TRUE(key.public_key().verify("m", copy.sign("m")).ok());
}

TEST(KeyRoundTrip, EcdsaAndSm2AreRandomized) {
  for (algorithm alg : {algorithm::p256, algorithm::sm2}) {
    auto key = private_key::generate(alg);
    EXPECT_NE(key.sign("same"), key.sign("same")) << name(alg);
  }
  auto ed = private_key::generate(algorithm::ed25519);
  EXPECT_EQ(ed.sign("same"), ed.sign("same"));
}

TEST(KeyRoundTrip, CrossAlgorithmRejected) {
  const std::string message = "cross";
  std::vector<private_key> keys;
  for (algorithm alg : all_algorithms) keys.push_back(private_key::generate(alg));
  for (const auto& signer : keys) {
    const std::string sig = signer.sign(message);
    for (const auto& verifier : keys) {
      if (verifier.algorithm() == signer.algorithm()) continue;
      SCOPED_TRACE(name(signer.algorithm()) + " signature, " + name(verifier.algorithm()) + " key");
      EXPECT_FALSE(verifier.public_key().verify(message, sig).ok());
      // The signer's key bytes read as the other algorithm: refused or not verifying.
      auto pub = public_key::from_wire(static_cast<std::uint32_t>(verifier.algorithm()),
                                       signer.public_key_bytes());
      if (pub.ok()) {
        EXPECT_FALSE(pub->verify(message, sig).ok());
      }
    }
  }
  // A P-256 point is (almost surely) not on the SM2 curve, and the other way round.
  auto p256_as_sm2 = public_key::from_wire(3, keys[1].public_key_bytes());
  ASSERT_FALSE(p256_as_sm2.ok());
  EXPECT_EQ(p256_as_sm2.err().message, "sm2 public key (X||Y) is not a point on the curve");
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(KeyWire, BadLengthsAndAlgorithms) {
  for (std::size_t len : {0, 31, 33, 64}) {
    auto r = public_key::from_wire(1, std::string(len, '\x01'));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.err().message,
              "ed25519 public key has " + std::to_string(len) + " bytes, expected 32");
  }
  for (std::uint32_t alg : {2U, 3U}) {
    for (std::size_t len : {0, 32, 63, 65}) {
      auto r = public_key::from_wire(alg, std::string(len, '\x01'));
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.err().message, algorithm_name(alg) + " public key has " + std::to_string(len) +
                                     " bytes, expected 64");
    }
  }
  auto none = public_key::from_wire(0, std::string(32, '\x01'));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.err().message, "unsupported algorithm ALG0");
  auto future = public_key::from_wire(99, std::string(32, '\x01'));
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.err().message, "unsupported algorithm ALG99");
}

TEST(KeyWire, PointsNotOnTheCurve) {
  // (1, 1) is on neither P-256 nor the SM2 curve; nor is (0, 0).
  const std::string one_one = std::string(31, '\0') + '\x01' + std::string(31, '\0') + '\x01';
  for (std::uint32_t alg : {2U, 3U}) {
    for (const std::string& xy : {one_one, std::string(64, '\0')}) {
      auto r = public_key::from_wire(alg, xy);
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.err().message,
                algorithm_name(alg) + " public key (X||Y) is not a point on the curve");
    }
  }
  // A valid key with its Y changed is off the curve.
  auto key = private_key::generate(algorithm::p256);
  auto r = public_key::from_wire(2, flip_bit(key.public_key_bytes(), 8 * 63));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "p256 public key (X||Y) is not a point on the curve");

  // Ed25519: y = 2 gives x^2 = 3 / (4d + 1), not a square mod p; y = 3 is a point.
  std::string y2(32, '\0');
  y2[0] = 2;
  auto ed = public_key::from_wire(1, y2);
  ASSERT_FALSE(ed.ok());
  EXPECT_EQ(ed.err().message, "ed25519 public key is not a point on the curve");
  std::string y3(32, '\0');
  y3[0] = 3;
  EXPECT_TRUE(public_key::from_wire(1, y3).ok());
  // y >= p (here 2^255 - 1) is not a canonical encoding.
  std::string big(32, '\xff');
  big[31] = '\x7f';
  EXPECT_FALSE(public_key::from_wire(1, big).ok());
  // y = 1 has x = 0, which has no negative: the sign bit must be clear.
  std::string one(32, '\0');
  one[0] = 1;
  EXPECT_TRUE(public_key::from_wire(1, one).ok());
  one[31] = '\x80';
  EXPECT_FALSE(public_key::from_wire(1, one).ok());
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(KeyWire, EmptyObjects) {
  public_key pub;
  auto r = pub.verify("m", std::string(64, '\0'));
  EXPECT_FALSE(r.ok());
  private_key key;
  EXPECT_THROW((void)key.sign("m"), std::runtime_error);
  EXPECT_THROW((void)key.to_pem(), std::runtime_error);
}

// Our r||s signatures checked by OpenSSL itself (fresh contexts, DER), and SM2's ID.
TEST(KeyInterop, OpenSslVerifiesOurSignatures) {
  const std::string message(200, 'm');
  auto p256 = private_key::generate(algorithm::p256);
  auto p256_key = openssl_key(p256);
  ASSERT_TRUE(p256_key);
  EXPECT_EQ(openssl_verify(p256_key.get(), "SHA256", nullptr, message, to_der(p256.sign(message))),
            1);

  auto sm2 = private_key::generate(algorithm::sm2);
  auto sm2_key = openssl_key(sm2);
  ASSERT_TRUE(sm2_key);
  EXPECT_TRUE(EVP_PKEY_is_a(sm2_key.get(), "SM2"));
  const std::string der = to_der(sm2.sign(message));
  EXPECT_EQ(openssl_verify(sm2_key.get(), "SM3", "1234567812345678", message, der), 1);
  // OpenSSL 3.0 does not apply the GB/T default ID by itself: without it, no match.
  EXPECT_NE(openssl_verify(sm2_key.get(), "SM3", nullptr, message, der), 1);
  EXPECT_NE(openssl_verify(sm2_key.get(), "SM3", "", message, der), 1);
  EXPECT_NE(openssl_verify(sm2_key.get(), "SM3", "1234567812345679", message, der), 1);
  // And the way back: OpenSSL's own SM2 signature (fresh context, ID set) verifies with us.
  std::unique_ptr<EVP_MD_CTX, md_ctx_free> ctx{EVP_MD_CTX_new()};
  EVP_PKEY_CTX* pctx = nullptr;
  ASSERT_EQ(
      EVP_DigestSignInit_ex(ctx.get(), &pctx, "SM3", nullptr, nullptr, sm2_key.get(), nullptr), 1);
  ASSERT_GT(EVP_PKEY_CTX_set1_id(pctx, "1234567812345678", 16), 0);
  std::array<unsigned char, 80> out{};
  std::size_t out_len = out.size();
  ASSERT_EQ(EVP_DigestSign(ctx.get(), out.data(), &out_len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  const unsigned char* p = out.data();
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(out_len));
  ASSERT_NE(sig, nullptr);
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  auto ok = sm2.public_key().verify(message, raw);
  EXPECT_TRUE(ok.ok()) << ok.err().message;
}

TEST(KeyPem, RoundTripEveryAlgorithm) {
  for (algorithm alg : all_algorithms) {
    SCOPED_TRACE(name(alg));
    auto key = private_key::generate(alg);
    const std::string pem = key.to_pem();
    EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0U) << pem;
    auto back = private_key::from_pem(pem);
    ASSERT_TRUE(back.ok()) << back.err().message;
    EXPECT_EQ(back->algorithm(), alg);
    EXPECT_EQ(back->public_key_bytes(), key.public_key_bytes());
    EXPECT_TRUE(key.public_key().verify("m", back->sign("m")).ok());
  }
}

TEST(KeyPem, SaveLoad) {
  temp_folder dir;
  for (algorithm alg : all_algorithms) {
    SCOPED_TRACE(name(alg));
    const std::string path = dir.file(name(alg) + ".private");
    auto key = private_key::generate(alg);
    auto saved = key.save(path);
    ASSERT_TRUE(saved.ok()) << saved.err().message;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600U);
    auto loaded = private_key::load(path);
    ASSERT_TRUE(loaded.ok()) << loaded.err().message;
    EXPECT_EQ(loaded->public_key_bytes(), key.public_key_bytes());
    EXPECT_TRUE(key.public_key().verify("after load", loaded->sign("after load")).ok());
  }
  // Saving over an existing, world-readable file replaces it with a 0600 one.
  const std::string path = dir.file("existing.private");
  write_file(path, "old");
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto key = private_key::generate(algorithm::ed25519);
  ASSERT_TRUE(key.save(path).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
  EXPECT_EQ(private_key::load(path)->public_key_bytes(), key.public_key_bytes());
  // No temporary files are left behind.
  std::size_t files = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(path).parent_path())) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
    ++files;
  }
  EXPECT_EQ(files, 4U);
}

TEST(KeyPem, SaveErrorsNameThePath) {
  temp_folder dir;
  const std::string path = dir.file("no-such-folder/k.private");
  auto r = private_key::generate(algorithm::ed25519).save(path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.err().message.find(path), std::string::npos) << r.err().message;
  EXPECT_NE(r.err().message.find("No such file or directory"), std::string::npos)
      << r.err().message;
}

TEST(KeyPem, LoadErrors) {
  temp_folder dir;
  const std::string missing = dir.file("missing.private");
  auto r = private_key::load(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "cannot open key file " + missing + ": No such file or directory");

  const std::string garbage = dir.file("garbage.private");
  write_file(garbage, "this is not a key\n\x01\x02\x03");
  r = private_key::load(garbage);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message,
            "key file " + garbage + ": not PEM: no -----BEGIN PRIVATE KEY----- line");

  // A broken PEM body.
  const std::string broken = dir.file("broken.private");
  write_file(broken, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  r = private_key::load(broken);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(
      r.err().message.rfind("key file " + broken + ": cannot decode the PEM private key: ", 0), 0U)
      << r.err().message;
  // A public key is not a private key.
  auto only_public = private_key::from_pem(
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
      "-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(only_public.ok());
  EXPECT_EQ(only_public.err().message.rfind("cannot decode the PEM private key", 0), 0U)
      << only_public.err().message;

  // An RSA key, made here with EVP.
  const std::string rsa = dir.file("rsa.private");
  pkey_ptr rsa_key{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(2048))};
  ASSERT_TRUE(rsa_key);
  write_file(rsa, pem_of(rsa_key.get()));
  r = private_key::load(rsa);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.err().message, "key file " + rsa +
                                 ": the key is RSA (2048 bits); cidns keys are ed25519, p256 (EC "
                                 "on curve prime256v1) or sm2");

  // An EC key on another curve.
  pkey_ptr p384{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "secp384r1")};
  ASSERT_TRUE(p384);
  auto pr = private_key::from_pem(pem_of(p384.get()));
  ASSERT_FALSE(pr.ok());
  EXPECT_NE(pr.err().message.find("the key is EC on curve secp384r1;"), std::string::npos)
      << pr.err().message;

  // Encrypted keys are refused without asking for a password.
  auto enc = private_key::from_pem(
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
  ASSERT_FALSE(enc.ok());
  EXPECT_NE(enc.err().message.find("encrypted"), std::string::npos);
  EXPECT_EQ(ERR_peek_error(), 0UL);
}

TEST(KeyConcurrency, SharedKeyAcrossThreads) {
  for (algorithm alg : all_algorithms) {
    SCOPED_TRACE(name(alg));
    const auto key = private_key::generate(alg);
    const auto pub = key.public_key();
    std::atomic<int> verified{0};
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) {
          const std::string message =
              "thread " + std::to_string(t) + " message " + std::to_string(i);
          const std::string sig = key.sign(message);
          if (pub.verify(message, sig).ok() && !pub.verify(message + "!", sig).ok()) {
            ++verified;
          } else {
            ++failed;
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(verified.load(), 800);
    EXPECT_EQ(failed.load(), 0);
  }
}
