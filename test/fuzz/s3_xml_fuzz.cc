// Fuzz target: the S3 XML answers braid reads (ListObjectsV2 pages, error bodies,
// InitiateMultipartUpload results) and entity decoding.
// Properties: a page that parses, written out again as a ListBucketResult with its values
// escaped, parses to the same page; Unescape(Escape(x)) == x for any bytes x; an UploadId
// escaped into a result document parses back unchanged.

#include <fmt/format.h>

#include "fuzz_check.h"
#include "storage/s3_xml.h"

namespace braid {
namespace {

std::string Render(const S3ListPage& page) {
  std::string out = "<ListBucketResult>";
  for (const S3ObjectEntry& e : page.objects) {
    out += fmt::format("<Contents><Key>{}</Key><Size>{}</Size></Contents>", S3Xml::Escape(e.key), e.size);
  }
  for (const std::string& p : page.common_prefixes) {
    out += fmt::format("<CommonPrefixes><Prefix>{}</Prefix></CommonPrefixes>", S3Xml::Escape(p));
  }
  out += fmt::format("<IsTruncated>{}</IsTruncated>", page.truncated ? "true" : "false");
  out += fmt::format("<NextContinuationToken>{}</NextContinuationToken>",
                     S3Xml::Escape(page.next_continuation_token));
  return out + "</ListBucketResult>";
}

bool Same(const S3ListPage& a, const S3ListPage& b) {
  if (a.objects.size() != b.objects.size()) return false;
  for (size_t i = 0; i < a.objects.size(); ++i) {
    if (a.objects[i].key != b.objects[i].key || a.objects[i].size != b.objects[i].size) return false;
  }
  return a.common_prefixes == b.common_prefixes && a.truncated == b.truncated &&
         a.next_continuation_token == b.next_continuation_token;
}

}  // namespace
}  // namespace braid

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace braid;
  const std::string_view xml = fuzz::AsView(data, size);
  Result<S3ListPage> page = S3Xml::ParseListPage(xml);
  if (page.ok()) {
    Result<S3ListPage> again = S3Xml::ParseListPage(Render(*page));
    BRAID_FUZZ_CHECK(again.ok() && Same(*page, *again));
  }
  (void)S3Xml::ParseError(xml);
  (void)S3Xml::ParseUploadId(xml);

  BRAID_FUZZ_CHECK(S3Xml::Unescape(S3Xml::Escape(xml)) == xml);
  if (!xml.empty()) {
    Result<std::string> id = S3Xml::ParseUploadId(
        "<InitiateMultipartUploadResult><UploadId>" + S3Xml::Escape(xml) +
        "</UploadId></InitiateMultipartUploadResult>");
    BRAID_FUZZ_CHECK(id.ok() && *id == xml);
  }
  return 0;
}
