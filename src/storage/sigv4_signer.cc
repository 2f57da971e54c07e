#include "storage/sigv4_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <ctime>

#include <fmt/format.h>

namespace braid {
namespace {

std::string Hex(const unsigned char* data, size_t size) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<char*>(out), size);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Header values are trimmed and inner runs of spaces collapsed to one.
std::string TrimValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SortedHeaders(const SigV4Request& request) {
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) headers.emplace_back(Lower(name), TrimValue(value));
  std::sort(headers.begin(), headers.end());
  return headers;
}

std::string SigningKey(const std::string& secret, const std::string& date, const std::string& region,
                       const std::string& service) {
  std::string k = Hmac("AWS4" + secret, date);
  k = Hmac(k, region);
  k = Hmac(k, service);
  return Hmac(k, "aws4_request");
}

}  // namespace

std::string SigV4Signer::UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string SigV4Signer::Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

std::string SigV4Signer::CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query) encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

std::string SigV4Signer::SignedHeaders(const SigV4Request& request) {
  std::string out;
  for (const auto& [name, value] : SortedHeaders(request)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string SigV4Signer::CanonicalRequest(const SigV4Request& request) {
  std::string headers;
  for (const auto& [name, value] : SortedHeaders(request)) headers += name + ":" + value + "\n";
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method,
                     request.canonical_path.empty() ? "/" : request.canonical_path,
                     CanonicalQuery(request.query), headers, SignedHeaders(request),
                     request.payload_sha256);
}

std::string SigV4Signer::StringToSign(const std::string& canonical_request, const std::string& amz_date,
                                      const std::string& region, const std::string& service) {
  return fmt::format("AWS4-HMAC-SHA256\n{}\n{}/{}/{}/aws4_request\n{}", amz_date, amz_date.substr(0, 8),
                     region, service, Sha256Hex(canonical_request));
}

std::string SigV4Signer::SigningKeyHex(const std::string& secret, const std::string& date,
                                       const std::string& region, const std::string& service) {
  std::string key = SigningKey(secret, date, region, service);
  return Hex(reinterpret_cast<const unsigned char*>(key.data()), key.size());
}

std::string SigV4Signer::Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                                       const std::string& amz_date, const std::string& region,
                                       const std::string& service) {
  std::string date = amz_date.substr(0, 8);
  std::string to_sign = StringToSign(CanonicalRequest(request), amz_date, region, service);
  std::string sig = Hmac(SigningKey(credentials.secret_access_key, date, region, service), to_sign);
  return fmt::format("AWS4-HMAC-SHA256 Credential={}/{}/{}/{}/aws4_request, SignedHeaders={}, Signature={}",
                     credentials.access_key_id, date, region, service, SignedHeaders(request),
                     Hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size()));
}

std::string SigV4Signer::AmzDate(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace braid
