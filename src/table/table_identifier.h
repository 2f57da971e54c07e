#pragma once
// TableIdentifier: a table's namespace and name ("demo.unified_activity").

#include <compare>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/result.h"

namespace braid {

struct TableIdentifier {
  std::string ns;  // one level: braid's catalogs do not nest namespaces
  std::string name;

  /// "ns.name".
  std::string ToString() const { return ns + "." + name; }

  /// Parses "ns.name" (the last dot separates the name). InvalidArgument naming `text` when
  /// either part is empty.
  static Result<TableIdentifier> Parse(std::string_view text) {
    size_t dot = text.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) {
      return Status::InvalidArgument(fmt::format(
          "table name \"{}\" must be written namespace.table, e.g. demo.unified_activity", text));
    }
    return TableIdentifier{std::string(text.substr(0, dot)), std::string(text.substr(dot + 1))};
  }

  auto operator<=>(const TableIdentifier&) const = default;
};

}  // namespace braid
