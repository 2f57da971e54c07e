#include "storage/s3_multipart_upload.h"

#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "storage/s3_xml.h"

namespace braid {
namespace {

Status UploadParts(S3Client& client, const std::string& bucket, const std::string& key, const std::string& upload_id,
                   const std::string& local_path, uint64_t size, uint64_t part_size) {
  std::ifstream in(local_path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot open {} to upload it to s3://{}/{}", local_path, bucket, key));
  std::vector<std::string> etags;
  std::string buffer;
  for (uint64_t offset = 0, part = 1; offset < size; offset += part_size, ++part) {
    buffer.resize(std::min(part_size, size - offset));
    if (!in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()))) {
      return Status::IoError(fmt::format("reading {} at offset {} for upload failed", local_path, offset));
    }
    S3Request put{"PUT", bucket, key, {{"partNumber", std::to_string(part)}, {"uploadId", upload_id}}, {}, buffer};
    Result<HttpResponse> r = client.SendOk(put);
    if (!r.ok()) return r.status().WithContext(fmt::format("uploading part {}", part));
    std::string etag = r->Header("etag");
    if (etag.empty()) return Status::IoError(fmt::format("the store gave part {} of s3://{}/{} no ETag", part, bucket, key));
    etags.push_back(std::move(etag));
  }
  std::string body = S3Xml::CompleteMultipartBody(etags);
  S3Request complete{"POST", bucket, key, {{"uploadId", upload_id}}, {}, body};
  BRAID_ASSIGN_OR_RETURN(HttpResponse done, client.SendOk(complete));
  // Complete can fail after its 200 status line: the error is then in the body.
  S3Error error = S3Xml::ParseError(done.body);
  if (!error.code.empty()) {
    return Status::IoError(fmt::format("completing the upload of s3://{}/{} failed: {} {}", bucket, key,
                                       error.code, error.message), true);
  }
  return Status::Ok();
}

}  // namespace

Status S3MultipartUpload::Upload(S3Client& client, const std::string& bucket, const std::string& key,
                                 const std::string& local_path, uint64_t size, uint64_t part_size) {
  S3Request start{"POST", bucket, key, {{"uploads", ""}}, {}, {}};
  BRAID_ASSIGN_OR_RETURN(HttpResponse started, client.SendOk(start));
  BRAID_ASSIGN_OR_RETURN(std::string upload_id, S3Xml::ParseUploadId(started.body));
  Status st = UploadParts(client, bucket, key, upload_id, local_path, size, part_size);
  if (!st.ok()) {
    // Best effort: the failure that matters is the one already in hand.
    S3Request abort{"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}};
    (void)client.Send(abort);
  }
  return st;
}

}  // namespace braid
