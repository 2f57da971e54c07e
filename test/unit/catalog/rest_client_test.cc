#include "catalog/rest_client.h"

#include <gtest/gtest.h>

#include <deque>

namespace braid {
namespace {

using namespace std::chrono_literals;

// Answers from a script, records what was sent.
class ScriptedTransport final : public HttpTransport {
 public:
  std::deque<Result<RestHttpResponse>> script;
  std::vector<RestHttpRequest> sent;
  Result<RestHttpResponse> Send(const RestHttpRequest& r) override {
    sent.push_back(r);
    if (script.empty()) return RestHttpResponse{200, "{}"};
    Result<RestHttpResponse> next = script.front();
    script.pop_front();
    return next;
  }
};

struct Fixture {
  std::shared_ptr<ScriptedTransport> t = std::make_shared<ScriptedTransport>();
  std::chrono::steady_clock::time_point now{};
  std::vector<std::chrono::milliseconds> sleeps;
  RestClientOptions Options() {
    RestClientOptions o;
    o.uri = "http://cat:8181/";
    o.now = [this] { return now; };
    o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    return o;
  }
};

TEST(RestClientTest, StaticTokenAndExtraHeadersAreSent) {
  Fixture f;
  RestClientOptions o = f.Options();
  o.token = "tok-1";
  o.headers = {{"X-Tenant", "blue"}};
  RestClient c(o, f.t);
  ASSERT_TRUE(c.Call("GET", "/v1/config", nullptr, true).ok());
  ASSERT_EQ(f.t->sent.size(), 1u);
  EXPECT_EQ(f.t->sent[0].url, "http://cat:8181/v1/config");
  EXPECT_EQ(f.t->sent[0].headers["Authorization"], "Bearer tok-1");
  EXPECT_EQ(f.t->sent[0].headers["X-Tenant"], "blue");
}

TEST(RestClientTest, ClientCredentialsFetchATokenAndRefreshItBeforeExpiry) {
  Fixture f;
  RestClientOptions o = f.Options();
  o.credential = "client-a:sec ret";
  RestClient c(o, f.t);
  f.t->script = {RestHttpResponse{200, R"({"access_token":"T1","token_type":"bearer","expires_in":3600})"},
                 RestHttpResponse{200, "{}"}, RestHttpResponse{200, "{}"},
                 RestHttpResponse{200, R"({"access_token":"T2","token_type":"bearer","expires_in":3600})"},
                 RestHttpResponse{200, "{}"}};
  ASSERT_TRUE(c.Call("GET", "/v1/config", nullptr, true).ok());
  ASSERT_EQ(f.t->sent.size(), 2u);
  const RestHttpRequest& token = f.t->sent[0];
  EXPECT_EQ(token.method, "POST");
  EXPECT_EQ(token.url, "http://cat:8181/v1/oauth/tokens");
  EXPECT_EQ(token.headers.at("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(token.body, "grant_type=client_credentials&client_id=client-a&client_secret=sec%20ret&scope=catalog");
  EXPECT_EQ(f.t->sent[1].headers["Authorization"], "Bearer T1");

  f.now += 3500s;  // within a minute of expiry: still T1 until the refresh point (3540 s)
  ASSERT_TRUE(c.Call("GET", "/v1/config", nullptr, true).ok());
  EXPECT_EQ(f.t->sent[2].headers["Authorization"], "Bearer T1");
  f.now += 41s;
  ASSERT_TRUE(c.Call("GET", "/v1/config", nullptr, true).ok());
  ASSERT_EQ(f.t->sent.size(), 5u);
  EXPECT_EQ(f.t->sent[3].url, "http://cat:8181/v1/oauth/tokens");
  EXPECT_EQ(f.t->sent[4].headers["Authorization"], "Bearer T2");
}

TEST(RestClientTest, RefusedCredentialsSayWhatToCheckWithoutTheSecret) {
  Fixture f;
  RestClientOptions o = f.Options();
  o.credential = "id:topsecret";
  o.oauth2_server_uri = "http://idp:9000/token";
  o.scope = "PRINCIPAL_ROLE:ALL";
  RestClient c(o, f.t);
  f.t->script = {RestHttpResponse{401, R"({"error":"invalid_client","error_description":"bad client"})"}};
  auto r = c.Call("GET", "/v1/config", nullptr, true);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(f.t->sent[0].url, "http://idp:9000/token");
  EXPECT_NE(f.t->sent[0].body.find("scope=PRINCIPAL_ROLE%3AALL"), std::string::npos);
  EXPECT_NE(r.status().message().find("bad client"), std::string::npos);
  EXPECT_NE(r.status().message().find("credential"), std::string::npos);
  EXPECT_EQ(r.status().message().find("topsecret"), std::string::npos) << r.status().message();
}

TEST(RestClientTest, IdempotentRequestsRetry503AndTransitFailuresWithGrowingBackoff) {
  Fixture f;
  RestClient c(f.Options(), f.t);
  f.t->script = {RestHttpResponse{503, ""}, Status::IoError("reset", true), RestHttpResponse{429, ""},
                 RestHttpResponse{200, R"({"x":1})"}};
  auto r = c.Call("GET", "/v1/x", nullptr, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body["x"], 1);
  EXPECT_EQ(f.t->sent.size(), 4u);
  ASSERT_EQ(f.sleeps.size(), 3u);
  EXPECT_GE(f.sleeps[0], 100ms);
  EXPECT_LE(f.sleeps[0], 200ms);
  EXPECT_GE(f.sleeps[2], 400ms);
  EXPECT_LE(f.sleeps[2], 800ms);
}

// A busy or restarting backend answers a load with 500:
// a GET is repeated, not turned into a failed run.
TEST(RestClientTest, IdempotentRequestsRetryServerErrors) {
  Fixture f;
  RestClient c(f.Options(), f.t);
  f.t->script = {RestHttpResponse{500, R"({"error":{"message":"Failed to get table","code":500}})"},
                 RestHttpResponse{502, ""}, RestHttpResponse{504, ""}, RestHttpResponse{200, R"({"x":2})"}};
  auto r = c.Call("GET", "/v1/x", nullptr, true);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(f.t->sent.size(), 4u);
  // A commit (not idempotent) answered 500 is returned as it is: the caller reconciles.
  f.t->script = {RestHttpResponse{500, ""}};
  auto commit = c.Call("POST", "/v1/t", nlohmann::json::object(), false);
  ASSERT_TRUE(commit.ok());
  EXPECT_EQ(commit->status, 500);
  EXPECT_EQ(f.t->sent.size(), 5u);
}

TEST(RestClientTest, NonIdempotentRequestsRetryOnlyWhatNeverLeft) {
  Fixture f;
  RestClient c(f.Options(), f.t);
  f.t->script = {RestHttpResponse{503, ""}};
  auto r = c.Call("POST", "/v1/t", nlohmann::json::object(), false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(f.t->sent.size(), 1u);

  f.t->script = {Status::IoError("timed out", true)};
  EXPECT_EQ(c.Call("POST", "/v1/t", nlohmann::json::object(), false).status().kind(), StatusKind::kIoError);
  EXPECT_EQ(f.t->sent.size(), 2u);

  f.t->script = {Status::Unavailable("connection refused"), RestHttpResponse{200, "{}"}};
  EXPECT_TRUE(c.Call("POST", "/v1/t", nlohmann::json::object(), false).ok());
  EXPECT_EQ(f.t->sent.size(), 4u);
}

TEST(RestClientTest, ErrorModelMessageAndKindAreSurfaced) {
  RestResponse r{409, nlohmann::json::parse(
      R"({"error":{"message":"Requirement failed: branch main has changed","type":"CommitFailedException","code":409}})")};
  Status s = RestClient::ErrorOf(r, "committing table ns.t");
  EXPECT_EQ(s.kind(), StatusKind::kConflict);
  EXPECT_EQ(s.message(), "committing table ns.t: HTTP 409: CommitFailedException: Requirement failed: branch main has changed");
  EXPECT_EQ(RestClient::ErrorOf({404, nullptr}, "x").kind(), StatusKind::kNotFound);
  EXPECT_TRUE(RestClient::ErrorOf({502, nullptr}, "x").retriable());
  EXPECT_EQ(RestClient::Escape("main|s3://w/"), "main%7Cs3%3A%2F%2Fw%2F");
}

}  // namespace
}  // namespace braid
