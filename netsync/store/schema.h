// The store's schema as an ordered list of migrations; `PRAGMA user_version` says how many ran.
//
// A migration is never edited once it has shipped: kiosks in the field upgrade by running the ones
// they have not seen, in order, each in its own transaction.
#pragma once

namespace kiosk::sqlite { class Database; }

namespace kiosk::schema {

constexpr int kLatestVersion = 9;

// Brings `db` from its current user_version up to `target` (default: latest). Throws
// sqlite::Error on failure, leaving the database at the last completed version. A database newer
// than this build is refused rather than misread.
void migrate(sqlite::Database& db, int target = kLatestVersion);
int current_version(sqlite::Database& db);

} // namespace kiosk::schema
