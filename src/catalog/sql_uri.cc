#include "catalog/sql_uri.h"

#include <fmt/format.h>

#include <set>
#include <string_view>

namespace braid {
namespace {

constexpr char kForms[] =
    "use sqlite:////abs/path/catalog.db, jdbc:sqlite:/abs/path/catalog.db or "
    "postgresql://user@host:5432/database";

// libpq keywords a uri's query string may set; anything else is refused rather than ignored.
const std::set<std::string>& PostgresOptions() {
  static const std::set<std::string> kOptions = {
      "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "connect_timeout",
      "application_name", "options", "target_session_attrs", "gssencmode", "keepalives",
      "keepalives_idle", "service", "passfile"};
  return kOptions;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> PercentDecode(std::string_view s, std::string_view what) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    int hi = i + 2 < s.size() ? HexDigit(s[i + 1]) : -1;
    int lo = hi >= 0 ? HexDigit(s[i + 2]) : -1;
    if (lo < 0) {
      return Status::InvalidArgument(fmt::format("the SQL catalog uri has a bad %-escape in its {}", what));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Status BadUri(const std::string& uri, std::string_view problem) {
  return Status::InvalidArgument(
      fmt::format("SQL catalog uri \"{}\" {}: {}", RedactUri(uri), problem, kForms));
}

// SQLite file name of "sqlite:///x" (SQLAlchemy) or "jdbc:sqlite:x" (sqlite-jdbc) forms.
Result<SqlUri> ParseSqlite(const std::string& uri, std::string_view rest, bool jdbc) {
  if (rest.find('?') != std::string_view::npos) {
    return BadUri(uri, "has query parameters, which braid does not support for SQLite");
  }
  std::string_view path;
  if (jdbc) {
    path = rest;
    if (path.starts_with("file:")) {
      path.remove_prefix(5);
      if (path.starts_with("//")) {
        path.remove_prefix(2);
        if (path.starts_with("localhost/")) path.remove_prefix(9);
        if (!path.starts_with("/")) return BadUri(uri, "names a remote host");
      }
    }
  } else {
    // SQLAlchemy: "sqlite://" + "/" + path, so four slashes make the path absolute.
    if (!rest.starts_with("//")) return BadUri(uri, "is not sqlite:///<path>");
    rest.remove_prefix(2);
    if (rest.empty()) return BadUri(uri, "is an in-memory database, gone when braid exits");
    if (!rest.starts_with("/")) return BadUri(uri, "names a host; SQLite databases are local files");
    path = rest.substr(1);
  }
  if (path.empty() || path == ":memory:" || path.find("mode=memory") != std::string_view::npos) {
    return BadUri(uri, "is an in-memory database, gone when braid exits");
  }
  SqlUri out;
  out.kind = SqlUri::Kind::kSqlite;
  BRAID_ASSIGN_OR_RETURN(out.path, PercentDecode(path, "path"));
  return out;
}

// "//user:pw@host:port/db?k=v" (after the scheme) or JDBC's "db" / "//host/db".
Result<SqlUri> ParsePostgres(const std::string& uri, std::string_view rest) {
  SqlUri out;
  out.kind = SqlUri::Kind::kPostgres;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view db = rest;
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    size_t slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    db = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
      std::string_view userinfo = authority.substr(0, at);
      authority = authority.substr(at + 1);
      size_t colon = userinfo.find(':');
      BRAID_ASSIGN_OR_RETURN(out.user, PercentDecode(userinfo.substr(0, colon), "user"));
      if (colon != std::string_view::npos) {
        BRAID_ASSIGN_OR_RETURN(out.password, PercentDecode(userinfo.substr(colon + 1), "password"));
      }
    }
    std::string_view host = authority, port;
    if (authority.starts_with("[")) {  // [::1]:5432
      size_t close = authority.find(']');
      if (close == std::string_view::npos) return BadUri(uri, "has an unclosed [ in its host");
      host = authority.substr(1, close - 1);
      std::string_view after = authority.substr(close + 1);
      if (after.starts_with(":")) port = after.substr(1);
      else if (!after.empty()) return BadUri(uri, "has text after its [host]");
    } else if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
    if (!port.empty() && port.find_first_not_of("0123456789") != std::string_view::npos) {
      return BadUri(uri, "has a port that is not a number");
    }
    BRAID_ASSIGN_OR_RETURN(out.host, PercentDecode(host, "host"));
    out.port = std::string(port);
  }
  BRAID_ASSIGN_OR_RETURN(out.database, PercentDecode(db, "database"));
  if (out.database.find('/') != std::string::npos) return BadUri(uri, "has a '/' in its database name");
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    BRAID_ASSIGN_OR_RETURN(std::string key, PercentDecode(kv.substr(0, eq), "query"));
    std::string value;
    if (eq != std::string_view::npos) {
      BRAID_ASSIGN_OR_RETURN(value, PercentDecode(kv.substr(eq + 1), "query"));
    }
    if (key == "user") {
      out.user = value;
    } else if (key == "password") {
      out.password = value;
    } else if (key == "host") {
      out.host = value;  // SQLAlchemy's way to name a socket directory
    } else if (key == "port") {
      out.port = value;
    } else if (PostgresOptions().count(key)) {
      out.options[key] = value;
    } else {
      return BadUri(uri, fmt::format("has the parameter \"{}\", which braid does not pass to PostgreSQL", key));
    }
  }
  return out;
}

}  // namespace

std::string RedactUri(const std::string& uri) {
  std::string out = uri;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t start = scheme + 3;
    size_t end = out.find_first_of("/?", start);
    size_t at = out.rfind('@', end == std::string::npos ? std::string::npos : end);
    if (at != std::string::npos && at >= start) {
      size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in a query string
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    size_t start = p + 9;
    size_t end = out.find('&', start);
    out.replace(start, (end == std::string::npos ? out.size() : end) - start, "***");
  }
  return out;
}

Result<SqlUri> SqlUri::Parse(const std::map<std::string, std::string>& properties) {
  auto it = properties.find("uri");
  if (it == properties.end() || it->second.empty()) {
    return Status::InvalidArgument(fmt::format(
        "the sql catalog needs a \"uri\" property naming its database: {}", kForms));
  }
  const std::string& uri = it->second;
  Result<SqlUri> parsed = Status::InvalidArgument("");
  std::string_view rest = uri;
  if (rest.starts_with("jdbc:")) {
    rest.remove_prefix(5);
    if (rest.starts_with("sqlite:")) {
      parsed = ParseSqlite(uri, rest.substr(7), /*jdbc=*/true);
    } else if (rest.starts_with("postgresql:")) {
      parsed = ParsePostgres(uri, rest.substr(11));
    } else {
      return BadUri(uri, "uses a JDBC driver braid does not support");
    }
  } else {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return BadUri(uri, "has no scheme");
    std::string_view scheme = rest.substr(0, colon);
    scheme = scheme.substr(0, scheme.find('+'));  // SQLAlchemy's "+driver"
    rest.remove_prefix(colon + 1);
    if (scheme == "sqlite") {
      parsed = ParseSqlite(uri, rest, /*jdbc=*/false);
    } else if (scheme == "postgresql" || scheme == "postgres") {
      if (!rest.starts_with("//")) return BadUri(uri, "is not postgresql://host/database");
      parsed = ParsePostgres(uri, rest);
    } else {
      return BadUri(uri, fmt::format("uses the database \"{}\", which braid does not support", scheme));
    }
  }
  if (!parsed.ok()) return parsed;
  if (parsed->kind == Kind::kPostgres) {
    if (auto u = properties.find("jdbc.user"); u != properties.end()) parsed->user = u->second;
    if (auto p = properties.find("jdbc.password"); p != properties.end()) parsed->password = p->second;
  }
  return parsed;
}

std::string SqlUri::Describe() const {
  if (kind == Kind::kSqlite) return fmt::format("SQLite database {}", path);
  std::string where;
  if (host.empty() || host.starts_with("/")) {
    where = host.empty() ? "the local socket" : "the socket in " + host;
  } else {
    where = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    where += ":" + (port.empty() ? std::string("5432") : port);
  }
  return fmt::format("PostgreSQL database \"{}\" at {}", database.empty() ? user : database, where);
}

}  // namespace braid
