#include "storage/s3_options.h"

#include <map>

#include <gtest/gtest.h>

#include "storage/s3_uri.h"

namespace braid {
namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> Get() {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

TEST(S3OptionsTest, PropertiesWinOverEnvironmentWhichWinsOverDefaults) {
  FakeEnv env;
  auto defaults = S3Options::Resolve({}, env.Get());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->region, "us-east-1");
  EXPECT_EQ(defaults->endpoint, "");
  EXPECT_FALSE(defaults->path_style);

  env.vars = {{"AWS_DEFAULT_REGION", "eu-west-3"}, {"AWS_ENDPOINT_URL", "http://generic:1"},
              {"AWS_ACCESS_KEY_ID", "envkey"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"},
              {"AWS_SESSION_TOKEN", "envtoken"}};
  auto from_env = S3Options::Resolve({}, env.Get());
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->region, "eu-west-3");
  EXPECT_EQ(from_env->endpoint, "http://generic:1");
  EXPECT_TRUE(from_env->path_style);
  EXPECT_EQ(from_env->credentials.access_key_id, "envkey");
  EXPECT_EQ(from_env->credentials.session_token, "envtoken");

  env.vars["AWS_REGION"] = "eu-north-1";
  env.vars["AWS_ENDPOINT_URL_S3"] = "https://s3only:2/";
  auto specific = S3Options::Resolve({{"client.region", "ap-south-1"}}, env.Get());
  ASSERT_TRUE(specific.ok());
  EXPECT_EQ(specific->region, "ap-south-1");
  EXPECT_EQ(specific->endpoint, "https://s3only:2");

  auto props = S3Options::Resolve({{"s3.region", "us-west-2"}, {"client.region", "ap-south-1"},
                                   {"s3.endpoint", "http://127.0.0.1:9000"}, {"s3.path-style-access", "false"},
                                   {"s3.access-key-id", "pkey"}, {"s3.secret-access-key", "psecret"}},
                                  env.Get());
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->region, "us-west-2");
  EXPECT_EQ(props->endpoint, "http://127.0.0.1:9000");
  EXPECT_FALSE(props->path_style);
  EXPECT_EQ(props->credentials.access_key_id, "pkey");
  EXPECT_EQ(props->credentials.secret_access_key, "psecret");
  // Keys from the properties never mix with a session token from the environment.
  EXPECT_EQ(props->credentials.session_token, "");
}

TEST(S3OptionsTest, RejectsMalformedSettings) {
  FakeEnv env;
  EXPECT_EQ(S3Options::Resolve({{"s3.endpoint", "127.0.0.1:9000"}}, env.Get()).status().kind(),
            StatusKind::kInvalidArgument);
  EXPECT_EQ(S3Options::Resolve({{"s3.endpoint", "http://h:1/path"}}, env.Get()).status().kind(),
            StatusKind::kInvalidArgument);
  EXPECT_EQ(S3Options::Resolve({{"s3.path-style-access", "yes"}}, env.Get()).status().kind(),
            StatusKind::kInvalidArgument);
  EXPECT_EQ(S3Options::Resolve({{"s3.retry.num-retries", "-1"}}, env.Get()).status().kind(),
            StatusKind::kInvalidArgument);
  auto retry = S3Options::Resolve({{"s3.retry.num-retries", "0"}, {"s3.retry.min-wait-ms", "5"}}, env.Get());
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->retry.max_attempts, 1);
  EXPECT_EQ(retry->retry.base_delay.count(), 5);
  auto half = S3Options::Resolve({{"s3.access-key-id", "k"}}, env.Get());
  EXPECT_EQ(half.status().kind(), StatusKind::kInvalidArgument);
  EXPECT_NE(half.status().message().find("s3.secret-access-key"), std::string::npos);
}

TEST(S3OptionsTest, PathStyleAndVirtualHostAddressing) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:9000";
  o.path_style = true;
  S3Address a = o.AddressOf("bkt", "wh/ns t/x.json");
  EXPECT_EQ(a.url, "http://127.0.0.1:9000/bkt/wh/ns%20t/x.json");
  EXPECT_EQ(a.host, "127.0.0.1:9000");
  EXPECT_EQ(a.canonical_path, "/bkt/wh/ns%20t/x.json");
  EXPECT_EQ(o.AddressOf("bkt", "").canonical_path, "/bkt");

  S3Options aws;
  aws.region = "eu-west-1";
  S3Address v = aws.AddressOf("bkt", "k");
  EXPECT_EQ(v.url, "https://bkt.s3.eu-west-1.amazonaws.com/k");
  EXPECT_EQ(v.host, "bkt.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(v.canonical_path, "/k");
  EXPECT_EQ(aws.AddressOf("bkt", "").canonical_path, "/");
  // A dotted bucket cannot be a TLS host name: it stays path-style.
  EXPECT_EQ(aws.AddressOf("my.bkt", "k").url, "https://s3.eu-west-1.amazonaws.com/my.bkt/k");
  EXPECT_EQ(aws.EndpointName(), "https://s3.eu-west-1.amazonaws.com");
}

TEST(S3UriTest, ParsesSchemesAndKeepsTheOneGiven) {
  auto a = S3Uri::Parse("s3a://bkt/wh/t/x.parquet");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, "s3a");
  EXPECT_EQ(a->bucket, "bkt");
  EXPECT_EQ(a->key, "wh/t/x.parquet");
  EXPECT_EQ(a->ToString(), "s3a://bkt/wh/t/x.parquet");
  auto root = S3Uri::Parse("s3n://bkt");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->key, "");
  EXPECT_FALSE(S3Uri::Parse("s3:/bkt/x").ok());
  EXPECT_FALSE(S3Uri::Parse("s3:///x").ok());
  EXPECT_FALSE(S3Uri::Parse("gs://bkt/x").ok());
}

}  // namespace
}  // namespace braid
