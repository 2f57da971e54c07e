#include "sql/result_formatter.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace braid {
namespace {

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

// The display form of one cell: escapes control characters, cuts at `max_width` code points.
std::string Cell(const std::optional<std::string>& v, size_t max_width) {
  if (!v) return "NULL";
  std::string out;
  for (char c : *v) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  if (max_width > 3 && CodePoints(out) > max_width) {
    size_t keep = max_width - 3, i = 0, n = 0;
    while (i < out.size() && (n < keep || (static_cast<unsigned char>(out[i]) & 0xc0) == 0x80)) {
      n += (static_cast<unsigned char>(out[i]) & 0xc0) != 0x80;
      ++i;
    }
    out = out.substr(0, i) + "...";
  }
  return out;
}

void Pad(std::string* line, const std::string& text, size_t width, bool right) {
  size_t fill = width - CodePoints(text);
  if (right) line->append(fill, ' ');
  line->append(text);
  if (!right) line->append(fill, ' ');
}

std::string CsvField(const std::optional<std::string>& v) {
  if (!v) return "";
  if (v->empty()) return "\"\"";
  if (v->find_first_of(",\"\r\n") == std::string::npos) return *v;
  std::string out = "\"";
  for (char c : *v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string JsonValue(const std::optional<std::string>& v, ValueKind kind) {
  if (!v) return "null";
  if (kind == ValueKind::kBoolean && (*v == "true" || *v == "false")) return *v;
  if (kind == ValueKind::kNumber) {
    if (*v == "nan" || *v == "-nan") return "\"NaN\"";
    if (*v == "inf" || *v == "infinity") return "\"Infinity\"";
    if (*v == "-inf" || *v == "-infinity") return "\"-Infinity\"";
    // DuckDB's numbers are valid JSON numbers, except that JSON forbids a leading '+'.
    if (!v->empty() && (*v)[0] != '+') return *v;
  }
  return nlohmann::json(*v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string ResultFormatter::Table(const QueryResult& result, size_t max_cell_width) {
  const size_t n = result.columns.size();
  std::vector<size_t> width(n);
  std::vector<std::vector<std::string>> cells;
  cells.reserve(result.rows.size());
  for (size_t c = 0; c < n; ++c) width[c] = CodePoints(result.columns[c].name);
  for (const auto& row : result.rows) {
    std::vector<std::string> line;
    for (size_t c = 0; c < n; ++c) {
      line.push_back(Cell(row[c], max_cell_width));
      width[c] = std::max(width[c], CodePoints(line.back()));
    }
    cells.push_back(std::move(line));
  }
  std::string rule = "+";
  for (size_t c = 0; c < n; ++c) rule += std::string(width[c] + 2, '-') + "+";
  rule += "\n";
  std::string out = rule + "|";
  for (size_t c = 0; c < n; ++c) {
    out += " ";
    Pad(&out, result.columns[c].name, width[c], false);
    out += " |";
  }
  out += "\n" + rule;
  for (const auto& line : cells) {
    out += "|";
    for (size_t c = 0; c < n; ++c) {
      out += " ";
      Pad(&out, line[c], width[c], result.columns[c].kind == ValueKind::kNumber);
      out += " |";
    }
    out += "\n";
  }
  if (!cells.empty()) out += rule;
  return out;
}

std::string ResultFormatter::Csv(const QueryResult& result) {
  std::string out;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    out += (c ? "," : "") + CsvField(result.columns[c].name);
  }
  out += "\r\n";
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + CsvField(row[c]);
    out += "\r\n";
  }
  return out;
}

std::string ResultFormatter::Json(const QueryResult& result) {
  std::string out = "[";
  for (size_t r = 0; r < result.rows.size(); ++r) {
    out += r ? ",\n{" : "\n{";
    for (size_t c = 0; c < result.columns.size(); ++c) {
      if (c) out += ",";
      out += nlohmann::json(result.columns[c].name).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      out += ":";
      out += JsonValue(result.rows[r][c], result.columns[c].kind);
    }
    out += "}";
  }
  out += result.rows.empty() ? "]\n" : "\n]\n";
  return out;
}

}  // namespace braid
