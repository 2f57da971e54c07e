#include "storage/s3_xml.h"

#include <algorithm>
#include <chrono>
#include <charconv>

#include <fmt/format.h>

namespace braid {
namespace {

// The text of the first <name>...</name> in [pos, end) of `xml`, advancing pos past it.
// Returns false when there is none.
bool NextElement(std::string_view xml, std::string_view name, size_t& pos, std::string_view& text) {
  std::string open = fmt::format("<{}>", name);
  std::string close = fmt::format("</{}>", name);
  size_t start = xml.find(open, pos);
  if (start == std::string_view::npos) return false;
  start += open.size();
  size_t stop = xml.find(close, start);
  if (stop == std::string_view::npos) return false;
  text = xml.substr(start, stop - start);
  pos = stop + close.size();
  return true;
}

std::string ElementText(std::string_view xml, std::string_view name) {
  size_t pos = 0;
  std::string_view text;
  return NextElement(xml, name, pos, text) ? S3Xml::Unescape(text) : std::string();
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string S3Xml::Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    size_t semi = text[i] == '&' ? text.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos) {
      out += text[i];
      continue;
    }
    std::string_view entity = text.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    bool numeric = false;
    if (entity.starts_with("#x") || entity.starts_with("#X")) {
      numeric = std::from_chars(entity.data() + 2, entity.data() + entity.size(), cp, 16).ec == std::errc();
    } else if (entity.starts_with("#")) {
      numeric = std::from_chars(entity.data() + 1, entity.data() + entity.size(), cp).ec == std::errc();
    }
    if (numeric) AppendUtf8(out, cp);
    else if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else {
      out += text[i];
      continue;
    }
    i = semi;
  }
  return out;
}

std::string S3Xml::Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<S3ListPage> S3Xml::ParseListPage(std::string_view xml) {
  if (xml.find("<ListBucketResult") == std::string_view::npos) {
    return Status::Corruption("the S3 list answer is not a ListBucketResult document");
  }
  S3ListPage page;
  size_t pos = 0;
  std::string_view item;
  while (NextElement(xml, "Contents", pos, item)) {
    S3ObjectEntry e;
    e.key = ElementText(item, "Key");
    std::string size = ElementText(item, "Size");
    if (std::from_chars(size.data(), size.data() + size.size(), e.size).ec != std::errc()) {
      return Status::Corruption(fmt::format("the S3 list answer gives object \"{}\" the size \"{}\"", e.key, size));
    }
    std::string modified = ElementText(item, "LastModified");
    if (!modified.empty()) {
      std::optional<int64_t> ms = ParseLastModified(modified);
      if (!ms) {
        return Status::Corruption(fmt::format("the S3 list answer gives object \"{}\" the LastModified \"{}\"",
                                              e.key, modified));
      }
      e.modified_ms = *ms;
    }
    page.objects.push_back(std::move(e));
  }
  pos = 0;
  while (NextElement(xml, "CommonPrefixes", pos, item)) page.common_prefixes.push_back(ElementText(item, "Prefix"));
  page.truncated = ElementText(xml, "IsTruncated") == "true";
  page.next_continuation_token = ElementText(xml, "NextContinuationToken");
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::Corruption("the S3 list answer is truncated but has no NextContinuationToken");
  }
  return page;
}

std::optional<int64_t> S3Xml::ParseLastModified(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS, then optional .fraction, then Z.
  auto num = [&](size_t pos, size_t len, int& out) {
    return pos + len <= t.size() &&
           std::from_chars(t.data() + pos, t.data() + pos + len, out).ec == std::errc() &&
           std::all_of(t.begin() + static_cast<ptrdiff_t>(pos), t.begin() + static_cast<ptrdiff_t>(pos + len),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':' ||
      !num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) ||
      !num(17, 2, s) || h > 23 || mi > 59 || s > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t millis = 0;
  if (t[pos] == '.') {
    size_t digits = 0;
    for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos, ++digits) {
      if (digits < 3) millis = millis * 10 + (t[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (pos + 1 != t.size() || t[pos] != 'Z') return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok()) return std::nullopt;
  const int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  return ((days * 24 + h) * 60 + mi) * 60000 + int64_t{s} * 1000 + millis;
}

S3Error S3Xml::ParseError(std::string_view xml) {
  return {ElementText(xml, "Code"), ElementText(xml, "Message")};
}

Result<std::string> S3Xml::ParseUploadId(std::string_view xml) {
  std::string id = ElementText(xml, "UploadId");
  if (id.empty()) return Status::Corruption("the S3 answer to starting a multipart upload has no UploadId");
  return id;
}

std::string S3Xml::CompleteMultipartBody(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    out += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, Escape(etags[i]));
  }
  return out + "</CompleteMultipartUpload>";
}

}  // namespace braid
