#include "storage/s3_options.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

namespace braid {
namespace {

std::string First(const std::map<std::string, std::string>& properties, std::initializer_list<const char*> names,
                  const std::function<const char*(const char*)>& getenv,
                  std::initializer_list<const char*> env_names) {
  for (const char* name : names) {
    auto it = properties.find(name);
    if (it != properties.end() && !it->second.empty()) return it->second;
  }
  for (const char* name : env_names) {
    const char* value = getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "";
}

}  // namespace

Result<S3Options> S3Options::Resolve(const std::map<std::string, std::string>& properties,
                                     const std::function<const char*(const char*)>& getenv) {
  S3Options o;
  o.endpoint = First(properties, {"s3.endpoint"}, getenv, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  while (!o.endpoint.empty() && o.endpoint.back() == '/') o.endpoint.pop_back();
  if (!o.endpoint.empty() && !o.endpoint.starts_with("http://") && !o.endpoint.starts_with("https://")) {
    return Status::InvalidArgument(fmt::format(
        "s3.endpoint \"{}\" must start with http:// or https://", o.endpoint));
  }
  if (!o.endpoint.empty() && o.endpoint.find('/', o.endpoint.find("://") + 3) != std::string::npos) {
    return Status::InvalidArgument(fmt::format(
        "s3.endpoint \"{}\" must be scheme://host[:port] without a path", o.endpoint));
  }
  std::string region = First(properties, {"s3.region", "client.region"}, getenv,
                             {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (!region.empty()) o.region = region;

  o.path_style = !o.endpoint.empty();
  auto style = properties.find("s3.path-style-access");
  if (style != properties.end()) {
    if (style->second == "true") {
      o.path_style = true;
    } else if (style->second == "false") {
      o.path_style = false;
    } else {
      return Status::InvalidArgument(fmt::format(
          "s3.path-style-access is \"{}\": write true or false", style->second));
    }
  }

  // Iceberg's S3FileIO retry properties.
  struct { const char* name; int64_t min; int64_t max; } knobs[] = {
      {"s3.retry.num-retries", 0, 100}, {"s3.retry.min-wait-ms", 0, 600000}, {"s3.retry.max-wait-ms", 0, 600000}};
  int64_t values[3] = {o.retry.max_attempts - 1, o.retry.base_delay.count(), o.retry.max_delay.count()};
  for (int i = 0; i < 3; ++i) {
    auto it = properties.find(knobs[i].name);
    if (it == properties.end()) continue;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || end != it->second.data() + it->second.size() || v < knobs[i].min || v > knobs[i].max) {
      return Status::InvalidArgument(fmt::format("{} is \"{}\": write a whole number from {} to {}", knobs[i].name,
                                                 it->second, knobs[i].min, knobs[i].max));
    }
    values[i] = v;
  }
  o.retry.max_attempts = static_cast<int>(values[0]) + 1;
  o.retry.base_delay = std::chrono::milliseconds(values[1]);
  o.retry.max_delay = std::chrono::milliseconds(values[2]);

  // Credentials come as a set from one source: properties if they name a key, else environment.
  auto key = properties.find("s3.access-key-id");
  if (key != properties.end() && !key->second.empty()) {
    o.credentials.access_key_id = key->second;
    auto secret = properties.find("s3.secret-access-key");
    if (secret != properties.end()) o.credentials.secret_access_key = secret->second;
    auto token = properties.find("s3.session-token");
    if (token != properties.end()) o.credentials.session_token = token->second;
  } else {
    o.credentials.access_key_id = First({}, {}, getenv, {"AWS_ACCESS_KEY_ID"});
    o.credentials.secret_access_key = First({}, {}, getenv, {"AWS_SECRET_ACCESS_KEY"});
    o.credentials.session_token = First({}, {}, getenv, {"AWS_SESSION_TOKEN"});
  }
  if (o.credentials.access_key_id.empty() != o.credentials.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "S3 credentials are incomplete: set both s3.access-key-id and s3.secret-access-key "
        "(or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)");
  }
  return o;
}

const std::vector<std::string>& S3Options::PropertyNames() {
  static const std::vector<std::string> names{
      "client.region",         "s3.access-key-id",     "s3.endpoint",          "s3.path-style-access",
      "s3.region",             "s3.retry.max-wait-ms", "s3.retry.min-wait-ms", "s3.retry.num-retries",
      "s3.secret-access-key",  "s3.session-token"};
  return names;
}

S3Address S3Options::AddressOf(const std::string& bucket, const std::string& key) const {
  std::string scheme = "https";
  std::string host;
  if (endpoint.empty()) {
    host = fmt::format("s3.{}.amazonaws.com", region);
  } else {
    size_t sep = endpoint.find("://");
    scheme = endpoint.substr(0, sep);
    host = endpoint.substr(sep + 3);
  }
  std::string encoded_key = SigV4Signer::UriEncode(key, true);
  // Dotted bucket names do not fit a TLS wildcard certificate: they stay path-style.
  bool virtual_host = !path_style && bucket.find('.') == std::string::npos;
  S3Address a;
  if (virtual_host) {
    a.host = bucket + "." + host;
    a.canonical_path = "/" + encoded_key;
  } else {
    a.host = host;
    a.canonical_path = "/" + bucket + (key.empty() ? std::string() : "/" + encoded_key);
  }
  a.url = fmt::format("{}://{}{}", scheme, a.host, a.canonical_path);
  return a;
}

std::string S3Options::EndpointName() const {
  return endpoint.empty() ? fmt::format("https://s3.{}.amazonaws.com", region) : endpoint;
}

}  // namespace braid
