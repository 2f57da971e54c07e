// SigV4Signer against the example values AWS publishes in its SigV4 and S3 authentication
// documentation (AKIDEXAMPLE / IAM ListUsers; AKIAIOSFODNN7EXAMPLE / examplebucket).
#include "storage/sigv4_signer.h"

#include <gtest/gtest.h>

namespace braid {
namespace {

constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4SignerTest, IamListUsersExample) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_path = "/";
  r.query = {{"Version", "2010-05-08"}, {"Action", "ListUsers"}};
  r.headers = {{"Host", "iam.amazonaws.com"},
               {"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_sha256 = SigV4Signer::Sha256Hex("");
  EXPECT_EQ(r.payload_sha256, kEmptySha);
  std::string canonical = SigV4Signer::CanonicalRequest(r);
  EXPECT_EQ(canonical,
            "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
            "content-type:application/x-www-form-urlencoded; charset=utf-8\nhost:iam.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n" + std::string(kEmptySha));
  EXPECT_EQ(SigV4Signer::Sha256Hex(canonical), "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(SigV4Signer::StringToSign(canonical, "20150830T123600Z", "us-east-1", "iam"),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/iam/aws4_request\n"
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(SigV4Signer::SigningKeyHex("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam"),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  AwsCredentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(SigV4Signer::Authorization(r, creds, "20150830T123600Z", "us-east-1", "iam"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

const AwsCredentials kS3Creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

std::string SignatureOf(const std::string& authorization) {
  return authorization.substr(authorization.find("Signature=") + 10);
}

TEST(SigV4SignerTest, S3GetObjectWithRangeExample) {
  SigV4Request r{"GET", "/test.txt", {},
                 {{"Host", "examplebucket.s3.amazonaws.com"}, {"Range", "bytes=0-9"},
                  {"x-amz-content-sha256", kEmptySha}, {"x-amz-date", "20130524T000000Z"}},
                 kEmptySha};
  EXPECT_EQ(SignatureOf(SigV4Signer::Authorization(r, kS3Creds, "20130524T000000Z", "us-east-1", "s3")),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, S3PutObjectExample) {
  std::string payload = SigV4Signer::Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request r{"PUT", "/" + SigV4Signer::UriEncode("test$file.text", true), {},
                 {{"Host", "examplebucket.s3.amazonaws.com"}, {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                  {"x-amz-date", "20130524T000000Z"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                  {"x-amz-content-sha256", payload}},
                 payload};
  EXPECT_EQ(r.canonical_path, "/test%24file.text");
  EXPECT_EQ(SignatureOf(SigV4Signer::Authorization(r, kS3Creds, "20130524T000000Z", "us-east-1", "s3")),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4SignerTest, S3ListObjectsExample) {
  SigV4Request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}},
                 {{"Host", "examplebucket.s3.amazonaws.com"}, {"x-amz-date", "20130524T000000Z"},
                  {"x-amz-content-sha256", kEmptySha}},
                 kEmptySha};
  EXPECT_EQ(SigV4Signer::CanonicalQuery(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(SignatureOf(SigV4Signer::Authorization(r, kS3Creds, "20130524T000000Z", "us-east-1", "s3")),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4SignerTest, QueryValuesEncodeSlashAndSortByName) {
  EXPECT_EQ(SigV4Signer::CanonicalQuery({{"prefix", "wh/ns/t/"}, {"delimiter", "/"}, {"uploads", ""}}),
            "delimiter=%2F&prefix=wh%2Fns%2Ft%2F&uploads=");
  EXPECT_EQ(SigV4Signer::UriEncode("a b/c+d~é", true), "a%20b/c%2Bd~%C3%A9");
  EXPECT_EQ(SigV4Signer::UriEncode("a/b", false), "a%2Fb");
}

TEST(SigV4SignerTest, AmzDateIsUtc) {
  EXPECT_EQ(SigV4Signer::AmzDate(1440938160), "20150830T123600Z");
}

}  // namespace
}  // namespace braid
