#pragma once
// SqlUri: where the SQL catalog's database is, parsed from the catalog's `uri` property in
// either pyiceberg's SQLAlchemy form or Java's JDBC form:
//   sqlite:////abs/catalog.db   sqlite:///relative.db   sqlite+pysqlite:///...   (SQLAlchemy)
//   jdbc:sqlite:/abs/catalog.db   jdbc:sqlite:file:/abs/catalog.db               (JDBC)
//   postgresql://user:pw@host:port/db?sslmode=require   postgresql+psycopg2://...
//   jdbc:postgresql://host:port/db?user=u&password=p
// The properties jdbc.user / jdbc.password (Java's) fill or override the user and password.
// A value type; the password is kept only to connect and is never formatted into messages.

#include <map>
#include <string>

#include "base/result.h"

namespace braid {

struct SqlUri {
  enum class Kind { kSqlite, kPostgres };
  Kind kind = Kind::kSqlite;

  std::string path;  // SQLite: the database file, as written (relative to the working dir)

  std::string host;      // PostgreSQL; empty = libpq's default (the local socket)
  std::string port;      // empty = 5432
  std::string database;  // empty = the user's name, as libpq decides
  std::string user;
  std::string password;
  /// Further libpq connection keywords from the query string (sslmode, connect_timeout, ...).
  std::map<std::string, std::string> options;

  /// Parses `properties["uri"]` (plus jdbc.user / jdbc.password). InvalidArgument, one line
  /// naming the problem and the accepted forms, for a missing uri, an unknown scheme, an
  /// in-memory SQLite database (useless to a command-line tool) or a malformed URI. The
  /// message shows the uri with any password replaced by "***".
  static Result<SqlUri> Parse(const std::map<std::string, std::string>& properties);

  /// "SQLite database <path>" or "PostgreSQL database \"db\" at host:port".
  std::string Describe() const;
};

/// `uri` with the password of a user:password@ part replaced by "***", for messages.
std::string RedactUri(const std::string& uri);

}  // namespace braid
