// S3Client and S3FileSystem over a scripted HTTP seam: retries, error mapping, paging,
// conditional create. The real-server behaviour is covered by test/integration/test_s3_storage.py.
#include "storage/s3_file_system.h"

#include <deque>
#include <mutex>

#include <gtest/gtest.h>

#include "storage/file_system.h"
#include "storage/location.h"

namespace braid {
namespace {

class ScriptedHttp final : public HttpClient {
 public:
  std::deque<Result<HttpResponse>> answers;
  std::vector<HttpRequest> sent;
  std::vector<std::string> bodies;

  Result<HttpResponse> Send(const HttpRequest& r) override {
    sent.push_back(r);
    bodies.emplace_back(r.body);
    sent.back().body = {};
    if (answers.empty()) return Status::Internal("script ran out");
    Result<HttpResponse> a = std::move(answers.front());
    answers.pop_front();
    return a;
  }
  void Answer(int status, std::string body = "", std::vector<std::pair<std::string, std::string>> headers = {}) {
    answers.push_back(HttpResponse{status, std::move(headers), std::move(body)});
  }
  void Refuse() { answers.push_back(Status::Unavailable("PUT 127.0.0.1:1: Couldn't connect to server")); }
  std::string Header(size_t i, const std::string& name) const {
    for (const auto& [k, v] : sent[i].headers) {
      if (k == name) return v;
    }
    return "";
  }
};

class S3FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    S3Options o;
    o.endpoint = "http://127.0.0.1:1";
    o.path_style = true;
    o.credentials = {"AKID", "s3cr3t-value", "tok"};
    o.retry.max_attempts = 4;
    http_ = std::make_shared<ScriptedHttp>();
    client_ = std::make_shared<S3Client>(o, http_, [this](std::chrono::milliseconds d) { slept_.push_back(d); },
                                         [] { return int64_t{1440938160}; });
    fs_ = std::make_shared<S3FileSystem>(client_);
  }

  std::shared_ptr<ScriptedHttp> http_;
  std::shared_ptr<S3Client> client_;
  std::shared_ptr<S3FileSystem> fs_;
  std::vector<std::chrono::milliseconds> slept_;
};

TEST_F(S3FileSystemTest, SignsEveryRequestWithPayloadHashAndToken) {
  http_->Answer(200);
  ASSERT_TRUE(fs_->WriteFile("s3://bkt/wh/a.json", "hello").ok());
  ASSERT_EQ(http_->sent.size(), 1u);
  EXPECT_EQ(http_->sent[0].method, "PUT");
  EXPECT_EQ(http_->sent[0].url, "http://127.0.0.1:1/bkt/wh/a.json");
  EXPECT_EQ(http_->bodies[0], "hello");
  EXPECT_EQ(http_->Header(0, "x-amz-content-sha256"), SigV4Signer::Sha256Hex("hello"));
  EXPECT_EQ(http_->Header(0, "x-amz-security-token"), "tok");
  EXPECT_EQ(http_->Header(0, "x-amz-date"), "20150830T123600Z");
  EXPECT_TRUE(http_->Header(0, "Authorization").starts_with("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/"));
  EXPECT_EQ(http_->Header(0, "Authorization").find("s3cr3t"), std::string::npos);
}

TEST_F(S3FileSystemTest, RetriesServerErrorsAndRefusalsThenSucceeds) {
  http_->Answer(503, "<Error><Code>SlowDown</Code></Error>");
  http_->Refuse();
  http_->Answer(500);
  http_->Answer(200);
  ASSERT_TRUE(fs_->WriteFile("s3://bkt/k", "x").ok());
  EXPECT_EQ(http_->sent.size(), 4u);
  EXPECT_EQ(client_->retries(), 3);
  ASSERT_EQ(slept_.size(), 3u);
  // Equal jitter: at least half of 200, 400, 800 ms; at most all of it.
  EXPECT_GE(slept_[2].count(), 400);
  EXPECT_LE(slept_[2].count(), 800);
}

TEST_F(S3FileSystemTest, GivesUpAfterTheAttemptBudgetNamingTheEndpoint) {
  for (int i = 0; i < 4; ++i) http_->Refuse();
  Status st = fs_->WriteFile("s3://bkt/k", "x");
  EXPECT_EQ(st.kind(), StatusKind::kIoError);
  EXPECT_TRUE(st.retriable());
  EXPECT_NE(st.message().find("http://127.0.0.1:1"), std::string::npos);
  EXPECT_NE(st.message().find("4 attempts"), std::string::npos);
  EXPECT_EQ(http_->sent.size(), 4u);
}

TEST_F(S3FileSystemTest, DoesNotRetryClientErrors) {
  http_->Answer(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>");
  Status st = fs_->WriteFile("s3://bkt/k", "x");
  EXPECT_EQ(http_->sent.size(), 1u);
  EXPECT_EQ(st.message(), "access denied to s3 bucket bkt at http://127.0.0.1:1 "
                          "(check s3.access-key-id / s3.secret-access-key)");
  http_->Answer(404);
  EXPECT_EQ(fs_->ReadFile("s3://bkt/missing").status().kind(), StatusKind::kNotFound);
  http_->Answer(404);
  EXPECT_TRUE(fs_->DeleteFile("s3://bkt/missing").ok());
}

TEST_F(S3FileSystemTest, ExclusiveCreateMapsPreconditionAndConflict) {
  http_->Answer(412);
  Status taken = fs_->CreateFileExclusive("s3://bkt/v2.metadata.json", "m");
  EXPECT_EQ(taken.kind(), StatusKind::kAlreadyExists);
  EXPECT_EQ(http_->Header(0, "if-none-match"), "*");
  http_->Answer(409, "<Error><Code>ConditionalRequestConflict</Code></Error>");
  Status raced = fs_->CreateFileExclusive("s3://bkt/v2.metadata.json", "m");
  EXPECT_EQ(raced.kind(), StatusKind::kConflict);
  EXPECT_TRUE(raced.retriable());
}

TEST_F(S3FileSystemTest, ExclusiveCreateWhoseAnswerWasLostRecognisesItsOwnObject) {
  http_->Refuse();       // the first attempt created the object, its answer lost
  http_->Answer(412);    // the retry finds it
  http_->Answer(200, "m");  // and it holds our bytes
  EXPECT_TRUE(fs_->CreateFileExclusive("s3://bkt/v2.metadata.json", "m").ok());
  http_->Refuse();
  http_->Answer(412);
  http_->Answer(200, "someone else's");
  EXPECT_EQ(fs_->CreateFileExclusive("s3://bkt/v2.metadata.json", "m").kind(), StatusKind::kAlreadyExists);
}

TEST_F(S3FileSystemTest, ListFollowsContinuationTokensAndReportsDirectories) {
  http_->Answer(200, "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>t/1</NextContinuationToken>"
                     "<Contents><Key>wh/t/b.avro</Key><Size>3</Size></Contents>"
                     "<CommonPrefixes><Prefix>wh/t/data/</Prefix></CommonPrefixes></ListBucketResult>");
  http_->Answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated>"
                     "<Contents><Key>wh/t/a.json</Key><Size>7</Size></Contents></ListBucketResult>");
  auto files = fs_->List("s3://bkt/wh/t/");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].name, "a.json");
  EXPECT_EQ((*files)[0].size, 7u);
  EXPECT_EQ((*files)[1].name, "b.avro");
  EXPECT_EQ((*files)[2].name, "data");
  EXPECT_TRUE((*files)[2].is_directory);
  EXPECT_EQ(http_->sent[0].url, "http://127.0.0.1:1/bkt?delimiter=%2F&list-type=2&prefix=wh%2Ft%2F");
  EXPECT_NE(http_->sent[1].url.find("continuation-token=t%2F1"), std::string::npos);

  http_->Answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  EXPECT_EQ(fs_->List("s3://bkt/nothing").status().kind(), StatusKind::kNotFound);
}

TEST_F(S3FileSystemTest, ExistsIsTrueForAPrefixWithObjects) {
  http_->Answer(404);
  http_->Answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated>"
                     "<Contents><Key>wh/ns/x</Key><Size>1</Size></Contents></ListBucketResult>");
  auto dir = fs_->Exists("s3://bkt/wh/ns");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(*dir);
  http_->Answer(404);
  http_->Answer(200, "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
  EXPECT_FALSE(*fs_->Exists("s3://bkt/none"));
}

TEST_F(S3FileSystemTest, ProbeCachesTheAnswerPerBucket) {
  http_->Answer(200);  // first create
  http_->Answer(200);  // second create: the store ignored If-None-Match
  http_->Answer(204);  // delete the probe
  auto honoured = fs_->SupportsExclusiveCreate("s3://bkt/wh");
  ASSERT_TRUE(honoured.ok());
  EXPECT_FALSE(*honoured);
  EXPECT_NE(http_->sent[0].url.find("/bkt/wh/.braid-probe-"), std::string::npos);
  EXPECT_EQ(http_->sent[2].method, "DELETE");
  EXPECT_FALSE(*fs_->SupportsExclusiveCreate("s3://bkt/other"));
  EXPECT_EQ(http_->sent.size(), 3u);
}

TEST(FileSystemForTest, PicksTheStoreByScheme) {
  EXPECT_TRUE(FileSystemFor("/tmp/wh", {}).ok());
  auto s3 = FileSystemFor("s3a://bkt/wh", {{"s3.endpoint", "http://127.0.0.1:9"}});
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ((*s3)->StoreName(), "http://127.0.0.1:9");
  for (const char* bad : {"gs://b/x", "hdfs://nn/x", "s3:/bkt/x", "s3a:bkt"}) {
    auto r = FileSystemFor(bad, {});
    EXPECT_EQ(r.status().kind(), StatusKind::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find(bad), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(IsLocalLocation("s3:/bkt/x"));
  EXPECT_FALSE(IsLocalLocation("s3a://bkt/x"));
  EXPECT_TRUE(IsLocalLocation("relative/dir"));
}

}  // namespace
}  // namespace braid
